import NIOCore
import Synchronization
import Testing

@testable import Worker

/// The connection handler through the server's own HTTP/1.1 parser and writer on an embedded
/// channel: routing, envelopes, request ids, the server's headers, keep-alive, HTTP/1.0, HEAD, pipelining and `Expect: 100-continue`.
@Suite("HTTP server handler")
struct HTTPServerHandlerTests {
    @Test func answersARouteWithTheServerHeaders() throws {
        let response = try HTTPHarness().exchange("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(response.status == 200)
        #expect(response.json["ok"] as? Bool == true)
        #expect(response.header("Content-Type") == "application/json")
        #expect(response.header("X-Content-Type-Options") == "nosniff")
        #expect(response.header("Content-Length") == "11")
        #expect(response.header("X-Request-Id")?.isEmpty == false)
        #expect(response.header("Server") == nil)
        #expect(response.header("Connection") == nil)
        #expect(response.header("Date")?.hasSuffix(" GMT") == true)
    }

    @Test func dateIsIMFFixdate() {
        #expect(HTTPDate.format(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(HTTPDate.format(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    @Test func unknownPathIsA404Envelope() throws {
        let response = try HTTPHarness().exchange("GET /nope?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(response.status == 404)
        #expect(response.errorCode == "NOT_FOUND")
        #expect(response.errorMessage == "Route GET /nope not found")
        #expect(response.header("Content-Type") == "application/json")
    }

    @Test func otherMethodOnAKnownPathIsA405WithAllow() throws {
        let response = try HTTPHarness().exchange("DELETE /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(response.status == 405)
        #expect(response.errorCode == "METHOD_NOT_ALLOWED")
        #expect(response.header("Allow") == "GET, HEAD")
    }

    @Test func throwingHandlerIsA500WithoutItsDetail() throws {
        let harness = try HTTPHarness()
        let response = try harness.exchange("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(response.status == 500)
        #expect(response.errorCode == "INTERNAL_ERROR")
        #expect(!String(decoding: response.body, as: UTF8.self).contains("secret"))
        #expect(harness.isOpen)
    }

    @Test func apiErrorFromAHandlerKeepsItsCode() throws {
        let response = try HTTPHarness().exchange("GET /api-error HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(response.status == 409)
        #expect(response.errorCode == "CONFLICT")
        #expect(response.errorMessage == "Already there")
    }

    @Test func futureHandlerAnswers() throws {
        #expect(try HTTPHarness().exchange("GET /future HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
    }

    @Test func saneRequestIDIsEchoed() throws {
        let response = try HTTPHarness().exchange("GET /ok HTTP/1.1\r\nHost: x\r\nX-Request-Id: abc-123_x.y\r\n\r\n")
        #expect(response.header("X-Request-Id") == "abc-123_x.y")
    }

    @Test(arguments: ["has space", String(repeating: "a", count: 129), "semi;colon", "quote\""])
    func unsafeRequestIDIsReplaced(incoming: String) throws {
        let response = try HTTPHarness().exchange("GET /ok HTTP/1.1\r\nHost: x\r\nX-Request-Id: \(incoming)\r\n\r\n")
        let id = try #require(response.header("X-Request-Id"))
        #expect(id != incoming)
        #expect(RequestID.isAcceptable(id))
    }

    @Test func generatedRequestIDsDiffer() throws {
        let harness = try HTTPHarness()
        let first = try harness.exchange("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n").header("X-Request-Id")
        let second = try harness.exchange("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n").header("X-Request-Id")
        #expect(first != nil && first != second)
    }

    @Test func http11KeepsTheConnectionOpen() throws {
        let harness = try HTTPHarness()
        for _ in 0..<3 { #expect(try harness.exchange("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n").status == 200) }
        #expect(harness.isOpen)
    }

    @Test func connectionCloseIsHonoured() throws {
        let harness = try HTTPHarness()
        let response = try harness.exchange("GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(response.header("Connection") == "close")
        #expect(!harness.isOpen)
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() throws {
        let closing = try HTTPHarness()
        let response = try closing.exchange("GET /ok HTTP/1.0\r\n\r\n")
        #expect(response.status == 200)
        #expect(response.version == "HTTP/1.1")
        #expect(response.header("Connection") == "close")
        #expect(!closing.isOpen)

        let keeping = try HTTPHarness()
        #expect(
            try keeping.exchange("GET /ok HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").header("Connection")
                == "keep-alive"
        )
        #expect(keeping.isOpen)
    }

    @Test func headHasTheHeadersOfGetAndNoBody() throws {
        let harness = try HTTPHarness()
        try harness.send("HEAD /ok HTTP/1.1\r\nHost: x\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        let responses = try harness.responses(headRequests: 1)
        try #require(responses.count == 2)
        #expect(responses[0].status == 200)
        #expect(responses[0].header("Content-Length") == "11")
        #expect(responses[0].body.isEmpty)
        #expect(responses[1].json["ok"] as? Bool == true)
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let harness = try HTTPHarness()
        let ids = ["r1", "r2", "r3", "r4"]
        let paths = ["/future", "/nope", "/ok", "/boom"]
        try harness.send(
            zip(ids, paths).map { "GET \($1) HTTP/1.1\r\nHost: x\r\nX-Request-Id: \($0)\r\n\r\n" }.joined()
        )
        harness.runPending()
        let responses = try harness.responses()
        #expect(responses.map(\.status) == [200, 404, 200, 500])
        #expect(responses.map { $0.header("X-Request-Id") ?? "" } == ids)
    }

    /// A harness with `/later`, whose answer the test gives (`answerLater`).
    private static func harnessWithLaterRoute() throws -> (HTTPHarness, answerLater: () -> Void) {
        let box = PendingAnswer()
        let harness = try HTTPHarness(routes: { router in
            HTTPHarness.testRoutes(&router)
            router.on(
                .GET,
                "/later",
                .future { _, context in
                    let promise = context.eventLoop.makePromise(of: Response.self)
                    box.promise.withLock { $0 = promise }
                    return promise.futureResult
                }
            )
        })
        return (harness, { box.promise.withLock { $0?.succeed(.json(.ok, Array("{}".utf8))) } })
    }

    @Test func aClientThatShutsItsSideStillGetsTheAnswerInTheMakingThenTheClose() throws {
        let (harness, answerLater) = try Self.harnessWithLaterRoute()
        try harness.send("GET /later HTTP/1.1\r\nHost: x\r\nX-Request-Id: half-1\r\n\r\n")
        harness.runPending()
        harness.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        harness.runPending()
        #expect(harness.isOpen)  // the handler has not answered yet
        #expect(try harness.responses().isEmpty)
        answerLater()
        harness.runPending()
        let responses = try harness.responses()
        #expect(responses.map(\.status) == [200])
        #expect(responses.first?.header("X-Request-Id") == "half-1")
        #expect(!harness.isOpen)
    }

    @Test func pipelinedRequestsBeforeTheEndOfInputAreAllAnswered() throws {
        let (harness, answerLater) = try Self.harnessWithLaterRoute()
        try harness.send(
            ["/future", "/later", "/ok"].map { "GET \($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined()
                + "GET /ok HTTP/1.1\r\nHo"  // a head cut off by the end of input
        )
        harness.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        harness.runPending()
        #expect(harness.isOpen)
        answerLater()
        harness.runPending()
        #expect(try harness.responses().map(\.status) == [200, 200, 200])
        #expect(!harness.isOpen)
    }

    @Test func anIdleConnectionClosesAtTheEndOfInput() throws {
        let harness = try HTTPHarness()
        #expect(try harness.exchange("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
        #expect(harness.isOpen)
        harness.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        harness.runPending()
        #expect(!harness.isOpen)
        #expect(try harness.responses().isEmpty)
    }

    @Test func expectContinueGetsA100BeforeTheBody() throws {
        let harness = try HTTPHarness()
        try harness.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        let interim = try harness.responses()
        try #require(interim.count == 1)
        #expect(interim[0].status == 100)
        try harness.send("hello")
        let final = try harness.responses()
        #expect(final.first?.status == 200)
        #expect(final.first.map { String(decoding: $0.body, as: UTF8.self) } == "hello")
    }

    @Test func unknownExpectationIs417() throws {
        let harness = try HTTPHarness()
        let response = try harness.exchange(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: 200-ok\r\n\r\nx"
        )
        #expect(response.status == 417)
        #expect(response.errorCode == "EXPECTATION_FAILED")
    }

    @Test func chunkedBodyIsReassembled() throws {
        let harness = try HTTPHarness()
        let response = try harness.exchange(
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
        )
        #expect(String(decoding: response.body, as: UTF8.self) == "abcde")
    }

    @Test func absoluteFormTargetIsRoutedOnItsPath() throws {
        #expect(try HTTPHarness().exchange("GET http://example.com/ok?x HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
    }

    @Test func countersBalanceAfterEveryKindOfEnding() throws {
        let harness = try HTTPHarness()
        _ = try harness.exchange("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try harness.exchange("GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try harness.exchange("GET /x HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n")
        #expect(harness.services.counters.inFlight == 0)
        #expect(harness.services.counters.requests == 3)
    }
}

/// The promise of a `/later` request, answered by the test.
private final class PendingAnswer: Sendable {
    let promise = Mutex<EventLoopPromise<Response>?>(nil)
}
