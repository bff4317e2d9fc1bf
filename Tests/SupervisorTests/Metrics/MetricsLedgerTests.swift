import Glibc
import Shared
import Testing

@testable import Supervisor

@Suite("Supervisor metrics: folding, exposition, the /metrics request")
struct MetricsLedgerTests {
    private static func record(_ region: MetricsRegion, _ count: Int, status: UInt = 200) {
        for _ in 0..<count {
            region.requestStarted()
            region.requestFinished(key: MetricsLayout.seriesKey(method: 0, status: status, route: 0), nanoseconds: 1000)
        }
    }

    private static func requestCount(_ ledger: MetricsLedger) -> UInt64 {
        ledger.requestTotals.series.values.reduce(0) { $0 + $1.count }
    }

    @Test func exitedWorkersAreFoldedSoTheCountNeverDrops() {
        let ledger = MetricsLedger()
        let first = MetricsRegion.anonymous()
        let second = MetricsRegion.anonymous()
        ledger.spawned(pid: 10, slot: 0, region: first, now: 0)
        ledger.spawned(pid: 11, slot: 1, region: second, now: 0)
        Self.record(first, 5)
        Self.record(second, 2)
        first.add(.postgresExhausted, 4)
        #expect(Self.requestCount(ledger) == 7)
        ledger.exited(pid: 10, restartReason: "crash")
        #expect(Self.requestCount(ledger) == 7)
        #expect(ledger.counter(.postgresExhausted) == 4)
        ledger.spawned(pid: 12, slot: 0, region: MetricsRegion.anonymous(), now: 0)
        Self.record(ledger.live[12]!.region, 1)
        #expect(Self.requestCount(ledger) == 8)
        #expect(ledger.restarts["crash"] == 1 && ledger.restarts["hung"] == 0)
        // A second reap of the same pid (or an unknown one) adds nothing.
        ledger.exited(pid: 10, restartReason: nil)
        #expect(Self.requestCount(ledger) == 8)
    }

    @Test func rateIsMeasuredOverAWindowOfHeartbeats() {
        let ledger = MetricsLedger()
        let region = MetricsRegion.anonymous()
        ledger.spawned(pid: 10, slot: 0, region: region, now: 0)
        Self.record(region, 50)
        ledger.sample(pid: 10, now: 1_000_000_000)
        #expect(ledger.live[10]?.rate == nil)  // window too short
        ledger.sample(pid: 10, now: 5_000_000_000)
        #expect(ledger.live[10]?.rate == 10)
    }

