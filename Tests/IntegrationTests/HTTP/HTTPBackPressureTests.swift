import Foundation
import Testing

/// Clients that pipeline bursts of tiny requests without reading the answers cost the worker
/// a bounded amount of memory each: responses are flushed past 64 KiB and no further request
/// is handled while the client does not read.
@Suite("HTTP back-pressure", .serialized, .timeLimit(.minutes(2)))
struct HTTPBackPressureTests {
    @Test func pipelinersThatDoNotReadStayBounded() throws {
        let server = try ServerProcess(workers: 1)
        try server.waitUntilServing()
        let worker = try #require(try server.waitForWorkers(1).first)
        // The worker opens its first PostgreSQL and Redis connections in the background after
        // it starts serving (pool threads, libpq and hiredis buffers: ~2.7 MB): a baseline taken
        // before they are open measures them too. `/health` uses both pools, so they are open.
        _ = try HTTPClient.get(port: server.port, "/health")
        let before = procStatus(worker, "VmRSS:")
        // 16000 requests (600 kB) a connection, whose answers (2.7 MB) nobody reads.
        let burst = Array(String(repeating: "GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n", count: 16000).utf8)
        let connections = 24
        var sockets: [RawSocket] = []
        defer { for socket in sockets { socket.close() } }
        for _ in 0..<connections {
            let socket = try RawSocket.connect(port: server.port, timeout: 0.3)
            _ = try? socket.send(burst)  // stops at the send timeout once the server stops reading
            sockets.append(socket)
        }
        Thread.sleep(forTimeInterval: 1)
        let grown = procStatus(worker, "VmRSS:") - before
        // Per connection: about a read burst of input and twice the output bound (about 130 kB
        // measured), not the answers to a whole read burst (about 500 kB measured before the
        // bound).
        #expect(grown < connections * 256, "RSS grew by \(grown) kB for \(connections) connections")
        #expect(try HTTPClient.get(port: server.port, "/health/live").status == 200)
    }

    /// Answers the worker's socket cannot take at once (the client reads nothing for a while)
    /// go through the channel (`DirectOutput` falls back), later ones wait behind them: every
    /// answer arrives once, whole and in order, and the connection is served directly again.
    @Test func answersTheSocketCannotTakeArriveWholeAndInOrder() throws {
        let server = try ServerProcess(workers: 1)
        try server.waitUntilServing()
        let socket = try RawSocket.connect(port: server.port, timeout: 20)
        defer { socket.close() }
        // ~3 MB of answers: far beyond what the kernel buffers on loopback for an unread socket.
        let count = 12000
        let requests = (0..<count).map { "GET /health/live HTTP/1.1\r\nHost: t\r\nX-Request-Id: q\($0)\r\n\r\n" }
        let burst = Array(requests.joined().utf8)
        let sender = Thread { try? socket.send(burst) }
        sender.start()
        Thread.sleep(forTimeInterval: 1)  // nobody reads: the worker's writes hit a full socket
        var ids: [Int] = []
        ids.reserveCapacity(count)
        var statusOK = 0
        var bodies = 0
        var pending: [UInt8] = []
        let marker = Array("\r\nX-Request-Id: q".utf8)
        let status = Array("HTTP/1.1 200 OK\r\n".utf8)
        let body = Array(#"{"status":"ok"}"#.utf8)
        while ids.count < count {
            let chunk = try socket.receive()
            guard !chunk.isEmpty else { break }
            pending += chunk
            // Whole responses, each ending with its body, from `start` on.
            var start = 0
            while let end = Self.range(of: body, in: pending, from: start) {
                let response = pending[start..<end.upperBound]
                if response.starts(with: status) { statusOK += 1 }
                if let mark = Self.range(of: marker, in: pending, from: start), mark.upperBound < end.lowerBound {
                    let digits = pending[mark.upperBound...].prefix { $0 >= 48 && $0 <= 57 }
                    ids.append(Int(String(decoding: digits, as: UTF8.self)) ?? -1)
                }
                bodies += 1
                start = end.upperBound
            }
            pending.removeFirst(start)
        }
        #expect(ids.count == count)
        #expect(ids == Array(0..<count), "answers out of order or lost")
        #expect(statusOK == count)
        #expect(bodies == count)
        #expect(pending.isEmpty, "\(pending.count) bytes after the last answer")
        // The same connection still answers.
        try socket.send("GET /health/live HTTP/1.1\r\nHost: t\r\nX-Request-Id: last\r\n\r\n")
        let last = try socket.readResponse()
        #expect(last.status == 200)
        #expect(last.header("X-Request-Id") == "last")
    }

    static func range(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Range<Int>? {
        var index = start
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0] && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index..<(index + needle.count)
            }
            index += 1
        }
        return nil
    }
}
