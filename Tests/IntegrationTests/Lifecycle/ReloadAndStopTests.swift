import Foundation
import Testing

/// Reload, graceful stop and the supervisor's own death, under real load.
@Suite(.serialized) struct ReloadAndStopTests {
    @Test func sighupUnderLoadReplacesEveryWorkerWithZeroFailures() throws {
        let server = try LifecycleServer(workers: 4)
        defer { server.stop() }
        try server.waitForStatus { ($0["ready"] as? Int) == 4 }
        let old = Set(slotPIDs(try server.status()))
        let keepAlive = LoadGenerator(port: server.port, connections: 6, keepAlive: true)
        let fresh = LoadGenerator(port: server.port, connections: 4, keepAlive: false)
        defer {
            keepAlive.stop()
            fresh.stop()
        }
        #expect(keepAlive.waitForSuccesses(300))
        server.server.send(SIGHUP)
        let took = try server.waitForStatus { status in
            status["generation"] as? Int == 2 && status["phase"] as? String == "running"
                && (status["ready"] as? Int) == 4 && Set(slotPIDs(status)).isDisjoint(with: old)
                && (status["retiring"] as? [Any])?.isEmpty == true
        }
        #expect(keepAlive.waitForSuccesses(300))
        keepAlive.stop()
        fresh.stop()
        print("reload failures: keep-alive \(keepAlive.failures()), new connection per request \(fresh.failures())")
        let failures = keepAlive.failures().merging(fresh.failures(), uniquingKeysWith: +)
        let total = keepAlive.completed + fresh.completed
        print(
            "reload of 4 workers under load: \(String(format: "%.2f", took)) s, \(total) requests, failures: \(failures)"
        )
        #expect(fresh.failures().isEmpty, "\(fresh.failures())")
        #expect(keepAlive.failures().isEmpty, "\(keepAlive.failures())")
        #expect(server.server.log.contains("reload complete"))
    }

    @Test func sigtermUnderLoadAnswersEveryRequestInFlightAndExitsZero() throws {
        let server = try LifecycleServer(workers: 2)
        defer { server.stop() }
        let load = LoadGenerator(port: server.port, connections: 8, keepAlive: true)
        defer { load.stop() }
        #expect(load.waitForSuccesses(300))
        let signalled = Date()
        server.server.send(SIGTERM)
        let status = server.server.waitForExit(timeout: 15)
        load.stop()
        #expect(status == 0, "\(server.server.log)")
        let failures = load.failures(before: signalled)
        print("SIGTERM under load: \(load.completed) requests, failures of requests started before it: \(failures)")
        #expect(failures.isEmpty, "\(failures)")
        #expect(server.server.log.contains("all workers stopped"))
    }

    @Test func secondSigintStopsAtOnce() throws {
        let server = try LifecycleServer(workers: 2, environment: ["SHUTDOWN_TIMEOUT": "60"])
        defer { server.stop() }
        // A connection with a half-sent request keeps the graceful drain waiting.
        let socket = try RawSocket.connect(port: server.port)
        defer { socket.close() }
        try socket.send("GET /health/live HTTP/1.1\r\nHost: x\r\n")
        Thread.sleep(forTimeInterval: 0.2)
        server.server.send(SIGINT)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(server.server.process.isRunning)
        server.server.send(SIGINT)
        #expect(server.server.waitForExit(timeout: 5) == 0)
        #expect(server.server.log.contains("stopping immediately"))
    }

    @Test func sigkillOfTheSupervisorLeavesNoWorkerAliveAfterTwoSeconds() throws {
        let server = try LifecycleServer(workers: 3)
        defer { server.stop() }
        try server.waitForStatus { ($0["ready"] as? Int) == 3 }
        let workers = server.server.workerPIDs()
        #expect(workers.count == 3)
        let load = LoadGenerator(port: server.port, connections: 4, keepAlive: true)
        #expect(load.waitForSuccesses(100))
        kill(server.pid, SIGKILL)
        let killed = Date()
        _ = server.server.waitForExit(timeout: 5)
        var survivors = workers
        while !survivors.isEmpty && Date().timeIntervalSince(killed) < 2 {
            survivors = survivors.filter(isAlive)
            Thread.sleep(forTimeInterval: 0.02)
        }
        load.stop()
        print(
            "workers gone \(String(format: "%.2f", Date().timeIntervalSince(killed))) s after the supervisor's SIGKILL"
        )
        #expect(survivors.isEmpty, "still alive after 2 s: \(survivors)")
        for pid in survivors { kill(pid, SIGKILL) }
    }
}
