import NIOCore
import Testing

@testable import Worker

/// The RFC 9112 rules the server once missed: empty lines before a request, `Host`, malformed
/// request lines, the close after a last response, the output bound of a pipelined burst, and
/// the grammar of chunk extensions and trailer fields.
@Suite("HTTP conformance")
struct HTTPConformanceTests {
    /// A request and the status it must get.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let request: String
        let status: Int
        /// The body a 200 must echo (`/echo`), if any.
        var echo: String?
        var testDescription: String { self.name }

        init(_ name: String, _ request: String, _ status: Int) {
            self.name = name
            self.request = request
            self.status = status
        }

        /// A chunked `POST /echo` with `body` after its head.
        static func chunked(_ name: String, _ body: String, _ status: Int) -> Case {
            var chunked = Case(
                name,
                "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body,
                status
            )
            chunked.echo = status == 200 ? "abc" : nil
            return chunked
        }
    }

    @Test func emptyLinesBeforeTheRequestLineCountTowardTheHeadLimit() throws {
        let harness = try HTTPHarness(adjust: HTTPRejectionTests.smallLimits)
        let piece = Array(String(repeating: "\r\n", count: 256).utf8)
        for _ in 0..<64 where harness.isOpen {
            try harness.send(bytes: piece)
            harness.runPending()
        }
        let responses = try harness.responses()
        #expect(responses.map(\.status) == [400])
        #expect(responses.first?.errorCode == "BAD_REQUEST")
        #expect(!harness.isOpen)
    }

    /// `Host` (RFC 9112 §3.2), the request line (§3: malformed is 400, an unknown method 501,
    /// a well-formed other version 505), chunk extensions and trailers (§7.1).
    static let cases: [Case] = [
        Case("HTTP/1.1 without Host", "GET /ok HTTP/1.1\r\n\r\n", 400),
        Case("two Host fields", "GET /ok HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
        Case("Host with a space", "GET /ok HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        Case("Host with a path and userinfo", "GET /ok HTTP/1.1\r\nHost: x/y@z\r\n\r\n", 400),
        Case("two Host fields in HTTP/1.0", "GET /ok HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        Case("absolute-form with an empty host", "GET http:///ok HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        Case("absolute-form with userinfo", "GET http://u@h/ok HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        Case("HTTP/1.0 without Host", "GET /ok HTTP/1.0\r\n\r\n", 200),
        Case("Host with a port", "GET /ok HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", 200),
        Case("Host as an IPv6 literal", "GET /ok HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", 200),
        Case("empty Host", "GET /ok HTTP/1.1\r\nHost:\r\n\r\n", 200),
        Case("absolute-form", "GET http://h:80/ok HTTP/1.1\r\nHost: h:80\r\n\r\n", 200),
        Case("one token", "HELLO\r\nHost: x\r\n\r\n", 400),
        Case("tab after the method", "GET\t/ok HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        Case("tab before the version", "GET /ok\tHTTP/1.1\r\nHost: x\r\n\r\n", 400),
        Case("two spaces before the version", "GET /ok  HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        Case("space after the version", "GET /ok HTTP/1.1 \r\nHost: x\r\n\r\n", 400),
        Case("leading space", " GET /ok HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        Case("leading CR", "\rGET /ok HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        Case("bare CR in the target", "GET /o\rk HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        Case("bare CR in the version", "GET /ok HTTP/1\r.1\r\nHost: x\r\n\r\n", 400),
        Case("lowercase version", "GET /ok http/1.1\r\nHost: x\r\n\r\n", 400),
        Case("fragment", "GET /ok#top HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        Case("fragment after the query", "GET /ok?a=1#top HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        Case("unknown method", "BREW /ok HTTP/1.1\r\nHost: x\r\n\r\n", 501),
        Case("HTTP/2.0", "GET /ok HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        Case("HTTP/1.2 is served as 1.1", "GET /ok HTTP/1.2\r\nHost: x\r\n\r\n", 200),
        // Chunk extensions and trailer fields.
        .chunked("extension with a token value", "3;name=value\r\nabc\r\n0\r\n\r\n", 200),
        .chunked("extensions with spaces and a quoted value", "3 ; a = \"q\\\"x;\" ; b\r\nabc\r\n0;c\r\n\r\n", 200),
        .chunked("trailer field", "3\r\nabc\r\n0\r\nX-T: v 1\r\nX-U:\r\n\r\n", 200),
        .chunked("empty extension name", "3;\r\nabc\r\n0\r\n\r\n", 400),
        .chunked("extension name with a bad byte", "3;a@b\r\nabc\r\n0\r\n\r\n", 400),
        .chunked("extension without its value", "3;a=\r\nabc\r\n0\r\n\r\n", 400),
        .chunked("extension value with a bad byte", "3;a=@\r\nabc\r\n0\r\n\r\n", 400),
        .chunked("two names", "3;a b\r\nabc\r\n0\r\n\r\n", 400),
        .chunked("unterminated quoted value", "3;a=\"x\r\nabc\r\n0\r\n\r\n", 400),
        .chunked("value without a name", "3;=x\r\nabc\r\n0\r\n\r\n", 400),
        .chunked("trailer without a colon", "3\r\nabc\r\n0\r\nNoColon\r\n\r\n", 400),
        .chunked("trailer name with a space", "3\r\nabc\r\n0\r\nX T: v\r\n\r\n", 400),
        .chunked("folded trailer", "3\r\nabc\r\n0\r\nX-T: v\r\n w\r\n\r\n", 400),
        .chunked("trailer with an empty name", "3\r\nabc\r\n0\r\n: v\r\n\r\n", 400),
    ]

    @Test(arguments: Self.cases)
    func answers(_ testCase: Case) throws {
        let response = try HTTPHarness().exchange(testCase.request)
        #expect(response.status == testCase.status)
        #expect(response.version == "HTTP/1.1")
        if let echo = testCase.echo { #expect(String(decoding: response.body, as: UTF8.self) == echo) }
    }

    /// The last response is followed by a shut output, not a close that could reset it.
    @Test(arguments: [
        "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /ok HTTP/1.0\r\n\r\n",
        "GET /ok HTTP/1.1\r\n\r\n",
    ])
    func closingAfterAResponseShutsTheOutputFirst(request: String) throws {
        let harness = try HTTPHarness()
        #expect(try harness.exchange(request).header("Connection") == "close")
        #expect(harness.closes.modes.first == .output)
    }

    /// A burst of tiny pipelined requests leaves in writes of at most the bound.
    @Test func pipelinedBurstIsFlushedInBoundedWrites() throws {
        let harness = try HTTPHarness()
        let count = 3000
        try harness.send(String(repeating: "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n", count: count))
        harness.runPending()
        var largest = 0
        var raw: [UInt8] = []
        while let buffer = try harness.channel.readOutbound(as: ByteBuffer.self) {
            largest = max(largest, buffer.readableBytes)
            raw += buffer.readableBytesView
        }
        #expect(largest <= HTTPServerHandler.outputBound + 1024)
        var responses = 0
        while let response = ParsedResponse.parse(raw, noBody: false) {
            raw.removeFirst(response.length)
            responses += 1
        }
        #expect(responses == count)
        #expect(harness.isOpen)
    }

    /// While the channel is not writable, pipelined requests wait in the input.
    @Test func pipelinedRequestsWaitWhileTheChannelIsNotWritable() throws {
        let harness = try HTTPHarness()
        // As a real channel does: every change of writability is reported to the pipeline.
        harness.channel.isWritable = false
        harness.channel.pipeline.fireChannelWritabilityChanged()
        try harness.send(String(repeating: "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n", count: 3))
        harness.runPending()
        #expect(try harness.responses().isEmpty)
        #expect(harness.services.counters.requests == 0)
        harness.channel.isWritable = true
        harness.channel.pipeline.fireChannelWritabilityChanged()
        harness.runPending()
        #expect(try harness.responses().map(\.status) == [200, 200, 200])
        #expect(harness.isOpen)
    }
}
