import Logging
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The supervisor's decisions as a pure value: events and a clock go in, actions come out.
///
/// No processes, fds or signals here, so every transition is unit tested with a fake clock.
/// Slots hold sockets; workers come and go in them. A worker that dies after a stable run is
/// replaced at once; one that dies young is replaced after an exponential, capped backoff.
/// Reloads and recycles live in `SupervisorPolicy+Replacement.swift`, scaling in
/// `SupervisorPolicy+Scaling.swift`.
struct SupervisorPolicy {
    /// The supervisor's phase.
    enum Phase: Equatable {
        /// Waiting for the first generation to become ready, until `deadline`.
        case booting(deadline: UInt64)
        /// Serving.
        case running
        /// Graceful stop: waiting for workers to drain, `SIGKILL` at `deadline`.
        case stopping(deadline: UInt64)
        /// Immediate stop: workers killed, waiting to reap them.
        case halting
        /// Done; an `exit` action was issued.
        case exited
    }

    let settings: PolicySettings
    var phase: Phase
    var slots: [SlotRecord]
    var workers: [Int32: WorkerRecord] = [:]
    /// Generation of the workers spawned now: 1 at start, +1 per reload.
    var generation = 1
    /// Swaps waiting to start, in order; one runs at a time (`activeReplacement`).
    var replacementQueue: [Replacement] = []
    var activeReplacement: Replacement?
    /// A `SIGHUP` reload is in progress.
    var reloading = false
    private var exitCode: Int32 = 0
    /// Why the supervisor halts on its own: repeated as the very last log line.
    private var haltReason: String?
    /// The most recent boot error any worker reported, for the startup-timeout message.
    private var lastWorkerError: String?
    private var lastStatus = ""
    /// Requests served by workers that have exited, so `STATUS` counts every request.
    var requestsOfExitedWorkers: UInt64 = 0
    /// Why the last reload failed; shown in `STATUS` until the next reload starts.
    var reloadFailure: String?
    /// When the next systemd watchdog ping is due (`nil`: the watchdog is off).
    var nextWatchdogPing: UInt64?
    /// Pings are being withheld because no worker heartbeat is fresh (logged once).
    var watchdogWithheld = false
    /// SplitMix64 state for the max-requests jitter.
    private var randomState: UInt64

    init(settings: PolicySettings, now: UInt64, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) {
        self.settings = settings
        self.phase = .booting(deadline: now &+ settings.startupTimeout)
        self.slots = (0..<settings.workers).map { SlotRecord(index: $0, spawnAt: now) }
        self.randomState = seed
        self.nextWatchdogPing = settings.watchdogInterval > 0 ? now : nil
    }

    // MARK: - Events

    /// Spawns whatever is due and enforces deadlines; call first and on every wake-up.
    mutating func tick(now: UInt64) -> [PolicyAction] {
        var actions: [PolicyAction] = []
        switch self.phase {
        case .booting(let deadline) where now >= deadline:
            let seconds = self.settings.startupTimeout / PolicySettings.second
            if self.readyCount > 0 {
                self.phase = .running
                actions.append(
                    .log(.warning, "only \(self.readyCount)/\(self.slots.count) workers ready after \(seconds) s")
                )
                actions.append(.allReady(workers: self.readyCount))
                actions += self.watchdogPingNow(now: now)
                return actions + self.tick(now: now)
            }
            let reason = self.lastWorkerError.map { "last worker error: \($0)" } ?? "no worker error was reported"
            actions += self.beginHalt(exitCode: 1, reason: "no worker became ready within \(seconds) s (\(reason))")
        case .booting, .running:
            // Deadlines first: a hung worker's replacement is spawned in the same tick.
            actions += self.checkDeadlines(now: now)
            for index in self.slots.indices {
                guard let due = self.slots[index].spawnAt, due <= now else { continue }
                self.slots[index].spawnAt = nil
                actions.append(.spawn(slot: index, generation: self.generation))
            }
            if self.phase == .running { actions += self.startNextReplacement(now: now) }
        case .stopping(let deadline):
            if now >= deadline {
                for worker in self.workers.values.sorted(by: { $0.pid < $1.pid }) {
                    actions.append(
                        .log(.warning, "worker \(worker.slot) (pid \(worker.pid)) did not drain in time; killing it")
                    )
                    actions.append(.signal(pid: worker.pid, signal: SIGKILL))
                }
                self.phase = .halting
            }
        case .halting, .exited:
            break
        }
        return actions + self.watchdogTick(now: now)
    }

    /// The edge started a worker.
    mutating func spawned(slot: Int, generation: Int, pid: Int32, now: UInt64) -> [PolicyAction] {
        var worker = WorkerRecord(pid: pid, slot: slot, generation: generation, now: now)
        if self.settings.maxRequests > 0 {
            worker.requestLimit = self.settings.maxRequests &+ self.nextRandom(upTo: self.settings.maxRequestsJitter)
        }
        self.workers[pid] = worker
        if var replacement = self.activeReplacement, replacement.slot == slot, replacement.newPID == nil {
            replacement.newPID = pid
            self.activeReplacement = replacement
        }
        return self.statusAction()
    }

