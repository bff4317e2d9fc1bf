import Foundation
import Testing

/// `/health/ready` and the load-balancer-aware drain, against the real binary: readiness 503
/// at once on `SIGTERM`, every request still served during `DRAIN_DELAY` (with
/// `Connection: close`, idle keep-alive connections included), then the drain of today.
@Suite("Drain delay", .timeLimit(.minutes(2)))
struct DrainDelayTests {
    @Test("GET /health/ready is 200 ready while serving, without touching any dependency")
    func readyWhileServing() throws {
        let server = try ServerProcess(workers: 2, environment: TestEnvironment.unreachableDependencies())
        try server.waitUntilServing()
        for _ in 0..<4 {
            let ready = try HTTPClient.get(port: server.port, "/health/ready")
            #expect(ready.status == 200)
            #expect(ready.text == #"{"status":"ready"}"#)
            #expect(ready.header("Content-Type") == "application/json")
        }
        // A database blip shared by every host must not take them all out of the balancer.
        #expect(try HTTPClient.get(port: server.port, "/health").status == 503)
    }

    @Test("SIGTERM with DRAIN_DELAY: readiness 503 at once, every request served with Connection: close, then exit 0")
    func drainDelayServesWithReadinessDown() throws {
        let server = try ServerProcess(workers: 1, environment: ["DRAIN_DELAY": "3", "SHUTDOWN_TIMEOUT": "5"])
        try server.waitUntilServing()
        // The supervisor has seen `ready` (a worker still starting drains without the delay).
        try server.waitForLog("workers ready")
        // A keep-alive connection that is idle when the drain begins.
        let idle = try RawSocket.connect(port: server.port)
        defer { idle.close() }
        try idle.send("GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n")
        let first = try idle.readResponse()
        #expect(first.status == 200 && first.header("Connection") == nil)

        let stopped = Date()
        server.send(SIGTERM)
        try waitFor("readiness to turn 503", timeout: 2) {
            try HTTPClient.get(port: server.port, "/health/ready").status == 503
        }
        let ready = try HTTPClient.get(port: server.port, "/health/ready")
        #expect(ready.status == 503)
        #expect(ready.text == #"{"status":"draining"}"#)

        // Other requests still get answers, on new connections and on the idle one.
        let live = try HTTPClient.get(port: server.port, "/health/live")
        #expect(live.status == 200)
        #expect(live.header("Connection") == "close")
        let health = try HTTPClient.get(port: server.port, "/health")
        #expect(health.status == 503)
        #expect(try health.json()["status"] as? String == "draining")
        #expect(try health.json()["db"] as? String == "connected")
        try idle.send("GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n")
        let last = try idle.readResponse()
        #expect(last.status == 200)
        #expect(last.header("Connection") == "close")
        #expect(try idle.receive().isEmpty, "the server closes the connection after that response")
        #expect(Date().timeIntervalSince(stopped) < 3, "all of this happened within the delay")

        #expect(server.waitForExit(timeout: 15) == 0)
        #expect(Date().timeIntervalSince(stopped) >= 3, "the worker served for the whole DRAIN_DELAY")
        #expect(server.log.contains("leaving the load balancer"))
        #expect(server.log.contains("3000 ms drain delay"))
    }

    @Test("SIGHUP reload with DRAIN_DELAY keeps readiness 200: only a stopping service leaves the balancer")
    func reloadKeepsReadiness() throws {
        let server = try ServerProcess(workers: 1, environment: ["DRAIN_DELAY": "5"])
        try server.waitUntilServing()
        try server.waitForLog("workers ready")
        let old = try server.waitForWorkers(1)
        server.send(SIGHUP)
        let deadline = Date().addingTimeInterval(10)
        var notReady = 0
        while Date() < deadline && !server.log.contains("reload complete") {
            if try HTTPClient.get(port: server.port, "/health/ready").status != 200 { notReady += 1 }
        }
        #expect(server.log.contains("reload complete"))
        #expect(notReady == 0)
        _ = try server.waitForWorkers(1, excluding: Set(old))
        #expect(try HTTPClient.get(port: server.port, "/health/ready").status == 200)
    }
}
