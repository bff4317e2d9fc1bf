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
}
