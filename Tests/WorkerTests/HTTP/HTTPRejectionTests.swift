import Testing

@testable import Worker

/// Every malformed or over-limit request gets the envelope with the right status, then the
/// connection closes (the stream cannot be trusted or was not read).
@Suite("HTTP rejections")
struct HTTPRejectionTests {
    /// One hostile or broken request and the answer it must get.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let request: [UInt8]
        let status: Int
        let code: String
        var testDescription: String { self.name }

        init(_ name: String, _ request: String, _ status: Int, _ code: String) {
            self.init(name, Array(request.utf8), status, code)
        }

        init(_ name: String, _ request: [UInt8], _ status: Int, _ code: String) {
            self.name = name
            self.request = request
            self.status = status
            self.code = code
        }
    }

    /// Limits small enough to cross in a test: URL 64, headers 256 bytes, 8 fields, body 16.
    static func smallLimits(_ limits: inout HTTPLimits) {
        limits.maxURLLength = 64
        limits.maxHeaderBytes = 256
        limits.maxHeaderCount = 8
        limits.maxBodySize = 16
    }

    static let cases: [Case] = [
        Case(
            "headers over MAX_HEADER_BYTES",
            "GET /ok HTTP/1.1\r\nHost: x\r\nX-A: \(pad(260))\r\n\r\n",
            431,
            "HEADERS_TOO_LARGE"
        ),
        Case(
            "head over both limits",
            "GET /ok HTTP/1.1\r\nHost: x\r\nX-A: \(pad(400))\r\n\r\n",
            431,
            "HEADERS_TOO_LARGE"
        ),
        Case(
            "more fields than MAX_HEADER_COUNT",
            "GET /ok HTTP/1.1\r\nHost: x\r\n" + fields(9) + "\r\n",
            431,
            "HEADERS_TOO_LARGE"
        ),
        Case("URL over MAX_URL_LENGTH", "GET /\(pad(70)) HTTP/1.1\r\nHost: x\r\n\r\n", 414, "URI_TOO_LONG"),
        Case(
            "Content-Length over MAX_BODY_SIZE",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 17\r\n\r\n",
            413,
            "PAYLOAD_TOO_LARGE"
        ),
        Case(
            "Content-Length beyond Int",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "chunked body over MAX_BODY_SIZE",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n\(pad(16))\r\n1\r\nx\r\n0\r\n\r\n",
            413,
            "PAYLOAD_TOO_LARGE"
        ),
        Case(
            "non-numeric Content-Length",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "negative Content-Length",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "conflicting Content-Length pair",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxy",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "Content-Length with Transfer-Encoding",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "Transfer-Encoding not ending in chunked",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "invalid chunk size",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "NUL in a header value",
            Array("GET /ok HTTP/1.1\r\nHost: x\r\nX-A: a".utf8) + [0] + Array("b\r\n\r\n".utf8),
            400,
            "BAD_REQUEST"
        ),
        Case(
            "control byte in the URL",
            Array("GET /o".utf8) + [1] + Array("k HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
            400,
            "BAD_REQUEST"
        ),
        Case("space in a header name", "GET /ok HTTP/1.1\r\nHost: x\r\nBad Name: x\r\n\r\n", 400, "BAD_REQUEST"),
        Case("header without colon", "GET /ok HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400, "BAD_REQUEST"),
        Case("bare LF in a header line", "GET /ok HTTP/1.1\r\nHost: x\nX-B: y\r\n\r\n", 400, "BAD_REQUEST"),
        // Every line ends in CRLF: a bare LF is a malformed request (400), wherever it is.
        Case("bare LF after the version", "GET /ok HTTP/1.1\nHost: x\r\n\r\n", 400, "BAD_REQUEST"),
        Case("bare LF ending the head", "GET /ok HTTP/1.1\r\nHost: x\n\n", 400, "BAD_REQUEST"),
        Case("bare CR in a header value", "GET /ok HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400, "BAD_REQUEST"),
        Case("obsolete line folding", "GET /ok HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n", 400, "BAD_REQUEST"),
        Case("space before the colon", "GET /ok HTTP/1.1\r\nHost : x\r\n\r\n", 400, "BAD_REQUEST"),
        Case("empty header name", "GET /ok HTTP/1.1\r\nHost: x\r\n: x\r\n\r\n", 400, "BAD_REQUEST"),
        Case("two spaces after the method", "GET  /ok HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BAD_REQUEST"),
        Case("non-ASCII byte in the URL", Array("GET /\u{e9} HTTP/1.1\r\nHost: x\r\n\r\n".utf8), 400, "BAD_REQUEST"),
        // A malformed request line is 400 (RFC 9112 §3); 505 is for a well-formed other version.
        Case("lowercase version", "GET /ok http/1.1\r\n\r\n", 400, "BAD_REQUEST"),
        Case("version with a suffix", "GET /ok HTTP/1.10\r\n\r\n", 400, "BAD_REQUEST"),
        Case(
            "Transfer-Encoding in HTTP/1.0",
            "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "Transfer-Encoding twice",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "Transfer-Encoding with another coding",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "Content-Length with a sign",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\nx",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "Content-Length list",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1, 1\r\n\r\nx",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "chunk size overflow",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000001\r\n",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "chunk without its CRLF",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n",
            400,
            "BAD_REQUEST"
        ),
        Case(
            "endless request line",
            "GET /" + pad(600),
            414,
            "URI_TOO_LONG"
        ),
        Case(
            "endless head",
            "GET /ok HTTP/1.1\r\nHost: x\r\n" + String(repeating: "X-Long: \(pad(40))\r\n", count: 20),
            431,
            "HEADERS_TOO_LARGE"
        ),
        Case("HTTP/0.9 request line", "GET /ok\r\n\r\n", 505, "HTTP_VERSION_NOT_SUPPORTED"),
        Case("unknown method", "FOO /ok HTTP/1.1\r\nHost: x\r\n\r\n", 501, "NOT_IMPLEMENTED"),
        Case("garbage request line", "\u{7}\u{1}GARBAGE\r\n\r\n", 400, "BAD_REQUEST"),
        Case("lowercase method", "get /ok HTTP/1.1\r\nHost: x\r\n\r\n", 501, "NOT_IMPLEMENTED"),
        Case("TRACE", "TRACE /ok HTTP/1.1\r\nHost: x\r\n\r\n", 501, "NOT_IMPLEMENTED"),
        Case("HTTP/2.0 request line", "GET /ok HTTP/2.0\r\n\r\n", 505, "HTTP_VERSION_NOT_SUPPORTED"),
        Case("HTTP/3.1 request line", "GET /ok HTTP/3.1\r\n\r\n", 505, "HTTP_VERSION_NOT_SUPPORTED"),
        Case("dot-dot segment", "GET /a/../ok HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BAD_REQUEST"),
        Case("encoded dot-dot segment", "GET /a/%2E%2e/ok HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BAD_REQUEST"),
        Case("trailing dot segment", "GET /ok/. HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BAD_REQUEST"),
        Case("asterisk-form", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BAD_REQUEST"),
        Case("relative target", "GET ok HTTP/1.1\r\nHost: x\r\n\r\n", 400, "BAD_REQUEST"),
    ]

    @Test(arguments: Self.cases)
    func rejectsWithTheEnvelopeAndCloses(_ testCase: Case) throws {
        let harness = try HTTPHarness(adjust: Self.smallLimits)
        try harness.send(bytes: testCase.request)
        harness.runPending()
        let responses = try harness.responses()
        try #require(responses.count == 1, "\(responses.map(\.status))")
        let response = responses[0]
        #expect(response.status == testCase.status)
        #expect(response.errorCode == testCase.code)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("X-Request-Id")?.isEmpty == false)
        #expect(response.header("Connection") == "close")
        #expect(!harness.isOpen)
        #expect(harness.services.counters.inFlight == 0)
    }

    @Test func connectIs501WithTheEnvelopeAndClose() throws {
        let harness = try HTTPHarness()
        let response = try harness.exchange("CONNECT example.com:443 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(response.status == 501)
        #expect(response.errorCode == "NOT_IMPLEMENTED")
        #expect(response.header("X-Request-Id") != nil)
        #expect(!harness.isOpen)
    }

    @Test func dotsThatAreNotSegmentsAreRouted() throws {
        let harness = try HTTPHarness()
        #expect(try harness.exchange("GET /a/.../b.c/..d HTTP/1.1\r\nHost: x\r\n\r\n").status == 404)
        #expect(harness.isOpen)
    }

    @Test func limitsAreInclusive() throws {
        let harness = try HTTPHarness(adjust: Self.smallLimits)
        let url = "/" + String(repeating: "u", count: 63)
        #expect(try harness.exchange("GET \(url) HTTP/1.1\r\nHost: x\r\n\r\n").status == 404)
        let body = String(repeating: "b", count: 16)
        #expect(
            try harness.exchange("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\n\(body)").status == 200
        )
        #expect(try harness.exchange("GET /ok HTTP/1.1\r\nHost: x\r\n" + Self.fields(7) + "\r\n").status == 200)
        #expect(harness.isOpen)
    }

    static func pad(_ count: Int) -> String { String(repeating: "a", count: count) }

    static func fields(_ count: Int) -> String {
        (0..<count).map { "X-F\($0): v\r\n" }.joined()
    }
}
