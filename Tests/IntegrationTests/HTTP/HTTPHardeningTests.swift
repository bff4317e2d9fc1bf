import Foundation
import Testing

/// Every malformed, hostile or over-limit request against the real binary over raw sockets:
/// each gets its status and the JSON envelope with `Content-Type` and `X-Request-Id`, the
/// connection closes when the stream cannot be trusted, and `/health/live` answers afterwards.
@Suite("HTTP hardening", .serialized, .timeLimit(.minutes(3)))
final class HTTPHardeningTests {
    /// Small limits, so every case crosses one with little traffic.
    static let environment = [
        "MAX_URL_LENGTH": "1024", "MAX_HEADER_BYTES": "2048", "MAX_HEADER_COUNT": "30", "MAX_BODY_SIZE": "1024",
        "HEADER_TIMEOUT_MS": "800", "BODY_TIMEOUT_MS": "800", "KEEPALIVE_TIMEOUT_MS": "1500",
    ]

    struct Case: Sendable {
        let name: String
        let request: [UInt8]
        let status: Int
        let code: String?
        /// Sent in this many pieces, one every `pause` seconds (slow clients).
        var pieces = 1
        var pause = 0.0

        init(_ name: String, _ request: String, _ status: Int, _ code: String?) {
            self.init(name, Array(request.utf8), status, code)
        }

        init(_ name: String, _ request: [UInt8], _ status: Int, _ code: String?) {
            self.name = name
            self.request = request
            self.status = status
            self.code = code
        }
    }

