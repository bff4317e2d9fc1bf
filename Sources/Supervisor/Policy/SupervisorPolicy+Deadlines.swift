import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Restart scheduling and the deadlines of single workers: never-ready, hung (no heartbeat,
/// including `SIGSTOP`), and drains or aborts that overran.
extension SupervisorPolicy {
    /// Schedules `slot`'s next worker: at once after a stable run, else after the backoff.
    mutating func scheduleRestart(slot: Int, now: UInt64, early: Bool) -> [PolicyAction] {
        if early {
            self.slots[slot].consecutiveFailures += 1
        } else {
            self.slots[slot].consecutiveFailures = 0
        }
        let delay = self.settings.backoff(afterFailures: self.slots[slot].consecutiveFailures)
        self.slots[slot].spawnAt = now &+ delay
        self.slots[slot].restarts += 1
        guard delay > 0 else { return [] }
        let milliseconds = delay / PolicySettings.millisecond
        return [
            .log(
                .warning,
                "restarting worker \(slot) in \(milliseconds) ms (failure \(self.slots[slot].consecutiveFailures) in a row)"
            )
        ]
    }

    /// Aborts hung or never-ready workers; kills drains and aborts that overran.
    mutating func checkDeadlines(now: UInt64) -> [PolicyAction] {
        var actions: [PolicyAction] = []
        for pid in self.workers.keys.sorted() {
            guard let worker = self.workers[pid] else { continue }
            switch worker.state {
            case .starting where now >= worker.spawnedAt &+ self.settings.startupTimeout:
                let seconds = self.settings.startupTimeout / PolicySettings.second
                actions += self.abortHung(worker, now: now, why: "did not become ready within \(seconds) s")
            case .ready where now >= worker.lastHeartbeat &+ self.settings.heartbeatTimeout:
                let seconds = self.settings.heartbeatTimeout / PolicySettings.second
                actions += self.abortHung(worker, now: now, why: "sent no heartbeat for \(seconds) s (hung or stopped)")
            case .draining(let deadline) where now >= deadline, .aborting(let deadline) where now >= deadline:
                actions.append(.log(.error, "worker \(worker.slot) (pid \(pid)) did not exit; killing it"))
                actions.append(.signal(pid: pid, signal: SIGKILL))
                self.workers[pid]?.state = .aborting(deadline: UInt64.max)
            default:
                break
            }
        }
        return actions
    }

    /// `SIGABRT` now, `SIGKILL` after the grace; the slot gets its replacement at once, so
    /// connections queued on its socket do not wait for the hung process to die.
    mutating func abortHung(_ worker: WorkerRecord, now: UInt64, why: String) -> [PolicyAction] {
        let pid = worker.pid
        var actions: [PolicyAction] = [.log(.error, "worker \(worker.slot) (pid \(pid)) \(why); aborting it")]
        actions.append(.signal(pid: pid, signal: SIGABRT))
        self.workers[pid]?.state = .aborting(deadline: now &+ self.settings.killGrace)
        let wasActive = worker.isActive
        self.workers[pid]?.retiring = true
        if self.activeReplacement?.newPID == pid {
            return actions + self.failReplacement("its new worker (pid \(pid)) \(why)", now: now)
        }
        guard wasActive else { return actions }
        return actions + self.refill(slot: worker.slot, after: worker, now: now)
    }
}
