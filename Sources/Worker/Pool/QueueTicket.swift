import Synchronization

/// The race between a queued pool operation starting and its queue deadline passing: exactly
/// one of them wins, so the caller gets one answer and a timed-out operation never runs.
final class QueueTicket: Sendable {
    private static let waiting = 0
    private static let started = 1
    private static let expired = 2

    private let state = Atomic<Int>(QueueTicket.waiting)

    /// Creates a waiting ticket.
    init() {}

    /// The pool thread takes the operation; false when its deadline already passed.
    func start() -> Bool {
        self.state.compareExchange(expected: Self.waiting, desired: Self.started, ordering: .acquiringAndReleasing)
            .exchanged
    }

    /// The deadline passed; false when the operation already started (it then runs to its end
    /// under its own statement deadlines).
    func expire() -> Bool {
        self.state.compareExchange(expected: Self.waiting, desired: Self.expired, ordering: .acquiringAndReleasing)
            .exchanged
    }
}
