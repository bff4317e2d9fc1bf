import Foundation
import Testing

/// Slow and numerous clients cannot starve a normal one: trickled heads are cut off with 408,
/// and beyond `MAX_CONNECTIONS` new connections wait in the backlog instead of being served
/// at the expense of the open ones.
@Suite("HTTP slow clients", .serialized, .timeLimit(.minutes(2)))
struct HTTPSlowClientTests {
    @Test func tricklingConnectionsDoNotSlowHealth() throws {
        let server = try ServerProcess(workers: 1, environment: ["HEADER_TIMEOUT_MS": "3000"])
        try server.waitUntilServing()
        // Baseline: the same probe with nobody else connected (debug build, shared machine).
        var baseline: [Double] = []
        for _ in 0..<10 {
            let probe = Date()
            _ = try HTTPClient.get(port: server.port, "/health", timeout: 5)
            baseline.append(Date().timeIntervalSince(probe))
        }
        baseline.sort()
        let head = Array("GET /health/live HTTP/1.1\r\nHost: slow\r\nX-Trickle: abcdefghijklmnopqrstuvwxyz\r\n".utf8)
        var slow: [RawSocket] = []
        defer { for socket in slow { socket.close() } }
        for _ in 0..<300 { slow.append(try RawSocket.connect(port: server.port, timeout: 5)) }

        // A thread trickles one byte per connection every 100 ms (spread over the interval,
        // as independent clients would), while a normal client probes /health.
        let sockets = slow
        let trickling = Thread {
            for byte in head {
                for socket in sockets {
                    _ = try? socket.send([byte])
                    Thread.sleep(forTimeInterval: 0.1 / Double(sockets.count))
                }
                if Thread.current.isCancelled { return }
            }
        }
        trickling.start()
        defer { trickling.cancel() }
        var latencies: [Double] = []
        let started = Date()
        while Date().timeIntervalSince(started) < 2.5 {
            let probe = Date()
            let response = try HTTPClient.get(port: server.port, "/health", timeout: 5)
            latencies.append(Date().timeIntervalSince(probe))
            #expect(response.status == 200)
            Thread.sleep(forTimeInterval: 0.05)
        }
        trickling.cancel()
        latencies.sort()
        let median = latencies[latencies.count / 2]
        #expect(median < baseline[5] * 3 + 0.05, "median \(median) s, \(baseline[5]) s without slow clients")
        #expect(latencies.last! < 0.5, "slowest \(latencies.last!) s")

        // Past HEADER_TIMEOUT_MS every trickler has its 408 and is closed.
        Thread.sleep(forTimeInterval: 1.0)
        for socket in slow.prefix(20) {
            let response = try socket.readResponse()
            #expect(response.status == 408)
            #expect(response.errorCode == "REQUEST_TIMEOUT")
        }
    }

    @Test func connectionsBeyondTheLimitWaitInTheBacklog() throws {
        let server = try ServerProcess(
            workers: 1,
            environment: ["MAX_CONNECTIONS": "8", "KEEPALIVE_TIMEOUT_MS": "30000"]
        )
        try server.waitUntilServing()
        Thread.sleep(forTimeInterval: 0.2)  // the readiness probe's connection is closed
        var open: [RawSocket] = []
        defer { for socket in open { socket.close() } }
        for index in 0..<8 {
            let socket = try RawSocket.connect(port: server.port)
            try socket.send("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-Id: keep-\(index)\r\n\r\n")
            #expect(try socket.readResponse().status == 200)
            open.append(socket)
        }

        // The ninth connects (the kernel's backlog) but is not served while eight are open.
        let waiting = try RawSocket.connect(port: server.port, timeout: 0.7)
        defer { waiting.close() }
        try waiting.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect((try? waiting.receive()) == nil, "served beyond MAX_CONNECTIONS")

        open.removeFirst().close()
        waiting.setTimeout(10)  // served once a slot frees; generous for a loaded CI machine
        let response = try waiting.readResponse()
        #expect(response.status == 200)
        #expect(server.log.contains("connection limit reached"))
    }
}
