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
        var action: HTTPConnectionState.TimerAction
        var timer: UInt64?
        var state = Self.makeState()
        timer = state.opened(now: 0)
        #expect(timer == 100)
        let begun = state.exchangeBegan(now: 10, receivingBody: false)
        #expect(begun.serial == 1)
        #expect(begun.timer == nil)
        #expect(state.phase == .responding)
        #expect(state.exchangeOpen)
        #expect(state.keepsAlive(requested: true, leaving: false))
        #expect(!state.keepsAlive(requested: false, leaving: false))
        // A leaving worker (readiness: a drain began, not yet quiesced) closes every response
        // while its connections are still served.
        #expect(!state.keepsAlive(requested: true, leaving: true))
        #expect(state.phase == .responding)
        // A later deadline keeps the pending timer: it re-arms itself when it fires.
        timer = state.exchangeEnded(keepAlive: true, now: 20)
        #expect(timer == nil)
        #expect(state.phase == .idle)
        #expect(!state.exchangeOpen)
        action = state.timerFired(now: 100)
        #expect(action == .rearm(at: 120))
        action = state.timerFired(now: 120)
        #expect(action == .close)
        #expect(state.phase == .closing)
    }

    @Test func headTrickleKeepsItsFirstDeadline() {
        var action: HTTPConnectionState.TimerAction
        var timer: UInt64?
        var state = Self.makeState()
        _ = state.opened(now: 0)
        timer = state.headStarted(now: 10)
        #expect(timer == 60)
        timer = state.headStarted(now: 40)
        #expect(timer == nil)
        action = state.timerFired(now: 60)
        #expect(action == .headTimedOut)
        _ = state.exchangeBegan(now: 60, receivingBody: false)
        timer = state.exchangeEnded(keepAlive: false, now: 61)
        #expect(timer == 81)
        #expect(state.phase == .closing)
        #expect(!state.acceptsInput)
    }

    @Test func bodyAndHandlerTimeouts() {
        var action: HTTPConnectionState.TimerAction
        var timer: UInt64?
        var state = Self.makeState()
        _ = state.opened(now: 0)
        timer = state.exchangeBegan(now: 0, receivingBody: true).timer
        #expect(timer == nil)  // 300 > 100
        #expect(state.phase == .receiving)
        action = state.timerFired(now: 100)
        #expect(action == .rearm(at: 300))
        action = state.timerFired(now: 300)
        #expect(action == .bodyTimedOut)
        var handler = Self.makeState()
        _ = handler.opened(now: 0)
        _ = handler.exchangeBegan(now: 0, receivingBody: true)
        handler.bodyReceived()
        _ = handler.handlerStarted(now: 5)
        action = handler.timerFired(now: 100)
        #expect(action == .rearm(at: 205))
        action = handler.timerFired(now: 205)
        #expect(action == .handlerTimedOut)
        #expect(handler.isCurrent(1))
        #expect(!handler.isCurrent(2))
    }

    @Test func lateResultOfAnEndedExchangeIsNotCurrent() {
        var serialNumber: UInt32
        var state = Self.makeState()
        _ = state.opened(now: 0)
        let (serial, _) = state.exchangeBegan(now: 0, receivingBody: false)
        _ = state.exchangeEnded(keepAlive: true, now: 1)
        #expect(!state.isCurrent(serial))
        serialNumber = state.exchangeBegan(now: 2, receivingBody: false).serial
        #expect(serialNumber == serial + 1)
        #expect(!state.isCurrent(serial))
    }

    @Test func readsGoOnWhileAHandlerRunsUpToTheInputBoundThenWaitForItsAnswer() {
        var answer: Bool
        var state = Self.makeState()
        _ = state.opened(now: 0)
        answer = state.readRequested(buffered: 0)
        #expect(answer)
        answer = state.processingBegan()
        #expect(answer)
        answer = state.processingBegan()
        #expect(!answer)  // re-entry
        _ = state.exchangeBegan(now: 0, receivingBody: false)
        // A handler runs: reading goes on (no epoll change per request) while little waits.
        answer = state.readRequested(buffered: HTTPConnectionState.inputBound - 1)
        #expect(answer)
        answer = state.processingEnded()
        #expect(!answer)  // nothing was held
        answer = state.processingBegan()
        #expect(answer)
        // Pipelined input past the bound: held until the answer.
        answer = state.readRequested(buffered: HTTPConnectionState.inputBound)
        #expect(!answer)
        answer = state.processingEnded()
        #expect(!answer)  // still responding
        answer = state.processingBegan()
        #expect(answer)
        _ = state.exchangeEnded(keepAlive: true, now: 1)
        answer = state.processingEnded()
        #expect(answer)  // the held read goes out once
        answer = state.processingBegan()
        #expect(answer)
        answer = state.processingEnded()
        #expect(!answer)
        // Between requests any amount is read (the parser bounds a head).
        answer = state.readRequested(buffered: 10 * HTTPConnectionState.inputBound)
        #expect(answer)
    }

    @Test func theEndOfInputClosesOnceWhatWasSentIsAnswered() {
        // Between requests: the buffered requests are answered first.
        var idle = Self.makeState()
        _ = idle.opened(now: 0)
        #expect(idle.inputClosed() == .answerBuffered)
        #expect(idle.endOfInputReached(now: 1, stalled: true).close == false)  // answers wait for writability
        let ending = idle.endOfInputReached(now: 1, stalled: false)
        #expect(ending.close && ending.timer != nil && idle.phase == .closing)
        #expect(idle.endOfInputReached(now: 2, stalled: false).close == false)  // once

        // While a handler runs: its answer first.
        var responding = Self.makeState()
        _ = responding.opened(now: 0)
        _ = responding.exchangeBegan(now: 0, receivingBody: false)
        #expect(responding.inputClosed() == .afterResponse)
        #expect(responding.endOfInputReached(now: 1, stalled: false).close == false)
        _ = responding.exchangeEnded(keepAlive: true, now: 2)
        #expect(responding.endOfInputReached(now: 2, stalled: false).close)

        // A body that can no longer arrive: close now.
        var receiving = Self.makeState()
        _ = receiving.opened(now: 0)
        _ = receiving.exchangeBegan(now: 0, receivingBody: true)
        #expect(receiving.inputClosed() == .closeNow && receiving.phase == .closing)
    }

    @Test func responsesOfABurstFlushAtItsEndOrPastTheBound() {
        var answer: Bool
        var state = Self.makeState()
        answer = state.burstBegan()
        #expect(!answer)
        answer = state.outputStarted()
        #expect(answer)
        answer = state.outputStarted()
        #expect(!answer)
        answer = state.responseQueued(pendingBytes: 100)
        #expect(!answer)
        answer = state.responseQueued(pendingBytes: HTTPConnectionState.outputBound)
        #expect(answer)
        answer = state.flushed()
        #expect(answer)
        answer = state.flushed()
        #expect(!answer)
        answer = state.outputStarted()
        #expect(answer)
        answer = state.responseQueued(pendingBytes: 100)
        #expect(!answer)
        answer = state.burstEnded()
        #expect(answer)
        let batchWritten = state.flushed()
        #expect(batchWritten)
        answer = state.burstEnded()
        #expect(!answer)
        // Outside a burst every response flushes at once.
        answer = state.responseQueued(pendingBytes: 1)
        #expect(answer)
    }

    @Test func writabilityIsTheLastOneTheChannelReported() {
        var state = Self.makeState()
        #expect(state.writable)
        state.writabilityChanged(false)
        #expect(!state.writable)
        state.writabilityChanged(true)
        #expect(state.writable)
    }

    @Test func lateResultBatchInsideABurstLeavesTheFlushToTheBurst() {
        var answer: Bool
        var state = Self.makeState()
        _ = state.burstBegan()
        let outer = state.burstBegan()
        #expect(outer)
        _ = state.responseQueued(pendingBytes: 1)
        answer = state.burstEnded(outer: outer)
        #expect(!answer)
        answer = state.burstEnded()
        #expect(answer)
    }

    @Test func drainingClosesEveryResponseAndShortensAnIdleWait() {
        var action: HTTPConnectionState.TimerAction
        var timer: UInt64?
        var state = Self.makeState()
        _ = state.opened(now: 0)
        timer = state.quiesced(now: 50, hasInput: false)
        #expect(timer == 60)
        #expect(state.draining)
        #expect(!state.keepsAlive(requested: true, leaving: false))
        action = state.timerFired(now: 60)
        #expect(action == .close)

        var busy = Self.makeState()
        _ = busy.opened(now: 0)
        _ = busy.exchangeBegan(now: 0, receivingBody: false)
        timer = busy.quiesced(now: 1, hasInput: false)
        #expect(timer == nil)
        #expect(!busy.keepsAlive(requested: true, leaving: false))

        var buffered = Self.makeState()
        _ = buffered.opened(now: 0)
        timer = buffered.quiesced(now: 1, hasInput: true)
        #expect(timer == nil)
        // A linger ending after the keep-alive deadline keeps the earlier one.
        var late = Self.makeState()
        _ = late.opened(now: 0)
        timer = late.quiesced(now: 95, hasInput: false)
        #expect(timer == nil)
    }

    @Test func closeAbandonsAnExchangeInFlightOnce() {
        var answer: Bool
        var state = Self.makeState()
        _ = state.opened(now: 0)
        _ = state.exchangeBegan(now: 0, receivingBody: true)
        answer = state.closed()
        #expect(answer)
        answer = state.closed()
        #expect(!answer)
        #expect(state.phase == .closing)
        var idle = Self.makeState()
        _ = idle.opened(now: 0)
        answer = idle.closed()
        #expect(!answer)
    }

    @Test func closingAfterAFinalAnswerDropsAPendingFlush() {
        var action: HTTPConnectionState.TimerAction
        var answer: Bool
        var timer: UInt64?
        var state = Self.makeState()
        _ = state.opened(now: 0)
        _ = state.burstBegan()
        _ = state.exchangeBegan(now: 0, receivingBody: false)
        _ = state.responseQueued(pendingBytes: 10)
        timer = state.exchangeEnded(keepAlive: false, now: 1)
        #expect(timer == 21)
        answer = state.burstEnded()
        #expect(!answer)
        action = state.timerFired(now: 21)
        #expect(action == .close)
    }
}
