/// The one deadline a connection is under at any time, and when its single timer must fire.
///
/// A pure value, so the timeout rules are unit tested without a clock. The handler moves it
/// from phase to phase with times it already read (the request's start, the response's end);
/// the timer is rescheduled only when a deadline moves *earlier* than the pending timer, so a
/// busy keep-alive connection costs one timer per keep-alive period, not one per request.
struct ConnectionDeadline {
    /// What the connection is waiting for.
    enum Phase: Equatable {
        /// The first byte of the next request (`KEEPALIVE_TIMEOUT_MS`): silent close.
        case idle
        /// The rest of a started request head (`HEADER_TIMEOUT_MS`): 408 and close.
        case head
        /// The rest of a request body (`BODY_TIMEOUT_MS`): 408 and close.
        case body
        /// A handler's response (`HANDLER_TIMEOUT_MS`): 504.
        case handler
        /// The client to close after a final response: close.
        case linger
    }

    /// What to do when the timer fires.
    enum Expiry: Equatable {
        /// Not yet: schedule the timer again for this time.
        case rearm(at: UInt64)
        /// The deadline of this phase passed.
        case expired(Phase)
    }

    /// The current phase.
    private(set) var phase = Phase.idle
    /// When the current phase expires (monotonic nanoseconds).
    private(set) var deadline: UInt64 = 0
    /// When the scheduled timer fires, if one is scheduled.
    private(set) var timerAt: UInt64?

    /// Enters `phase` until `deadline`. Returns the time to (re)schedule the timer at, or `nil`
    /// when the pending timer fires early enough (it re-arms itself then).
    mutating func enter(_ phase: Phase, until deadline: UInt64) -> UInt64? {
        self.phase = phase
        self.deadline = deadline
        if let timerAt = self.timerAt, timerAt <= deadline { return nil }
        self.timerAt = deadline
        return deadline
    }

    /// Enters `phase` unless the connection is already in it (keeps the earlier deadline).
    mutating func enterIfNew(_ phase: Phase, until deadline: UInt64) -> UInt64? {
        self.phase == phase ? nil : self.enter(phase, until: deadline)
    }

    /// The timer fired at `now`.
    mutating func timerFired(now: UInt64) -> Expiry {
        if now < self.deadline {
            self.timerAt = self.deadline
            return .rearm(at: self.deadline)
        }
        self.timerAt = nil
        return .expired(self.phase)
    }

    /// The timer was cancelled (the connection closed).
    mutating func timerCancelled() {
        self.timerAt = nil
    }
}
