import Shared
import Testing

@testable import Worker

/// The worker's drain order with a fake clock: readiness first, serving through the delay,
/// then quiescing within the budget.
@Suite("Drain sequence")
struct DrainSequenceTests {
    static let s: UInt64 = 1_000_000_000
    static let timeline = DrainTimeline(delay: 3 * s, shutdownTimeout: 10 * s)

    @Test func leavingAnnouncesAtOnceAndQuiescesAfterTheDelay() {
        var drain = DrainSequence(timeline: Self.timeline)
        #expect(drain.leave(now: 100) == [.announce(serviceStopping: true)])
        #expect(drain.nextDeadline == 100 + 3 * Self.s)
        #expect(drain.tick(now: 100 + 3 * Self.s - 1).isEmpty)
        #expect(drain.tick(now: 100 + 3 * Self.s) == [.quiesce])
        #expect(drain.phase == .quiescing(deadline: 100 + 13 * Self.s))
        #expect(drain.quiesced() == [.finish(timedOut: false)])
        #expect(drain.phase == .finished)
        #expect(drain.nextDeadline == nil)
    }

    @Test func leavingWithoutDelayIsAnImmediateDrain() {
        var drain = DrainSequence(timeline: DrainTimeline(delay: 0, shutdownTimeout: 10 * Self.s))
        #expect(drain.leave(now: 100) == [.announce(serviceStopping: true), .quiesce])
        #expect(drain.phase == .quiescing(deadline: 100 + 10 * Self.s))
    }

    @Test func immediateDrainAnnouncesAndQuiescesTogetherAndKeepsTheHostReady() {
        var drain = DrainSequence(timeline: Self.timeline)
        #expect(drain.drainNow(now: 100) == [.announce(serviceStopping: false), .quiesce])
        #expect(drain.nextDeadline == 100 + 10 * Self.s)
    }

    @Test func budgetRunningOutFinishesWithATimeout() {
        var drain = DrainSequence(timeline: Self.timeline)
        _ = drain.drainNow(now: 100)
        #expect(drain.tick(now: 100 + 10 * Self.s) == [.finish(timedOut: true)])
        #expect(drain.quiesced().isEmpty)
    }

    @Test func sigtermDuringTheDelayCutsItShortWithinTheSameDeadline() {
        var drain = DrainSequence(timeline: Self.timeline)
        _ = drain.leave(now: 100)
        #expect(drain.drainNow(now: 100 + Self.s) == [.quiesce])
        // Never later than what the supervisor computed when it asked for the delayed drain.
        #expect(drain.phase == .quiescing(deadline: 100 + 11 * Self.s))
    }

    @Test func supervisorGoneShortensTheBudgetButNeverExtendsIt() {
        var drain = DrainSequence(timeline: Self.timeline)
        _ = drain.drainNow(now: 100)
        #expect(drain.drainNow(now: 200, budget: Self.s).isEmpty)
        #expect(drain.phase == .quiescing(deadline: 200 + Self.s))
        _ = drain.drainNow(now: 300, budget: 60 * Self.s)
        #expect(drain.phase == .quiescing(deadline: 200 + Self.s))
    }

    @Test func repeatedSignalsChangeNothing() {
        var drain = DrainSequence(timeline: Self.timeline)
        _ = drain.leave(now: 100)
        #expect(drain.leave(now: 200).isEmpty)
        #expect(drain.phase == .delaying(quiesceAt: 100 + 3 * Self.s, deadline: 100 + 13 * Self.s))
    }

    @Test func lateTickQuiescesAndTimesOutInOneStep() {
        var drain = DrainSequence(timeline: Self.timeline)
        _ = drain.leave(now: 100)
        #expect(drain.tick(now: 100 + 20 * Self.s) == [.quiesce, .finish(timedOut: true)])
    }

    @Test func readinessMovesStartingReadyDrainingAndNeverBack() {
        let readiness = Readiness()
        #expect(readiness.state == .starting)
        #expect(!readiness.isReady && !readiness.closing)
        readiness.markReady()
        #expect(readiness.state == .ready && readiness.isReady)
        readiness.markDrain(serviceStopping: true)
        #expect(readiness.closing && !readiness.isReady)
        readiness.markReady()
        readiness.markDrain(serviceStopping: false)
        #expect(readiness.state == .draining)
    }

    @Test func retiringWorkerClosesConnectionsButTheHostStaysReady() {
        let readiness = Readiness()
        readiness.markReady()
        readiness.markDrain(serviceStopping: false)
        #expect(readiness.state == .retiring)
        #expect(readiness.closing && readiness.isReady)
        // The service may stop while a worker retires: then it leaves the balancer too.
        readiness.markDrain(serviceStopping: true)
        #expect(readiness.state == .draining && !readiness.isReady)
    }
}
