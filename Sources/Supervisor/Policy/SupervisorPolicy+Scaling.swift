import Logging

/// `SIGTTIN` / `SIGTTOU`: one slot more or fewer, never fewer than one.
extension SupervisorPolicy {
    /// Adds a slot; the edge binds its socket when it spawns the slot's first worker.
    mutating func scaleUp(now: UInt64) -> [PolicyAction] {
        guard self.phase == .running || self.isBooting else {
            return [.log(.warning, "ignoring SIGTTIN: the supervisor is stopping")]
        }
        let slot = self.slots.count
        self.slots.append(SlotRecord(index: slot, spawnAt: now))
        return [.log(.info, "adding worker \(slot) (SIGTTIN): \(self.slots.count) workers")] + self.statusAction()
    }

    /// Drains the highest slot's workers away and closes its socket.
    mutating func scaleDown(now: UInt64) -> [PolicyAction] {
        guard self.phase == .running || self.isBooting else {
            return [.log(.warning, "ignoring SIGTTOU: the supervisor is stopping")]
        }
        guard self.slots.count > 1 else {
            return [.log(.warning, "ignoring SIGTTOU: already down to one worker")]
        }
        let slot = self.slots.count - 1
        self.slots.removeLast()
        self.replacementQueue.removeAll { $0.slot == slot }
        var actions: [PolicyAction] = [
            .log(.info, "removing worker \(slot) (SIGTTOU): \(self.slots.count) workers")
        ]
        if self.activeReplacement?.slot == slot {
            self.activeReplacement = nil
            actions += self.startNextReplacement(now: now)
        }
        for pid in self.workers.keys.sorted() where self.workers[pid]?.slot == slot {
            guard let worker = self.workers[pid], !worker.retiring else { continue }
            actions += self.retire(pid, now: now)
        }
        if case .booting = self.phase, self.readyCount >= self.slots.count {
            self.phase = .running
            actions.append(.allReady(workers: self.readyCount))
        }
        return actions + [.closeListener(slot: slot)] + self.statusAction()
    }
}
