import NIOCore
import NIOHTTP1
import Testing

@testable import Worker

/// The server's own HTTP/1.1 parser and response writer, through the production handler:
/// how bytes may arrive (split anywhere, trickled, pipelined), what is accepted, and what the
/// responses look like on the wire.
@Suite("HTTP parsing")
struct HTTPParsingTests {
    @Test func parsedHeadStaysWithinTheSizeCopiedInline() {
        // Beyond 128 bytes each copy of a parsed head is a `memcpy` call (several per request).
        #expect(MemoryLayout<ParsedHead>.size <= 128)
    }

    static let pipelined =
        "HEAD /ok HTTP/1.1\r\nHost: x\r\nX-Request-Id: p1\r\n\r\n"
        + "GET /ok HTTP/1.1\r\nHost: x\r\nX-Request-Id: p2\r\n\r\n"
        + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nX-Request-Id: p3\r\n\r\nhello"
        + "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-Request-Id: p4\r\n\r\n"
        + "3;name=value\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n"
        + "\r\nGET /nope HTTP/1.1\r\nHost: x\r\nX-Request-Id: p5\r\n\r\n"
        + "GET /future HTTP/1.1\r\nHost: x\r\nX-Request-Id: p6\r\nConnection: keep-alive, close\r\n\r\n"

    /// The answers `pipelined` must get, however its bytes are split.
    static func expectPipelinedAnswers(_ harness: HTTPHarness) throws {
        let responses = try harness.responses(headRequests: 1)
        #expect(responses.map(\.status) == [200, 200, 200, 200, 404, 200])
        #expect(responses.map { $0.header("X-Request-Id") ?? "" } == ["p1", "p2", "p3", "p4", "p5", "p6"])
        guard responses.count == 6 else { return }
        #expect(responses[0].header("Content-Length") == "11")
        #expect(responses[0].body.isEmpty)
        #expect(String(decoding: responses[1].body, as: UTF8.self) == #"{"ok":true}"#)
        #expect(String(decoding: responses[2].body, as: UTF8.self) == "hello")
        #expect(String(decoding: responses[3].body, as: UTF8.self) == "abcde")
        #expect(responses[4].errorCode == "NOT_FOUND")
        #expect(responses[5].header("Connection") == "close")
        #expect(responses[..<5].allSatisfy { $0.header("Connection") == nil })
        #expect(!harness.isOpen)
        #expect(harness.services.counters.inFlight == 0)
        #expect(harness.services.counters.requests == 6)
    }

    @Test func pipelinedRequestsInOneRead() throws {
        let harness = try HTTPHarness()
        try harness.send(Self.pipelined)
        harness.runPending()
        try Self.expectPipelinedAnswers(harness)
    }

    @Test(arguments: [1, 2, 3, 7, 13, 64])
    func pipelinedRequestsSplitAnywhere(chunkSize: Int) throws {
        let harness = try HTTPHarness()
        let bytes = Array(Self.pipelined.utf8)
        for start in stride(from: 0, to: bytes.count, by: chunkSize) {
            try harness.send(bytes: Array(bytes[start..<min(start + chunkSize, bytes.count)]))
            harness.runPending()
        }
        try Self.expectPipelinedAnswers(harness)
    }

