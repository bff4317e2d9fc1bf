import NIOCore
import Testing

@testable import Worker

/// The connection deadlines through the real handler, with short timeouts on the event
/// loop's clock (the handler's injected clock): no test sleeps.
@Suite("HTTP timeouts")
struct HTTPTimeoutTests {
    static func shortTimeouts(_ limits: inout HTTPLimits) {
        limits.keepAliveTimeout = .milliseconds(60)
        limits.headerTimeout = .milliseconds(60)
        limits.bodyTimeout = .milliseconds(60)
        limits.handlerTimeout = .milliseconds(60)
        limits.lingerTimeout = .milliseconds(60)
    }

    @Test func idleConnectionClosesSilently() throws {
        let harness = try HTTPHarness(adjust: Self.shortTimeouts)
        harness.runPending(advancing: 0.03)
        #expect(harness.isOpen)
        harness.runPending(advancing: 0.06)
        #expect(!harness.isOpen)
        #expect(try harness.responses().isEmpty)
    }

    @Test func idleAfterAResponseClosesSilently() throws {
        let harness = try HTTPHarness(adjust: Self.shortTimeouts)
        #expect(try harness.exchange("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
        harness.runPending(advancing: 0.1)
        #expect(!harness.isOpen)
        #expect(try harness.responses().isEmpty)
    }

    @Test func busyConnectionOutlivesTheKeepAliveTimeout() throws {
        let harness = try HTTPHarness(adjust: Self.shortTimeouts)
        for _ in 0..<8 {
            #expect(try harness.exchange("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n").status == 200)
            harness.runPending(advancing: 0.02)
        }
        #expect(harness.isOpen)
    }

    @Test func slowHeadGets408AndClose() throws {
        let harness = try HTTPHarness(adjust: Self.shortTimeouts)
        try harness.send("GET /ok HTTP/1.1\r\nHost: x\r\n")
        harness.runPending(advancing: 0.1)
        let responses = try harness.responses()
        try #require(responses.count == 1)
        #expect(responses[0].status == 408)
        #expect(responses[0].errorCode == "REQUEST_TIMEOUT")
        #expect(responses[0].header("X-Request-Id") != nil)
        #expect(!harness.isOpen)
    }

    @Test func tricklingHeadDoesNotExtendItsDeadline() throws {
        let harness = try HTTPHarness(adjust: Self.shortTimeouts)
        for byte in "GET /ok HTTP/1.1\r\nHost: x\r\nX-Slow: abcdefgh".utf8 {
            try harness.send(bytes: [byte])
            harness.runPending(advancing: 0.005)
            if !harness.isOpen { break }
        }
        #expect(try harness.responses().first?.status == 408)
        #expect(!harness.isOpen)
    }

    @Test func slowBodyGets408() throws {
        let harness = try HTTPHarness(adjust: Self.shortTimeouts)
        try harness.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        harness.runPending(advancing: 0.1)
        let responses = try harness.responses()
        #expect(responses.first?.status == 408)
        #expect(!harness.isOpen)
        #expect(harness.services.counters.inFlight == 0)
    }

    @Test func slowHandlerGets504AndTheConnectionGoesOn() throws {
        let harness = try HTTPHarness(adjust: Self.shortTimeouts)
        try harness.send(
            "GET /hang HTTP/1.1\r\nHost: x\r\nX-Request-Id: slow-1\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        harness.runPending()
        #expect(try harness.responses().isEmpty)
        harness.runPending(advancing: 0.1)
        let responses = try harness.responses()
        #expect(responses.map(\.status) == [504, 200])
        #expect(responses.first?.errorCode == "GATEWAY_TIMEOUT")
        #expect(responses.first?.header("X-Request-Id") == "slow-1")
        #expect(harness.isOpen)
        #expect(harness.services.counters.inFlight == 0)
    }
}
