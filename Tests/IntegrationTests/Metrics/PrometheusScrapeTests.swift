import Foundation
import Testing

/// `/metrics` against Debian's real Prometheus: exact counts across a worker `SIGKILL`, a
/// clean `promtool check metrics`, a scrape that never waits on a hung worker, and a bind
/// failure that stops the start.
@Suite(.serialized) struct PrometheusScrapeTests {
    /// The sum of every `http_server_request_duration_seconds_count` sample of an exposition.
    private static func requestCount(_ exposition: String) -> Double {
        exposition.split(separator: "\n")
            .filter { $0.hasPrefix("http_server_request_duration_seconds_count") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0, +)
    }

    private static func scrape(_ port: Int) throws -> String {
        try PrometheusServer.curl(["http://127.0.0.1:\(port)/metrics"])
    }

    @Test func prometheusSeesEveryRequestExactlyAcrossAWorkerKill() throws {
        let metricsPort = TestEnvironment.freePort()
        let server = try ServerProcess(workers: 2, environment: ["METRICS_ADDRESS": "127.0.0.1:\(metricsPort)"])
        defer { server.stop() }
        try server.waitUntilServing()
        let prometheus = try PrometheusServer(scraping: metricsPort)
        defer { prometheus.stop() }
        try prometheus.waitUntilReady()

        // `increase()` extrapolates to the edges of its window and is not exact, so the test
        // compares two instant queries of the summed counter: before and after the traffic.
        let total = "sum(http_server_request_duration_seconds_count)"
        let counted = Self.requestCount(try Self.scrape(metricsPort))  // the readiness probes
        #expect(counted > 0)
        let before = try #require(try prometheus.waitFor(total) { $0 == counted })

        let requests = 400
        let workers = try server.waitForWorkers(2)
        for index in 0..<requests {
            // Between two answered requests, so none is in flight: each one sent is counted.
            if index == requests / 2 { kill(workers[0], SIGKILL) }
            let response = try HTTPClient.get(port: server.port, "/health/live", timeout: 10)
            try #require(response.status == 200, "request \(index): \(response.status)")
        }
        _ = try server.waitForWorkers(2, excluding: [workers[0]])

        let after = try prometheus.waitFor(total) { $0 == before + Double(requests) }
        #expect(
            after == before + Double(requests),
            "Prometheus counted \(String(describing: after)), sent \(before) + \(requests)"
        )
        // The sum never went down at any scrape, although a worker and its counters died.
        #expect(try prometheus.query("resets(\(total)[5m:1s])") == 0)
        let crashes = try prometheus.waitFor(#"sum(saas_api_worker_restarts_total{reason="crash"})"#) { $0 == 1 }
        #expect(crashes == 1)
        let route =
            #"sum(http_server_request_duration_seconds_count{http_route="/health/live",http_request_method="GET",http_response_status_code="200"})"#
        #expect(try prometheus.query(route) == before + Double(requests))

        // The exposition passes Prometheus's own linter.
        let file = prometheus.directory.appendingPathComponent("metrics.txt").path
        try Self.scrape(metricsPort).write(toFile: file, atomically: true, encoding: .utf8)
        let (status, output) = try ChildProcess.run(
            "/bin/sh",
            ["-c", "\(PrometheusServer.promtool) check metrics < '\(file)'"]
        )
        #expect(status == 0, "promtool check metrics: \(output)")
    }

    @Test func scrapeAnswersWhileAWorkerIsStoppedAndNeverWaitsForIt() throws {
        let metricsPort = TestEnvironment.freePort()
        let server = try ServerProcess(workers: 2, environment: ["METRICS_ADDRESS": "127.0.0.1:\(metricsPort)"])
        defer { server.stop() }
        try server.waitUntilServing()
        // Both workers ready first (serving starts with the first one).
        let deadline = Date().addingTimeInterval(15)
        while !(try Self.scrape(metricsPort)).contains(#"saas_api_workers{state="ready"} 2"#) {
            try #require(Date() < deadline, "2 workers never ready:\n\(server.log)")
            Thread.sleep(forTimeInterval: 0.05)
        }
        let victim = try server.waitForWorkers(2)[0]
        kill(victim, SIGSTOP)
        defer { kill(victim, SIGKILL) }
        let started = Date()
        let exposition = try Self.scrape(metricsPort)
        print("scrape with a stopped worker took \(Int(Date().timeIntervalSince(started) * 1000)) ms")
        #expect(exposition.contains("# TYPE http_server_request_duration_seconds histogram"))
        #expect(exposition.contains(#"saas_api_workers{state="ready"} 2"#))
        #expect(exposition.contains(#"saas_api_process_resident_memory_bytes{process="supervisor"}"#))
    }

    @Test func anAddressInUseStopsTheStartWithOneClearLine() throws {
        let metricsPort = TestEnvironment.freePort()
        let blocker = try ServerProcess(workers: 1, environment: ["METRICS_ADDRESS": "127.0.0.1:\(metricsPort)"])
        defer { blocker.stop() }
        try blocker.waitUntilServing()
        let second = try ServerProcess(workers: 1, environment: ["METRICS_ADDRESS": "127.0.0.1:\(metricsPort)"])
        defer { second.stop() }
        #expect(second.waitForExit(timeout: 15) == 1)
        #expect(second.log.contains("cannot listen for metrics on 127.0.0.1:\(metricsPort) (METRICS_ADDRESS)"))
        #expect(second.workerPIDs().isEmpty)
    }

    @Test func traceparentIsContinuedEchoedAndLoggedOnTheRequestsLine() throws {
        let server = try ServerProcess(workers: 1)
        defer { server.stop() }
        try server.waitUntilServing()
        let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let response = try HTTPClient.get(port: server.port, "/health/live", headers: ["traceparent": incoming])
        let echoed = try #require(response.header("traceparent"))
        #expect(echoed.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-") && echoed.hasSuffix("-01"))
        let span = String(echoed.dropFirst(36).prefix(16))
        #expect(span != "00f067aa0ba902b7")
        let invalid = try HTTPClient.get(port: server.port, "/health/live", headers: ["traceparent": "garbage"])
        #expect(invalid.status == 200 && invalid.header("traceparent")?.count == 55)
        try server.waitForLog(span)
        let line = server.logRecords.first { $0["span_id"] as? String == span }
        #expect(line?["trace_id"] as? String == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(line?["http_path"] as? String == "/health/live")
    }
}
