import Shared

/// A worker's drain as a pure value: events and a clock go in, steps come out, so every order
/// of signals and timers is unit tested without processes (`WorkerServer` executes the steps).
///
/// The order is the one load balancers need: readiness turns `503` at once (`announce`),
/// every request is still served for `DRAIN_DELAY` so the balancer notices and stops sending,
/// then the worker stops accepting and finishes what it has (`quiesce`), and gives up on
/// whatever is left when the budget runs out (`finish`). A drain without delay (`SIGTERM` to
/// the worker, a reload retiring it, the supervisor gone) announces and quiesces at once, and
/// leaves readiness alone: the host stays in rotation while the slot's next worker serves.
struct DrainSequence: Equatable {
    /// Where the drain is.
    enum Phase: Equatable {
        /// Not draining.
        case serving
        /// Readiness is `503`, every request is still served; accepting stops at `quiesceAt`,
        /// the whole drain ends by `deadline`.
        case delaying(quiesceAt: UInt64, deadline: UInt64)
        /// Accepting stopped; in-flight requests finish until `deadline`.
        case quiescing(deadline: UInt64)
        /// Done: the worker releases its resources and exits.
        case finished
    }

    /// What the worker does next.
    enum Step: Equatable {
        /// `Connection: close` on every response from now on; readiness `503` when
        /// `serviceStopping`; tell the supervisor.
        case announce(serviceStopping: Bool)
        /// Stop accepting; in-flight requests finish, idle connections close.
        case quiesce
        /// Stop waiting (`timedOut`: connections were still open at the deadline).
        case finish(timedOut: Bool)
    }

    /// The budgets, shared with the supervisor's deadlines.
    let timeline: DrainTimeline
    private(set) var phase = Phase.serving

    /// A sequence that has not started.
    init(timeline: DrainTimeline) {
        self.timeline = timeline
    }

    /// The service is stopping (the supervisor's `SIGUSR1`): leave the balancer
    /// first. Without a delay it quiesces at once.
    mutating func leave(now: UInt64) -> [Step] {
        guard self.phase == .serving else { return [] }
        guard self.timeline.delay > 0 else {
            self.phase = .quiescing(deadline: now &+ self.timeline.shutdownTimeout)
            return [.announce(serviceStopping: true), .quiesce]
        }
        self.phase = .delaying(
            quiesceAt: now &+ self.timeline.delay,
            deadline: now &+ self.timeline.budget(delayed: true)
        )
        return [.announce(serviceStopping: true)]
    }

    /// Drain now, within `budget` (default `SHUTDOWN_TIMEOUT`). During a delay this cuts the
    /// delay short; a shorter budget (the supervisor is gone) brings the deadline forward,
    /// never back.
    mutating func drainNow(now: UInt64, budget: UInt64? = nil) -> [Step] {
        let deadline = now &+ (budget ?? self.timeline.shutdownTimeout)
        switch self.phase {
        case .serving:
            self.phase = .quiescing(deadline: deadline)
            return [.announce(serviceStopping: false), .quiesce]
        case .delaying(_, let current):
            self.phase = .quiescing(deadline: min(current, deadline))
            return [.quiesce]
        case .quiescing(let current):
            self.phase = .quiescing(deadline: min(current, deadline))
            return []
        case .finished:
            return []
        }
    }

    /// Time passed: the delay or the budget may have run out.
    mutating func tick(now: UInt64) -> [Step] {
        switch self.phase {
        case .delaying(let quiesceAt, let deadline) where now >= quiesceAt:
            self.phase = .quiescing(deadline: deadline)
            return [.quiesce] + self.tick(now: now)
        case .quiescing(let deadline) where now >= deadline:
            self.phase = .finished
            return [.finish(timedOut: true)]
        default:
            return []
        }
    }

    /// Every connection is closed.
    mutating func quiesced() -> [Step] {
        guard case .quiescing = self.phase else { return [] }
        self.phase = .finished
        return [.finish(timedOut: false)]
    }

    /// When `tick` has something to do next (`nil`: nothing is timed).
    var nextDeadline: UInt64? {
        switch self.phase {
        case .delaying(let quiesceAt, _): return quiesceAt
        case .quiescing(let deadline): return deadline
        case .serving, .finished: return nil
        }
    }
}