    /// The edge could not start a worker (e.g. `posix_spawn` or binding failed): retry with
    /// backoff, or give up a reload step.
    mutating func spawnFailed(slot: Int, error: String, now: UInt64) -> [PolicyAction] {
        self.lastWorkerError = error
        if let replacement = self.activeReplacement, replacement.slot == slot, replacement.newPID == nil {
            return self.failReplacement("could not start its new worker: \(error)", now: now)
        }
        guard slot < self.slots.count else { return [] }
        return [.log(.error, "could not start worker \(slot): \(error)")]
            + self.scheduleRestart(slot: slot, now: now, early: true)
    }

    /// A worker sent `ready`.
    mutating func ready(pid: Int32, now: UInt64) -> [PolicyAction] {
        guard var worker = self.workers[pid], worker.state == .starting else { return [] }
        worker.state = .ready
        worker.readyAt = now
        worker.lastHeartbeat = now
        self.workers[pid] = worker
        var actions: [PolicyAction] = []
        if case .booting = self.phase, self.readyCount == self.slots.count {
            self.phase = .running
            actions.append(.allReady(workers: self.readyCount))
            actions += self.watchdogPingNow(now: now)
        }
        if let replacement = self.activeReplacement, replacement.newPID == pid {
            actions += self.completeReplacement(now: now)
        }
        return actions + self.statusAction()
    }

    /// A worker sent a heartbeat.
    mutating func heartbeat(pid: Int32, requests: UInt64, inFlight: Int, now: UInt64) -> [PolicyAction] {
        guard var worker = self.workers[pid] else { return [] }
        worker.lastHeartbeat = now
        worker.requests = requests
        worker.inFlight = inFlight
        self.workers[pid] = worker
        return self.recycleIfDue(pid: pid) + self.statusAction()
    }

    /// A worker reported why it cannot start.
    mutating func fatal(pid: Int32, message: String) -> [PolicyAction] {
        self.workers[pid]?.fatalMessage = message
        self.lastWorkerError = message
        return []
    }

    /// A worker said it is draining. If nobody asked it to (someone sent it `SIGTERM`), its
    /// slot gets a new worker now, while it finishes its requests.
    mutating func draining(pid: Int32, now: UInt64) -> [PolicyAction] {
        guard let worker = self.workers[pid], worker.isActive else { return [] }
        guard self.phase == .running || self.isBooting else { return [] }
        self.workers[pid]?.retiring = true
        self.workers[pid]?.state = .draining(deadline: self.settings.drainDeadline(from: now, delayed: false))
        if self.activeReplacement?.newPID == pid {
            return self.failReplacement("its new worker (pid \(pid)) began draining before it was ready", now: now)
        }
        return [.log(.warning, "worker \(worker.slot) (pid \(pid)) is draining on its own; replacing it")]
            + self.refill(slot: worker.slot, after: worker, now: now)
    }

    /// `waitpid` reaped a worker.
    mutating func exited(pid: Int32, how: WorkerExit, now: UInt64) -> [PolicyAction] {
        guard let worker = self.workers.removeValue(forKey: pid) else { return [] }
        self.requestsOfExitedWorkers &+= worker.requests
        var actions: [PolicyAction] = []
        switch self.phase {
        case .stopping, .halting:
            actions.append(.log(.info, "worker \(worker.slot) (pid \(pid)) \(how)"))
            if self.workers.isEmpty {
                self.phase = .exited
                if let reason = self.haltReason {
                    actions.append(.log(.critical, "exiting with status \(self.exitCode): \(reason)"))
                } else {
                    actions.append(.log(.info, "all workers stopped; exiting"))
                }
                actions.append(.exit(self.exitCode))
            }
            return actions
        case .booting, .running:
            break
        case .exited:
            return []
        }
        var message = "worker \(worker.slot) (pid \(pid)) \(how)"
        if let fatal = worker.fatalMessage { message += ": \(fatal)" }
        if worker.retiring {
            let clean = how == .exited(0) || how == .signaled(SIGKILL) || how == .signaled(SIGABRT)
            actions.append(.log(clean ? .info : .warning, message))
        } else if self.activeReplacement?.newPID == pid {
            let fatal = worker.fatalMessage.map { ": \($0)" } ?? ""
            actions += self.failReplacement("its new worker (pid \(pid)) \(how)\(fatal)", now: now)
        } else {
            actions.append(.log(.error, how.hint.map { "\(message) (\($0))" } ?? message))
            if self.activeReplacement?.oldPID == pid { self.activeReplacement?.oldPID = nil }
            actions += self.refill(slot: worker.slot, after: worker, now: now)
        }
        return actions + self.statusAction()
    }