    static let cases: [Case] = {
        let get = "GET /health/live HTTP/1.1\r\nHost: t\r\n"
        var slowHead = Case(
            "head trickling past HEADER_TIMEOUT_MS",
            get + "X-Slow: 1\r\nX-Slower: 2\r\n",
            408,
            "REQUEST_TIMEOUT"
        )
        slowHead.pieces = 6
        slowHead.pause = 0.25
        let huge = String(repeating: "h", count: 100_000)
        return [
            Case("unknown route", "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 404, "NOT_FOUND"),
            Case(
                "method not allowed",
                "DELETE /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                405,
                "METHOD_NOT_ALLOWED"
            ),
            Case(
                "headers over MAX_HEADER_BYTES",
                get + "X-Big: \(String(repeating: "b", count: 2100))\r\n\r\n",
                431,
                "HEADERS_TOO_LARGE"
            ),
            Case(
                "fields over MAX_HEADER_COUNT",
                get + (0..<31).map { "X-\($0): v\r\n" }.joined() + "\r\n",
                431,
                "HEADERS_TOO_LARGE"
            ),
            Case("100 kB header", get + "X-Huge: \(huge)\r\n\r\n", 431, "HEADERS_TOO_LARGE"),
            Case(
                "URL over MAX_URL_LENGTH",
                "GET /\(String(repeating: "u", count: 1100)) HTTP/1.1\r\nHost: x\r\n\r\n",
                414,
                "URI_TOO_LONG"
            ),
            // Refused while the request line is still arriving, as what it is: a URL too long.
            Case("100 kB URL", "GET /\(huge) HTTP/1.1\r\nHost: x\r\n\r\n", 414, "URI_TOO_LONG"),
            Case(
                "Content-Length over MAX_BODY_SIZE",
                "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n",
                413,
                "PAYLOAD_TOO_LARGE"
            ),
            Case(
                "chunked body over MAX_BODY_SIZE",
                "POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n\(String(repeating: "c", count: 2048))\r\n0\r\n\r\n",
                413,
                "PAYLOAD_TOO_LARGE"
            ),
            Case(
                "non-numeric Content-Length",
                "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 12a\r\n\r\n",
                400,
                "BAD_REQUEST"
            ),
            Case(
                "Content-Length and Transfer-Encoding",
                "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                400,
                "BAD_REQUEST"
            ),
            Case(
                "two Content-Lengths",
                "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 3\r\n\r\nabc",
                400,
                "BAD_REQUEST"
            ),
            Case(
                "invalid chunk size",
                "POST /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\nabc\r\n0\r\n\r\n",
                400,
                "BAD_REQUEST"
            ),
            Case("NUL in a header", Array((get + "X-N: a").utf8) + [0] + Array("b\r\n\r\n".utf8), 400, "BAD_REQUEST"),
            Case(
                "escape byte in the URL",
                Array("GET /he".utf8) + [0x1B] + Array("alth HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                400,
                "BAD_REQUEST"
            ),
            Case("garbage request line", "\u{7}\u{1}GARBAGE\r\n\r\n", 400, "BAD_REQUEST"),
            Case("unknown method", "BREW /health HTTP/1.1\r\nHost: x\r\n\r\n", 501, "NOT_IMPLEMENTED"),
            Case("TRACE", "TRACE /health HTTP/1.1\r\nHost: x\r\n\r\n", 501, "NOT_IMPLEMENTED"),
            Case("HTTP/2.0 request line", "GET /health HTTP/2.0\r\n\r\n", 505, "HTTP_VERSION_NOT_SUPPORTED"),
            Case("dot-dot path", "GET /health/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BAD_REQUEST"),
            Case("encoded dot-dot path", "GET /%2e%2e/health HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BAD_REQUEST"),
            Case(
                "unknown expectation",
                "POST /health HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx",
                417,
                "EXPECTATION_FAILED"
            ),
            slowHead,
        ]
    }()

    let server: ServerProcess

    init() throws {
        self.server = try ServerProcess(workers: 1, environment: Self.environment)
        try self.server.waitUntilServing()
    }

    deinit { self.server.stop() }

    /// One server for the whole table (a server per case would cost a start each).
    @Test func everyHostileRequestGetsTheEnvelope() throws {
        for testCase in Self.cases {
            try self.check(testCase)
        }
    }

    private func check(_ testCase: Case) throws {
        let name = Comment(rawValue: testCase.name)
        let result = try RawExchange.run(
            port: self.server.port,
            testCase.request,
            pieces: testCase.pieces,
            pause: testCase.pause,
            wait: 3
        )
        guard result.responses.count == 1, let response = result.responses.first else {
            Issue.record("\(testCase.name): \(result.responses.count) responses, \(result.leftover.count) stray bytes")
            return
        }
        #expect(response.status == testCase.status, name)
        #expect(response.errorCode == testCase.code, name)
        #expect(response.header("Content-Type") == "application/json", name)
        #expect(response.header("X-Request-Id")?.isEmpty == false, name)
        #expect(response.header("X-Content-Type-Options") == "nosniff", name)
        #expect(response.header("Server") == nil, name)
        #expect(result.leftover.isEmpty, name)
        #expect(result.closedByServer, name)
        #expect(try HTTPClient.get(port: self.server.port, "/health/live").status == 200, name)
    }

    @Test func bodyOverTheLimitIsAnsweredNotReset() throws {
        // The client keeps sending a 4 MB body it announced; it must still read the 413.
        let socket = try RawSocket.connect(port: self.server.port, timeout: 5)
        defer { socket.close() }
        try socket.send("POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 4194304\r\n\r\n")
        _ = try? socket.send([UInt8](repeating: 0x61, count: 1 << 20))
        let response = try socket.readResponse()
        #expect(response.status == 413)
        #expect(response.errorCode == "PAYLOAD_TOO_LARGE")
    }

    @Test func keepAlivePipeliningAndOrder() throws {
        let socket = try RawSocket.connect(port: self.server.port)
        defer { socket.close() }
        let paths = ["/health/live", "/nope", "/health", "/health/live", "/x/../y"]
        try socket.send(
            paths.enumerated().map { "GET \($1) HTTP/1.1\r\nHost: x\r\nX-Request-Id: p\($0)\r\n\r\n" }.joined()
        )
        var responses: [HTTPResponse] = []
        var data: [UInt8] = []
        while responses.count < paths.count {
            let chunk = try socket.receive()
            guard !chunk.isEmpty else { break }
            data += chunk
            let parsed = RawExchange.parse(data, closed: false)
            responses = parsed.responses
        }
        #expect(responses.map(\.status) == [200, 404, 200, 200, 400])
        #expect(responses.map { $0.header("X-Request-Id") ?? "" } == ["p0", "p1", "p2", "p3", "p4"])
    }

    @Test func http10HeadAndContinue() throws {
        let old = try RawExchange.run(port: self.server.port, "GET /health/live HTTP/1.0\r\n\r\n")
        #expect(old.responses.first?.status == 200)
        #expect(old.responses.first?.header("Connection") == "close")
        #expect(old.closedByServer)

        let head = try HTTPClient.request(port: self.server.port, method: "HEAD", "/health/live")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.header("Content-Length") == "15")

        let socket = try RawSocket.connect(port: self.server.port)
        defer { socket.close() }
        try socket.send("POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        #expect(try socket.readResponse().status == 100)
        try socket.send("{}")
        let final = try socket.readResponse()
        #expect(final.status == 405)
        #expect(final.header("Allow") == "GET, HEAD")
    }

    @Test func idleKeepAliveConnectionIsClosedSilently() throws {
        let result = try RawExchange.run(
            port: self.server.port,
            "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n",
            wait: 4
        )
        #expect(result.responses.map(\.status) == [200])
        #expect(result.leftover.isEmpty)
        #expect(result.closedByServer)
    }
}
