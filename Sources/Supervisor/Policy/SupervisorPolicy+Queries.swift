/// What the policy knows, read by the edge (poll timeout, status) and by the policy itself.
extension SupervisorPolicy {
    /// When the policy next needs a `tick`, if ever.
    var nextDeadline: UInt64? {
        var deadlines: [UInt64] = self.slots.compactMap(\.spawnAt)
        switch self.phase {
        case .booting(let deadline), .stopping(let deadline): deadlines.append(deadline)
        case .running, .halting, .exited: break
        }
        if let ping = self.nextWatchdogPing { deadlines.append(ping) }
        for worker in self.workers.values {
            switch worker.state {
            case .starting: deadlines.append(worker.spawnedAt &+ self.settings.startupTimeout)
            case .ready: deadlines.append(worker.lastHeartbeat &+ self.settings.heartbeatTimeout)
            case .draining(let deadline), .aborting(let deadline): deadlines.append(deadline)
            }
        }
        return deadlines.min()
    }

    /// Workers in the `ready` state that their slot counts on.
    var readyCount: Int {
        self.workers.values.count { $0.state == .ready && !$0.retiring }
    }

    /// Requests served since the supervisor started, by live and exited workers.
    var requestsServed: UInt64 {
        self.workers.values.reduce(self.requestsOfExitedWorkers) { $0 &+ $1.requests }
    }

    /// Still waiting for the first generation.
    var isBooting: Bool {
        if case .booting = self.phase { return true }
        return false
    }
}