    /// `SIGTERM` / `SIGINT`: drain every worker, then exit 0. Ready workers get the service's
    /// drain (readiness 503 at once, serving on for `DRAIN_DELAY`, then draining); the others,
    /// starting or already retiring, drain as they would anyway.
    mutating func gracefulStop(now: UInt64) -> [PolicyAction] {
        guard self.phase == .running || self.isBooting else { return [] }
        let delayed = self.settings.drainDelay > 0
        self.phase = .stopping(deadline: self.settings.drainDeadline(from: now, delayed: delayed))
        self.cancelPlans()
        var message = "stopping gracefully: draining \(self.workers.count) workers"
        if delayed {
            message += " after a \(self.settings.drainDelay / PolicySettings.millisecond) ms drain delay"
        }
        var actions: [PolicyAction] = [.stopping, .log(.info, message)]
        for pid in self.workers.keys.sorted() {
            guard let worker = self.workers[pid] else { continue }
            let leaves = worker.state == .ready && !worker.retiring
            self.workers[pid]?.state = .draining(deadline: self.settings.drainDeadline(from: now, delayed: leaves))
            actions.append(.signal(pid: pid, signal: leaves ? DrainTimeline.serviceStopSignal : SIGTERM))
        }
        if self.workers.isEmpty {
            self.phase = .exited
            actions.append(.exit(0))
        }
        return actions
    }

    /// A second `SIGINT`, or `SIGQUIT`: kill every worker and exit as soon as they are reaped.
    mutating func immediateStop() -> [PolicyAction] {
        switch self.phase {
        case .halting, .exited: return []
        default: break
        }
        return [.stopping, .log(.warning, "stopping immediately")] + self.beginHalt(exitCode: 0, reason: nil)
    }

    // MARK: - Shared steps

    /// Gives `slot` a new worker after `worker` left it: at once after a stable run, else
    /// with backoff. Nothing if the slot was scaled away or still has an active worker.
    mutating func refill(slot: Int, after worker: WorkerRecord, now: UInt64) -> [PolicyAction] {
        guard slot < self.slots.count, self.slots[slot].spawnAt == nil else { return [] }
        guard !self.workers.values.contains(where: { $0.slot == slot && $0.isActive }) else { return [] }
        let ranStable = worker.readyAt.map { now &- $0 >= self.settings.stableRun } ?? false
        return self.scheduleRestart(slot: slot, now: now, early: !ranStable)
    }

    /// Tells `pid` to drain (`SIGTERM`); its slot no longer counts on it.
    mutating func retire(_ pid: Int32, now: UInt64) -> [PolicyAction] {
        guard self.workers[pid] != nil else { return [] }
        self.workers[pid]?.retiring = true
        self.workers[pid]?.state = .draining(deadline: self.settings.drainDeadline(from: now, delayed: false))
        return [.signal(pid: pid, signal: SIGTERM)]
    }

    /// `STATUS=` when the line changed: `4/4 workers ready, 12345 requests served`, plus a
    /// reload in progress or the reason the last one failed.
    mutating func statusAction() -> [PolicyAction] {
        var status = "\(self.readyCount)/\(self.slots.count) workers ready, \(self.requestsServed) requests served"
        if self.reloading {
            status += "; reloading to generation \(self.generation)"
        } else if let failure = self.reloadFailure {
            status += "; reload failed: \(failure)"
        }
        guard status != self.lastStatus else { return [] }
        self.lastStatus = status
        return [.status(status)]
    }

    // MARK: - Private

    private mutating func beginHalt(exitCode: Int32, reason: String?) -> [PolicyAction] {
        self.exitCode = exitCode
        self.haltReason = reason
        self.cancelPlans()
        for index in self.slots.indices { self.slots[index].spawnAt = nil }
        var actions: [PolicyAction] = reason.map { [.log(.critical, "stopping: \($0)")] } ?? []
        if self.workers.isEmpty {
            self.phase = .exited
            if let reason { actions.append(.log(.critical, "exiting with status \(exitCode): \(reason)")) }
            return actions + [.exit(exitCode)]
        }
        self.phase = .halting
        return actions + self.workers.keys.sorted().map { .signal(pid: $0, signal: SIGKILL) }
    }

    private mutating func cancelPlans() {
        self.replacementQueue.removeAll()
        self.activeReplacement = nil
        self.reloading = false
        for index in self.slots.indices { self.slots[index].spawnAt = nil }
    }

    private mutating func nextRandom(upTo bound: UInt64) -> UInt64 {
        guard bound > 0 else { return 0 }
        self.randomState &+= 0x9E37_79B9_7F4A_7C15
        var z = self.randomState
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return (z ^ (z >> 31)) % (bound &+ 1)
    }
}
