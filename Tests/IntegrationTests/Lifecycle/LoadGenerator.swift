import Foundation

/// Concurrent HTTP load from the test itself: `connections` threads, each sending
/// `GET /health/live` back to back (keep-alive, or a new connection per request), counting
/// every failure by kind. A response with `Connection: close` is no failure: the client just
/// reconnects, as real clients do.
final class LoadGenerator: @unchecked Sendable {
    /// One request's fate.
    struct Outcome {
        let started: Date
        let failure: String?
    }

    let port: Int
    let keepAlive: Bool
    private let lock = NSLock()
    private var stopping = false
    private var outcomes: [Outcome] = []
    private var running = 0

    /// Starts `connections` client threads against `port`.
    init(port: Int, connections: Int, keepAlive: Bool = true) {
        self.port = port
        self.keepAlive = keepAlive
        self.running = connections
        for _ in 0..<connections {
            let thread = Thread { [self] in self.clientLoop() }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Stops the threads and waits for them to finish their current request.
    func stop() {
        self.lock.withLock { self.stopping = true }
        while self.lock.withLock({ self.running }) > 0 { Thread.sleep(forTimeInterval: 0.005) }
    }

    /// Requests finished so far.
    var completed: Int { self.lock.withLock { self.outcomes.count } }

    /// Successful requests so far.
    var succeeded: Int { self.lock.withLock { self.outcomes.count { $0.failure == nil } } }

    /// Failures so far, by kind (`connect: Connection refused`, `status 503`, …), optionally
    /// only for requests started before `before`.
    func failures(before: Date = .distantFuture) -> [String: Int] {
        self.lock.withLock {
            var counts: [String: Int] = [:]
            for outcome in self.outcomes where outcome.started < before {
                if let failure = outcome.failure { counts[failure, default: 0] += 1 }
            }
            return counts
        }
    }

    /// Waits until `count` more requests succeeded (the service is serving), up to `timeout`.
    func waitForSuccesses(_ count: Int, timeout: Double = 10) -> Bool {
        let target = self.succeeded + count
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if self.succeeded >= target { return true }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return false
    }

    private func clientLoop() {
        defer { self.lock.withLock { self.running -= 1 } }
        var socket: RawSocket?
        while !self.lock.withLock({ self.stopping }) {
            let started = Date()
            var failure: String?
            do {
                if socket == nil { socket = try RawSocket.connect(port: self.port, timeout: 10) }
                let connection = socket!
                let close = self.keepAlive ? "" : "Connection: close\r\n"
                try connection.send("GET /health/live HTTP/1.1\r\nHost: localhost\r\n\(close)\r\n")
                let response = try connection.readResponse()
                if !(200..<300).contains(response.status) { failure = "status \(response.status)" }
                if !self.keepAlive || response.header("Connection")?.lowercased() == "close" {
                    connection.close()
                    socket = nil
                }
            } catch {
                failure = Self.kind(of: error)
                socket?.close()
                socket = nil
            }
            self.lock.withLock { self.outcomes.append(Outcome(started: started, failure: failure)) }
        }
        socket?.close()
    }

    /// The error without the port number, so kinds can be counted.
    private static func kind(of error: Error) -> String {
        let text = "\(error)"
        if text.hasPrefix("connect to") {
            return "connect: " + (text.split(separator: ":").last.map(String.init) ?? text)
        }
        if text.hasPrefix("connection closed") { return "closed mid-response" }
        return text
    }
}
