import Synchronization

/// A task's cancellation, readable from the pool thread that runs its transaction (a pool
/// thread is not the task, so `Task.isCancelled` would not see it).
final class CancellationFlag: Sendable {
    private let cancelled = Atomic<Bool>(false)

    /// A flag not yet set.
    init() {}

    /// Marks the task cancelled.
    func set() { self.cancelled.store(true, ordering: .releasing) }

    /// Whether the task was cancelled.
    func isSet() -> Bool { self.cancelled.load(ordering: .acquiring) }
}
