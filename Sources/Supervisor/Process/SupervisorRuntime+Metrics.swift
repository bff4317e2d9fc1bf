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

    /// Why `pid`'s exit replaces it, for `saas_api_worker_restarts_total`; `nil` when its slot
    /// gets no replacement for it (stopping, scaled away). Call before the policy forgets it.
    func restartReason(pid: Int32) -> String? {
        guard let worker = self.policy.workers[pid] else { return nil }
        switch self.policy.phase {
        case .stopping, .halting, .exited: return nil
        case .booting, .running: break
        }
        if case .aborting = worker.state { return "hung" }
        if worker.recycleQueued { return "recycle" }
        if worker.retiring { return worker.generation < self.policy.generation ? "reload" : nil }
        return "crash"
    }
}
