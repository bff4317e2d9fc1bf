import Shared

extension SupervisorRuntime {
    /// A fresh region for a worker about to be spawned, its fd moved above the numbers the
    /// spawn assigns; `nil` (logged) when it cannot be made: the worker then runs without
    /// metrics rather than not at all.
    func makeMetricsRegion() -> MetricsRegion? {
        do {
            return try MetricsRegion.create(movingAbove: 100)
        } catch {
            self.logger.warning("worker metrics unavailable: \(error.description)")
            return nil
        }
    }

    /// Why `pid`'s exit replaces it (`MetricsLedger.restartReason`). Call before the policy
    /// forgets it.
    func restartReason(pid: Int32) -> String? {
        MetricsLedger.restartReason(pid: pid, policy: self.policy)
    }
}
