import NIOCore
import Testing

@testable import Worker

/// The connection's protocol rules as a pure value, with times passed in: phases, deadlines,
/// flushing, held reads, draining and closing, without a channel or a clock.
@Suite("HTTP connection state")
struct HTTPConnectionStateTests {
    static func makeState() -> HTTPConnectionState {
        var limits = HTTPLimits(config: .init(cpuCount: 1))
        limits.keepAliveTimeout = .nanoseconds(100)
        limits.headerTimeout = .nanoseconds(50)
        limits.bodyTimeout = .nanoseconds(300)
        limits.handlerTimeout = .nanoseconds(200)
        limits.lingerTimeout = .nanoseconds(20)
        return HTTPConnectionState(timeouts: .init(limits: limits, drainLinger: .nanoseconds(10)))
    }

    @Test func keepAliveRequestGoesBackToIdleUnderTheKeepAliveDeadline() {
        var state = Self.makeState()
        let opened1 = state.opened(now: 0)
        #expect(opened1 == 100)
        let (serial, timer) = state.exchangeBegan(now: 10, receivingBody: false)
        #expect(serial == 1)
        #expect(timer == nil)
        #expect(state.phase == .responding)
        #expect(state.exchangeOpen)
        #expect(state.keepsAlive(requested: true))
        // A later deadline keeps the pending timer: it re-arms itself when it fires.
        let exchangeEnded2 = state.exchangeEnded(keepAlive: true, now: 20)
        #expect(exchangeEnded2 == nil)
        #expect(state.phase == .idle)
        #expect(!state.exchangeOpen)
        let timerFired3 = state.timerFired(now: 100)
        #expect(timerFired3 == .rearm(at: 120))
        let timerFired4 = state.timerFired(now: 120)
        #expect(timerFired4 == .close)
        #expect(state.phase == .closing)
    }

    @Test func headTrickleKeepsItsFirstDeadline() {
        var state = Self.makeState()
        _ = state.opened(now: 0)
        let headStarted5 = state.headStarted(now: 10)
        #expect(headStarted5 == 60)
        let headStarted6 = state.headStarted(now: 40)
        #expect(headStarted6 == nil)
        let timerFired7 = state.timerFired(now: 60)
        #expect(timerFired7 == .headTimedOut)
        _ = state.exchangeBegan(now: 60, receivingBody: false)
        let exchangeEnded8 = state.exchangeEnded(keepAlive: false, now: 61)
        #expect(exchangeEnded8 == 81)
        #expect(state.phase == .closing)
        #expect(!state.acceptsInput)
    }

    @Test func bodyAndHandlerTimeouts() {
        var state = Self.makeState()
        _ = state.opened(now: 0)
        let exchangeBegan9 = state.exchangeBegan(now: 0, receivingBody: true).timer
        #expect(exchangeBegan9 == nil)  // 300 > 100
        #expect(state.phase == .receiving)
        let timerFired10 = state.timerFired(now: 100)
        #expect(timerFired10 == .rearm(at: 300))
        let timerFired11 = state.timerFired(now: 300)
        #expect(timerFired11 == .bodyTimedOut)
        var handler = Self.makeState()
        _ = handler.opened(now: 0)
        _ = handler.exchangeBegan(now: 0, receivingBody: true)
        handler.bodyReceived()
        _ = handler.handlerStarted(now: 5)
        let timerFired12 = handler.timerFired(now: 100)
        #expect(timerFired12 == .rearm(at: 205))
        let timerFired13 = handler.timerFired(now: 205)
        #expect(timerFired13 == .handlerTimedOut)
        #expect(handler.isCurrent(1))
        #expect(!handler.isCurrent(2))
    }

    @Test func lateResultOfAnEndedExchangeIsNotCurrent() {
        var state = Self.makeState()
        _ = state.opened(now: 0)
        let (serial, _) = state.exchangeBegan(now: 0, receivingBody: false)
        _ = state.exchangeEnded(keepAlive: true, now: 1)
        #expect(!state.isCurrent(serial))
        let exchangeBegan14 = state.exchangeBegan(now: 2, receivingBody: false).serial
        #expect(exchangeBegan14 == serial + 1)
        #expect(!state.isCurrent(serial))
    }

