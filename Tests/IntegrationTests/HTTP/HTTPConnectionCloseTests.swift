import Foundation
import Testing

/// The server's closes through the real binary: after a last response it shuts its output and
/// drains what the client still sends, so the client reads the response and an orderly end
/// instead of a reset (RFC 9112 §9.6).
@Suite("HTTP connection close", .serialized, .timeLimit(.minutes(2)))
final class HTTPConnectionCloseTests {
    let server: ServerProcess

    init() throws {
        self.server = try ServerProcess(workers: 1)
        try self.server.waitUntilServing()
    }

    deinit { self.server.stop() }

    @Test(arguments: [
        "GET /health/live HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        "GET /health/live HTTP/1.0\r\n\r\n",
        "GET /health/live HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999\r\n\r\n",
    ])
    func lastResponseIsNotResetByUnreadInput(request: String) throws {
        let socket = try RawSocket.connect(port: self.server.port, timeout: 10)
        defer { socket.close() }
        // The request and, in the same stream, more than the server reads at once and more than
        // the sockets buffer: still arriving after the server answered. A server that closes
        // with this input unread resets the connection, and the send fails.
        let sent =
            (try? socket.send(Array(request.utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 16 << 20))) != nil
        #expect(sent, "the server reset the connection while the client was still sending")
        var data: [UInt8] = []
        var failure: String?
        while true {
            do {
                let chunk = try socket.receive()
                if chunk.isEmpty { break }
                data += chunk
            } catch {
                failure = "\(error)"
                break
            }
        }
        #expect(failure == nil, "the connection ended in \(failure ?? "") after \(data.count) bytes")
        let response = try #require(HTTPResponse.parse(data))
        #expect([200, 413].contains(response.status))
        #expect(response.header("Connection") == "close")
    }

    /// A client that shuts its side right after its requests (`shutdown(SHUT_WR)`, as `nc -N`
    /// or an HTTP/1.0 tool does) still gets every answer, including one a handler makes off the
    /// event loop (`/health` asks PostgreSQL and Redis), then the server's close.
    @Test(arguments: [
        ["/health"],
        ["/health/live", "/health", "/health/live"],
    ])
    func aClientThatShutsItsSideGetsEveryAnswer(paths: [String]) throws {
        let socket = try RawSocket.connect(port: self.server.port, timeout: 10)
        defer { socket.close() }
        let requests = paths.map { "GET \($0) HTTP/1.1\r\nHost: t\r\n\r\n" }.joined()
        _ = try socket.send(Array(requests.utf8))
        shutdown(socket.fd, Int32(SHUT_WR))
        var data: [UInt8] = []
        var failure: String?
        while true {
            do {
                let chunk = try socket.receive()
                if chunk.isEmpty { break }  // the server's close
                data += chunk
            } catch {
                failure = "\(error)"  // a timeout: the server kept the connection open
                break
            }
        }
        #expect(failure == nil, "no orderly close after the answers: \(failure ?? "")")
        var statuses: [Int] = []
        var rest = data
        while let response = HTTPResponse.parse(rest) {
            statuses.append(response.status)
            rest = response.rest
        }
        #expect(statuses.count == paths.count, "answers: \(statuses) to \(paths)")
        #expect(statuses.allSatisfy { $0 == 200 || $0 == 503 })
        #expect(rest.isEmpty)
    }
}