    @Test func expositionHasEveryFamilyWithHelpAndType() {
        let harness = PolicyHarness(workers: 2)
        let ledger = MetricsLedger()
        let region = MetricsRegion.anonymous()
        region.publishRoutes(["/health"])
        region.set(.postgresUp, 2)
        region.set(.redisUp, 1)
        region.add(.postgresBatches, 2)
        region.add(.postgresBatchedTransactions, 9)
        ledger.spawned(pid: 100, slot: 0, region: region, now: 0)
        Self.record(region, 3)
        ledger.reloaded()
        let text = String(
            decoding: MetricsExposition.render(policy: harness.policy, ledger: ledger, pid: getpid()),
            as: UTF8.self
        )
        for family in [
            "http_server_request_duration_seconds", "http_server_active_requests", "saas_api_workers",
            "saas_api_worker_restarts_total", "saas_api_reloads_total", "saas_api_dependency_up",
            "saas_api_pool_connections", "saas_api_pool_errors_total", "saas_api_process_resident_memory_bytes",
            "saas_api_process_cpu_seconds_total", "saas_api_build_info", "saas_api_pool_batches_total",
            "saas_api_pool_batched_transactions_total",
        ] {
            #expect(text.contains("# HELP \(family) "), "\(family)")
            #expect(text.contains("# TYPE \(family) "), "\(family)")
        }
        #expect(
            text.contains(
                #"http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="200",http_route="/health"} 3"#
            )
        )
        #expect(text.contains("saas_api_reloads_total 1\n"))
        #expect(text.contains(#"saas_api_pool_batches_total{pool="postgres"} 2"#))
        #expect(text.contains(#"saas_api_pool_batched_transactions_total{pool="postgres"} 9"#))
        #expect(text.contains(#"saas_api_dependency_up{dependency="postgres"} 1"#))
        #expect(text.contains(#"saas_api_dependency_up{dependency="redis"} 0"#))
        #expect(text.contains(#"saas_api_process_resident_memory_bytes{process="supervisor"} "#))
        #expect(text.contains(#"saas_api_build_info{version="\#(Version.current)"} 1"#))
    }

    @Test func requestHeadsAreAnsweredByPathAndMethod() throws {
        #expect(MetricsRequest(Array("GET /metrics HTTP/1.1\r\nHost: x\r\n".utf8)) == nil)  // incomplete
        let get = try #require(MetricsRequest(Array("GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n".utf8)))
        let answer = String(decoding: get.response { Array("body\n".utf8) }, as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"))
        #expect(answer.hasSuffix("Content-Length: 5\r\nConnection: close\r\n\r\nbody\n"))
        let head = try #require(MetricsRequest(Array("HEAD /metrics HTTP/1.0\n\n".utf8)))
        #expect(!String(decoding: head.response { Array("body\n".utf8) }, as: UTF8.self).hasSuffix("body\n"))
        let other = try #require(MetricsRequest(Array("GET / HTTP/1.1\r\n\r\n".utf8)))
        #expect(String(decoding: other.response { [] }, as: UTF8.self).hasPrefix("HTTP/1.1 404 "))
        let post = try #require(MetricsRequest(Array("POST /metrics HTTP/1.1\r\n\r\n".utf8)))
        #expect(String(decoding: post.response { [] }, as: UTF8.self).hasPrefix("HTTP/1.1 405 "))
    }

    @Test func procStatLinesAreParsedPastACommandWithSpaces() throws {
        let line =
            "42 (saas-api: worker 1) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 100 123456789 1500 "
            + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0"
        let stats = try #require(ProcessStats.parse(ArraySlice(line.utf8)))
        #expect(stats.residentBytes == 1500 * UInt64(sysconf(Int32(_SC_PAGESIZE))))
        #expect(stats.cpuSeconds == 300 / Double(sysconf(Int32(_SC_CLK_TCK))))
        #expect(ProcessStats.read(pid: getpid()) != nil)
    }

    @Test func statusDecimalsNeedNoFoundation() {
        #expect(StatusReport.decimal(12.345, 1) == "12.3")
        #expect(StatusReport.decimal(0.0042 * 1000, 3) == "4.200")
        #expect(StatusReport.decimal(7, 0) == "7")
        #expect(StatusReport.decimal(.nan, 2) == "0")
    }
}

@Suite("Restart reasons")
struct RestartReasonTests {
    @Test func crashHungReloadAndStopAreToldApart() {
        var harness = PolicyHarness(workers: 2)
        let pids = harness.boot()
        #expect(MetricsLedger.restartReason(pid: pids[0], policy: harness.policy) == "crash")
        #expect(MetricsLedger.restartReason(pid: 9999, policy: harness.policy) == nil)
        // Silent past the heartbeat timeout: aborted as hung.
        harness.tick(after: 4 * PolicyHarness.s)
        #expect(MetricsLedger.restartReason(pid: pids[0], policy: harness.policy) == "hung")
        // A reload retires the older generation.
        var reloading = PolicyHarness(workers: 1)
        let old = reloading.boot()[0]
        reloading.run(reloading.policy.reload(now: reloading.now))
        let new = reloading.pids().first { $0 != old }!
        reloading.ready(new)
        #expect(MetricsLedger.restartReason(pid: old, policy: reloading.policy) == "reload")
        // Stopping: exits are not restarts.
        reloading.run(reloading.policy.gracefulStop(now: reloading.now))
        #expect(MetricsLedger.restartReason(pid: new, policy: reloading.policy) == nil)
    }
}