    @Test func readsAreHeldWhileAHandlerRunsAndReleasedAfter() {
        var state = Self.makeState()
        _ = state.opened(now: 0)
        let readRequested15 = state.readRequested()
        #expect(readRequested15)
        let processingBegan16 = state.processingBegan()
        #expect(processingBegan16)
        let processingBegan17 = state.processingBegan()
        #expect(!processingBegan17)  // re-entry
        _ = state.exchangeBegan(now: 0, receivingBody: false)
        let readRequested18 = state.readRequested()
        #expect(!readRequested18)
        let processingEnded19 = state.processingEnded()
        #expect(!processingEnded19)  // still responding
        let processingBegan20 = state.processingBegan()
        #expect(processingBegan20)
        _ = state.exchangeEnded(keepAlive: true, now: 1)
        let processingEnded21 = state.processingEnded()
        #expect(processingEnded21)  // the held read goes out once
        let processingBegan22 = state.processingBegan()
        #expect(processingBegan22)
        let processingEnded23 = state.processingEnded()
        #expect(!processingEnded23)
    }

    @Test func responsesOfABurstFlushAtItsEndOrPastTheBound() {
        var state = Self.makeState()
        let burstBegan24 = state.burstBegan()
        #expect(!burstBegan24)
        let outputStarted25 = state.outputStarted()
        #expect(outputStarted25)
        let outputStarted26 = state.outputStarted()
        #expect(!outputStarted26)
        let responseQueued27 = state.responseQueued(pendingBytes: 100)
        #expect(!responseQueued27)
        let responseQueued28 = state.responseQueued(pendingBytes: HTTPConnectionState.outputBound)
        #expect(responseQueued28)
        let flushed29 = state.flushed()
        #expect(flushed29)
        let flushed30 = state.flushed()
        #expect(!flushed30)
        let outputStarted31 = state.outputStarted()
        #expect(outputStarted31)
        let responseQueued32 = state.responseQueued(pendingBytes: 100)
        #expect(!responseQueued32)
        let burstEnded33 = state.burstEnded()
        #expect(burstEnded33)
        let batchWritten = state.flushed()
        #expect(batchWritten)
        let burstEnded34 = state.burstEnded()
        #expect(!burstEnded34)
        // Outside a burst every response flushes at once.
        let responseQueued35 = state.responseQueued(pendingBytes: 1)
        #expect(responseQueued35)
    }

    @Test func lateResultBatchInsideABurstLeavesTheFlushToTheBurst() {
        var state = Self.makeState()
        _ = state.burstBegan()
        let outer = state.burstBegan()
        #expect(outer)
        _ = state.responseQueued(pendingBytes: 1)
        let burstEnded36 = state.burstEnded(outer: outer)
        #expect(!burstEnded36)
        let burstEnded37 = state.burstEnded()
        #expect(burstEnded37)
    }

    @Test func drainingClosesEveryResponseAndShortensAnIdleWait() {
        var state = Self.makeState()
        _ = state.opened(now: 0)
        let quiesced38 = state.quiesced(now: 50, hasInput: false)
        #expect(quiesced38 == 60)
        #expect(state.draining)
        #expect(!state.keepsAlive(requested: true))
        let timerFired39 = state.timerFired(now: 60)
        #expect(timerFired39 == .close)

        var busy = Self.makeState()
        _ = busy.opened(now: 0)
        _ = busy.exchangeBegan(now: 0, receivingBody: false)
        let quiesced40 = busy.quiesced(now: 1, hasInput: false)
        #expect(quiesced40 == nil)
        #expect(!busy.keepsAlive(requested: true))

        var buffered = Self.makeState()
        _ = buffered.opened(now: 0)
        let quiesced41 = buffered.quiesced(now: 1, hasInput: true)
        #expect(quiesced41 == nil)
        // A linger ending after the keep-alive deadline keeps the earlier one.
        var late = Self.makeState()
        _ = late.opened(now: 0)
        let quiesced42 = late.quiesced(now: 95, hasInput: false)
        #expect(quiesced42 == nil)
    }

    @Test func closeAbandonsAnExchangeInFlightOnce() {
        var state = Self.makeState()
        _ = state.opened(now: 0)
        _ = state.exchangeBegan(now: 0, receivingBody: true)
        let closed43 = state.closed()
        #expect(closed43)
        let closed44 = state.closed()
        #expect(!closed44)
        #expect(state.phase == .closing)
        var idle = Self.makeState()
        _ = idle.opened(now: 0)
        let closed45 = idle.closed()
        #expect(!closed45)
    }

    @Test func closingAfterAFinalAnswerDropsAPendingFlush() {
        var state = Self.makeState()
        _ = state.opened(now: 0)
        _ = state.burstBegan()
        _ = state.exchangeBegan(now: 0, receivingBody: false)
        _ = state.responseQueued(pendingBytes: 10)
        let exchangeEnded46 = state.exchangeEnded(keepAlive: false, now: 1)
        #expect(exchangeEnded46 == 21)
        let burstEnded47 = state.burstEnded()
        #expect(!burstEnded47)
        let timerFired48 = state.timerFired(now: 21)
        #expect(timerFired48 == .close)
    }
}