    @Test func headAnswerHasContentLengthButNoBody() throws {
        let harness = try HTTPHarness()
        try harness.send("HEAD /ok HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        harness.runPending()
        let responses = try harness.responses(headRequests: 1)
        #expect(responses.map(\.status) == [200, 200])
        #expect(responses.first?.header("Content-Length") == "11")
        #expect(responses.first?.body.isEmpty == true)
        #expect(responses.last.map { String(decoding: $0.body, as: UTF8.self) } == #"{"ok":true}"#)
    }

    @Test func emptyLinesBeforeARequestAreSkipped() throws {
        let harness = try HTTPHarness()
        #expect(try harness.exchange("\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
        #expect(harness.isOpen)
    }

    @Test func headerNamesAreCaseInsensitiveAndValuesTrimmed() throws {
        let harness = try HTTPHarness()
        let response = try harness.exchange(
            "POST /echo HTTP/1.1\r\nHost: x\r\ncOnTeNt-LeNgTh:\t 3 \t\r\nx-REQUEST-id:   id-7  \r\n\r\nabc"
        )
        #expect(response.status == 200)
        #expect(response.header("X-Request-Id") == "id-7")
        #expect(String(decoding: response.body, as: UTF8.self) == "abc")
    }

    @Test func repeatedEqualContentLengthIsOneLength() throws {
        let harness = try HTTPHarness()
        let response = try harness.exchange(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok"
        )
        #expect(String(decoding: response.body, as: UTF8.self) == "ok")
    }

    @Test func http10KeepAliveTokenInAList() throws {
        let harness = try HTTPHarness()
        let response = try harness.exchange("GET /ok HTTP/1.0\r\nConnection: Upgrade, Keep-Alive\r\n\r\n")
        #expect(response.header("Connection") == "keep-alive")
        #expect(harness.isOpen)
    }

    @Test func handlerSeesTheParsedHead() throws {
        let seen = HeadBox()
        let harness = try HTTPHarness(routes: { router in
            router.on(
                .GET,
                "/inspect",
                .sync { request, _ in
                    seen.set(request)
                    return Response(status: .noContent, body: ByteBuffer())
                }
            )
        })
        let response = try harness.exchange(
            "GET /inspect?a=1&b=%20 HTTP/1.1\r\nHost: h\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\n"
        )
        #expect(response.status == 204)
        #expect(response.header("Content-Length") == nil)
        let request = try #require(seen.request)
        #expect(request.method == .GET)
        #expect(request.path == "/inspect")
        #expect(request.query == "a=1&b=%20")
        #expect(request.version == .http1_1)
        #expect(request.headers["x-dup"] == ["1", "2"])
        #expect(request.headers.first(name: "HOST") == "h")
    }

    @Test func headerInjectionByAHandlerBecomesA500() throws {
        let harness = try HTTPHarness(routes: { router in
            router.on(
                .GET,
                "/inject",
                .sync { _, _ in
                    Response(status: .ok, headers: ["X-Evil": "a\r\nSet-Cookie: x=1"], body: ByteBuffer(string: "{}"))
                }
            )
        })
        let response = try harness.exchange("GET /inject HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(response.status == 500)
        #expect(response.errorCode == "INTERNAL_ERROR")
        #expect(response.header("Set-Cookie") == nil)
        #expect(response.header("X-Evil") == nil)
    }

    @Test func largeBodyIsWrittenWhole() throws {
        let size = HTTPServerHandler.inlineBodyLimit * 3 + 17
        let harness = try HTTPHarness(routes: { router in
            router.on(
                .GET,
                "/big",
                .sync { _, _ in Response(status: .ok, body: ByteBuffer(repeating: UInt8(ascii: "z"), count: size)) }
            )
        })
        try harness.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /big HTTP/1.1\r\nHost: x\r\n\r\n")
        harness.runPending()
        let responses = try harness.responses()
        #expect(responses.count == 2)
        #expect(responses.allSatisfy { $0.body.count == size && $0.body.allSatisfy { $0 == UInt8(ascii: "z") } })
    }

    @Test func statusLineOfAnUncommonStatus() throws {
        let harness = try HTTPHarness(routes: { router in
            router.on(.GET, "/teapot", .sync { _, _ in Response(status: .imATeapot, body: ByteBuffer(string: "t")) })
        })
        try harness.send("GET /teapot HTTP/1.1\r\nHost: x\r\n\r\n")
        harness.runPending()
        var raw = ByteBuffer()
        while var part = try harness.channel.readOutbound(as: ByteBuffer.self) { raw.writeBuffer(&part) }
        #expect(String(buffer: raw).hasPrefix("HTTP/1.1 418 I'm a teapot\r\n"))
    }

    /// While a handler runs, later pipelined requests wait; they are answered after it, in
    /// order, and a read is issued again only then.
    @Test func pipelinedRequestsWaitForASlowHandler() throws {
        let gate = GateBox()
        let harness = try HTTPHarness(routes: { router in
            router.on(.GET, "/ok", .sync { _, _ in Response.json(.ok, Array("{}".utf8)) })
            router.on(
                .GET,
                "/gate",
                .future { _, context in
                    let promise = context.eventLoop.makePromise(of: Response.self)
                    gate.set(promise)
                    return promise.futureResult
                }
            )
        })
        try harness.send(
            "GET /gate HTTP/1.1\r\nHost: x\r\nX-Request-Id: g\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\nX-Request-Id: after\r\n\r\n"
        )
        harness.runPending()
        #expect(try harness.responses().isEmpty)
        #expect(harness.services.counters.inFlight == 1)
        gate.promise?.succeed(.json(.ok, Array("{}".utf8)))
        harness.runPending()
        let responses = try harness.responses()
        #expect(responses.map { $0.header("X-Request-Id") ?? "" } == ["g", "after"])
        #expect(harness.services.counters.inFlight == 0)
    }

    /// The head parser on its own: one byte at a time finds the same head as all at once,
    /// and the end of the head is searched once per byte.
    @Test func parserAcceptsAHeadByteByByte() throws {
        var config = HTTPLimits(config: .init(cpuCount: 1))
        config.maxHeaderCount = 4
        var parser = HTTPRequestParser(limits: config)
        let head = Array("PUT /a?b HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc".utf8)
        var outcome: HTTPRequestParser.Outcome = .incomplete
        for end in 1...head.count {
            outcome = head[..<end].withUnsafeBytes { parser.parse($0) }
            if case .incomplete = outcome { continue }
            break
        }
        guard case .complete(let parsed, let length) = outcome else {
            Issue.record("no head: \(outcome)")
            return
        }
        #expect(length == head.count - 3)
        #expect(parsed.head.method == .PUT)
        #expect(parsed.head.uri == "/a?b")
        #expect(parsed.pathLength == 2)
        #expect(parsed.isPlainOriginForm)
        #expect(parsed.head.version == .http1_0)
        #expect(parsed.framing == .length(3))
        #expect(parsed.expectsContinue)
        #expect(!parsed.keepAlive)
        #expect(parsed.headerBytes == "Content-Length".utf8.count + 1 + "Expect".utf8.count + 12)
    }
}

/// A request seen by a test route.
private final class HeadBox: @unchecked Sendable {
    private(set) var request: Request?
    func set(_ request: Request) { self.request = request }
}

/// A promise a test route hands out.
private final class GateBox: @unchecked Sendable {
    private(set) var promise: EventLoopPromise<Response>?
    func set(_ promise: EventLoopPromise<Response>) { self.promise = promise }
}
