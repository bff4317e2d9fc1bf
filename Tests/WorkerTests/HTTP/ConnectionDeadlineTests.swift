import Testing

@testable import Worker

/// The deadline rules as a pure value: one timer per connection, rescheduled only when a
/// deadline moves earlier.
@Suite("Connection deadline")
struct ConnectionDeadlineTests {
    @Test func firstPhaseSchedulesTheTimer() {
        var deadline = ConnectionDeadline()
        #expect(deadline.enter(.idle, until: 100) == 100)
        #expect(deadline.timerAt == 100)
    }

    @Test func laterDeadlineKeepsThePendingTimer() {
        var deadline = ConnectionDeadline()
        _ = deadline.enter(.idle, until: 100)
        #expect(deadline.enter(.body, until: 500) == nil)
        #expect(deadline.enter(.idle, until: 700) == nil)
        #expect(deadline.timerFired(now: 100) == .rearm(at: 700))
        #expect(deadline.timerFired(now: 700) == .expired(.idle))
        #expect(deadline.timerAt == nil)
    }

    @Test func earlierDeadlineReschedules() {
        var deadline = ConnectionDeadline()
        _ = deadline.enter(.body, until: 500)
        #expect(deadline.enter(.handler, until: 200) == 200)
        #expect(deadline.timerFired(now: 250) == .expired(.handler))
    }

    @Test func enterIfNewKeepsTheEarlierDeadlineOfTheSamePhase() {
        var deadline = ConnectionDeadline()
        _ = deadline.enter(.idle, until: 1000)
        #expect(deadline.enterIfNew(.head, until: 300) == 300)
        #expect(deadline.enterIfNew(.head, until: 900) == nil)
        #expect(deadline.deadline == 300)
        #expect(deadline.timerFired(now: 300) == .expired(.head))
    }

    @Test func cancelledTimerIsScheduledAgainOnTheNextPhase() {
        var deadline = ConnectionDeadline()
        _ = deadline.enter(.idle, until: 100)
        deadline.timerCancelled()
        #expect(deadline.enter(.idle, until: 900) == 900)
    }
}
