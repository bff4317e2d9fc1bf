import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `saas_api_pool_wait_seconds` and `saas_api_dependency_up` on a running server with the real
/// PostgreSQL and Redis: a worker with one PostgreSQL connection, reached through a relay the
/// test can pause, so an operation really waits for the pool's only connection.
@Suite(.serialized) struct PoolWaitScrapeTests {
    /// The value of the sample line starting with `sample` (name and labels, exactly).
    private static func value(_ sample: String, in exposition: String) -> Double? {
        exposition.split(separator: "\n")
            .first { $0.hasPrefix(sample + " ") }
            .flatMap { $0.split(separator: " ").last.flatMap { Double($0) } }
    }

    private static func scrape(_ port: Int) throws -> String {
        try PrometheusServer.curl(["http://127.0.0.1:\(port)/metrics"])
    }

    /// The `DATABASE_URL` of the shared configuration, pointed at `port`.
    private static func databaseURL(port: Int) -> String {
        var components = URLComponents(
            string: TestEnvironment.value("DATABASE_URL") ?? "postgres://app_rw@127.0.0.1/saas_api"
        )!
        components.host = "127.0.0.1"
        components.port = port
        return components.string!
    }

    @Test func anOperationQueuedBehindTheOnlyConnectionIsCountedWithItsWait() throws {
        let postgresPort = TestEnvironment.port(of: TestEnvironment.value("DATABASE_URL"), default: 5432)
        let relay = try PausableRelay(to: postgresPort)
        defer { relay.stop() }
        let metricsPort = TestEnvironment.freePort()
        let server = try ServerProcess(
            workers: 1,
            environment: [
                "METRICS_ADDRESS": "127.0.0.1:\(metricsPort)",
                "DATABASE_URL": Self.databaseURL(port: relay.port),
                "PG_POOL_SIZE": "1",
                "HEALTH_TIMEOUT_MS": "300",
                "DB_QUERY_TIMEOUT_MS": "10000",
                "DB_CONNECT_TIMEOUT_MS": "10000",
            ]
        )
        defer { server.stop() }
        try server.waitUntilServing()

        // Before any /health request, the pools' warm-up has told the dependencies' state.
        let postgresUp = #"saas_api_dependency_up{dependency="postgres"}"#
        let redisUp = #"saas_api_dependency_up{dependency="redis"}"#
        let count = #"saas_api_pool_wait_seconds_count{pool="postgres"}"#
        try waitFor("dependency_up before the first /health") {
            let exposition = try Self.scrape(metricsPort)
            return Self.value(postgresUp, in: exposition) == 1 && Self.value(redisUp, in: exposition) == 1
                && (Self.value(count, in: exposition) ?? 0) >= 1
        }
        let before = try Self.scrape(metricsPort)
        #expect(before.contains("# TYPE saas_api_pool_wait_seconds histogram"))
        let sum = #"saas_api_pool_wait_seconds_sum{pool="postgres"}"#
        let fast = #"saas_api_pool_wait_seconds_bucket{pool="postgres",le="0.25"}"#
        let redisCount = #"saas_api_pool_wait_seconds_count{pool="redis"}"#
        let count0 = try #require(Self.value(count, in: before))
        let sum0 = try #require(Self.value(sum, in: before))
        let fast0 = try #require(Self.value(fast, in: before))
        let redis0 = try #require(Self.value(redisCount, in: before))

        // Paused: the first check's SELECT 1 times out (300 ms) and its retry waits for a new
        // connection through the relay, holding the pool's only thread; the second check's
        // SELECT 1 queues behind it until the relay resumes, a second later.
        relay.isPaused = true
        let first = try HTTPClient.get(port: server.port, "/health", timeout: 10)
        let queuedAt = Date()
        let second = try HTTPClient.get(port: server.port, "/health", timeout: 10)
        #expect(first.status == 503 && second.status == 503)
        Thread.sleep(forTimeInterval: max(0, 1 - Date().timeIntervalSince(queuedAt)))
        relay.isPaused = false

        try waitFor("both checks' waits recorded") {
            Self.value(count, in: try Self.scrape(metricsPort)) == count0 + 2
        }
        try waitFor("postgres up again") { Self.value(postgresUp, in: try Self.scrape(metricsPort)) == 1 }
        let after = try Self.scrape(metricsPort)
        #expect(Self.value(count, in: after) == count0 + 2, "one wait per operation, the retry not counted twice")
        let waited = try #require(Self.value(sum, in: after)) - sum0
        #expect(waited >= 0.6, "the queued check waited \(waited) s in all")
        #expect(try #require(Self.value(fast, in: after)) - fast0 <= 1, "the queued wait is above 0.25 s")
        #expect(Self.value(redisCount, in: after) == redis0 + 2)

        // The exposition passes Prometheus's own linter.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pool-wait-\(metricsPort).txt").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try after.write(toFile: file, atomically: true, encoding: .utf8)
        let (status, output) = try ChildProcess.run(
            "/bin/sh",
            ["-c", "\(PrometheusServer.promtool) check metrics < '\(file)'"]
        )
        #expect(status == 0, "promtool check metrics: \(output)")

        // A worker's exit folds its waits into the totals: the count never goes down.
        let counted = try #require(Self.value(count, in: after))
        let worker = try server.waitForWorkers(1)[0]
        kill(worker, SIGKILL)
        _ = try server.waitForWorkers(1, excluding: [worker])
        try waitFor("the replacement's warm-up") {
            (Self.value(count, in: try Self.scrape(metricsPort)) ?? 0) > counted
        }
    }
}
