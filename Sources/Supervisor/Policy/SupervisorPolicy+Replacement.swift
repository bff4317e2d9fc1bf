import Logging

/// Zero-downtime swaps, one slot at a time: `SIGHUP` reloads every slot with a new
/// generation; `max-requests` recycles one worker. Each swap starts the new worker on the
/// slot's socket, waits for its `ready`, then drains the old one. A new worker that fails
/// leaves the old one serving.
extension SupervisorPolicy {
    /// `SIGHUP`: replace every worker with one of a new generation, slot by slot.
    mutating func reload(now: UInt64) -> [PolicyAction] {
        guard self.phase == .running else {
            return [.log(.warning, "ignoring SIGHUP: the supervisor is \(self.isBooting ? "starting" : "stopping")")]
        }
        guard !self.reloading else {
            return [.log(.warning, "ignoring SIGHUP: a reload is already in progress")]
        }
        self.generation += 1
        self.reloading = true
        self.reloadFailure = nil
        // A reload replaces every slot anyway: queued recycles are dropped.
        self.replacementQueue = self.slots.indices.map { Replacement(slot: $0, reason: .reload) }
        for pid in self.workers.keys { self.workers[pid]?.recycleQueued = false }
        let count = self.slots.count
        return [
            .reloading,
            .log(.info, "reloading: replacing \(count) workers with generation \(self.generation), one slot at a time"),
        ] + self.startNextReplacement(now: now) + self.statusAction()
    }

    /// Queues a recycle when `pid` reached its request limit.
    mutating func recycleIfDue(pid: Int32) -> [PolicyAction] {
        guard let worker = self.workers[pid], let limit = worker.requestLimit, worker.requests >= limit,
            worker.state == .ready, !worker.retiring, !worker.recycleQueued, self.phase == .running
        else { return [] }
        self.workers[pid]?.recycleQueued = true
        self.replacementQueue.append(Replacement(slot: worker.slot, reason: .recycle(pid: pid)))
        return [
            .log(
                .info,
                "worker \(worker.slot) (pid \(pid)) served \(worker.requests) requests (limit \(limit)); recycling it"
            )
        ]
    }

    /// Starts the next queued swap if none runs; finishes the reload when nothing is left.
    mutating func startNextReplacement(now: UInt64) -> [PolicyAction] {
        var actions: [PolicyAction] = []
        while self.activeReplacement == nil, !self.replacementQueue.isEmpty {
            var next = self.replacementQueue.removeFirst()
            guard next.slot < self.slots.count, let old = self.currentWorker(ofSlot: next.slot) else { continue }
            if case .recycle(let pid) = next.reason, pid != old.pid { continue }
            next.oldPID = old.pid
            self.activeReplacement = next
            actions.append(.spawn(slot: next.slot, generation: self.generation))
        }
        if self.activeReplacement == nil, self.reloading {
            self.reloading = false
            actions.append(.log(.info, "reload complete: \(self.readyCount) workers of generation \(self.generation)"))
            actions.append(.reloaded)
            actions += self.statusAction()
        }
        return actions
    }

    /// The new worker is ready: drain the old one, go on with the next slot.
    mutating func completeReplacement(now: UInt64) -> [PolicyAction] {
        guard let replacement = self.activeReplacement else { return [] }
        self.activeReplacement = nil
        var actions: [PolicyAction] = []
        let newPID = replacement.newPID.map(String.init) ?? "?"
        if let old = replacement.oldPID, self.workers[old] != nil {
            actions.append(.log(.info, "worker \(replacement.slot): pid \(newPID) is ready; draining pid \(old)"))
            actions += self.retire(old, now: now)
        }
        return actions + self.startNextReplacement(now: now)
    }

    /// The swap's new worker failed: the old one keeps serving; a reload stops here.
    mutating func failReplacement(_ why: String, now: UInt64) -> [PolicyAction] {
        guard let replacement = self.activeReplacement else { return [] }
        self.activeReplacement = nil
        let keeps = replacement.oldPID.map { "the old worker (pid \($0)) keeps serving" } ?? "the slot is refilled"
        var actions: [PolicyAction] = []
        switch replacement.reason {
        case .reload:
            let left = self.replacementQueue.count { $0.reason == .reload }
            self.replacementQueue.removeAll { $0.reason == .reload }
            self.reloading = false
            self.reloadFailure = "worker \(replacement.slot): \(why)"
            actions.append(
                .log(
                    .error,
                    "reload failed at worker \(replacement.slot): \(why); \(keeps); \(left) later slots were not reloaded"
                )
            )
            actions.append(.reloaded)
            actions += self.statusAction()
        case .recycle:
            actions.append(.log(.error, "recycling worker \(replacement.slot) failed: \(why); \(keeps)"))
        }
        let slot = replacement.slot
        if slot < self.slots.count, self.slots[slot].spawnAt == nil,
            !self.workers.values.contains(where: { $0.slot == slot && $0.isActive })
        {
            actions += self.scheduleRestart(slot: slot, now: now, early: true)
        }
        return actions
    }

    /// The worker `slot` counts on now (ready preferred), if any.
    func currentWorker(ofSlot slot: Int) -> WorkerRecord? {
        let candidates = self.workers.values.filter { $0.slot == slot && $0.isActive }
        return candidates.first { $0.state == .ready } ?? candidates.first
    }
}
