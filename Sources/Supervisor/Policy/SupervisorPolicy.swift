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
    private(set) var phase: Phase
    private(set) var slots: [SlotRecord]
    private(set) var workers: [Int32: WorkerRecord] = [:]
    private(set) var generation = 1
    private var exitCode: Int32 = 0
    /// The most recent boot error any worker reported, for the startup-timeout message.
    private var lastWorkerError: String?
    private var lastStatus = ""

    init(settings: PolicySettings, now: UInt64) {
        self.settings = settings
        self.phase = .booting(deadline: now &+ settings.startupTimeout)
        self.slots = (0..<settings.workers).map { SlotRecord(index: $0, spawnAt: now) }
    }

    // MARK: - Events

    /// Spawns whatever is due; call first and on every tick.
    mutating func tick(now: UInt64) -> [PolicyAction] {
        var actions: [PolicyAction] = []
        switch self.phase {
        case .booting(let deadline) where now >= deadline:
            let reason = self.lastWorkerError.map { "last worker error: \($0)" } ?? "no worker error was reported"
            let seconds = self.settings.startupTimeout / PolicySettings.second
            actions.append(.log(.critical, "no worker became ready within \(seconds) s; stopping (\(reason))"))
            actions += self.beginHalt(exitCode: 1)
        case .booting, .running:
            for index in self.slots.indices {
                guard let due = self.slots[index].spawnAt, due <= now else { continue }
                self.slots[index].spawnAt = nil
                actions.append(.spawn(slot: index, generation: self.generation))
            }
            actions += self.checkDeadlines(now: now)
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
        return actions
    }

    /// The edge started a worker.
    mutating func spawned(slot: Int, generation: Int, pid: Int32, now: UInt64) -> [PolicyAction] {
        self.workers[pid] = WorkerRecord(pid: pid, slot: slot, generation: generation, now: now)
        return self.statusAction()
    }

    /// The edge could not start a worker (e.g. `posix_spawn` failed): retry with backoff.
    mutating func spawnFailed(slot: Int, error: String, now: UInt64) -> [PolicyAction] {
        self.lastWorkerError = error
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
        if case .booting = self.phase, self.readyCount == self.settings.workers {
            self.phase = .running
            actions.append(.allReady(workers: self.readyCount))
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
        return []
    }

    /// A worker reported why it cannot start.
    mutating func fatal(pid: Int32, message: String) -> [PolicyAction] {
        self.workers[pid]?.fatalMessage = message
        self.lastWorkerError = message
        return []
    }

    /// `waitpid` reaped a worker.
    mutating func exited(pid: Int32, how: WorkerExit, now: UInt64) -> [PolicyAction] {
        guard let worker = self.workers.removeValue(forKey: pid) else { return [] }
        var actions: [PolicyAction] = []
        switch self.phase {
        case .stopping, .halting:
            actions.append(.log(.info, "worker \(worker.slot) (pid \(pid)) \(Self.describe(how))"))
            if self.workers.isEmpty {
                self.phase = .exited
                actions.append(.log(.info, "all workers stopped; exiting"))
                actions.append(.exit(self.exitCode))
            }
            return actions
        case .booting, .running:
            break
        case .exited:
            return []
        }
        let ranStable = worker.readyAt.map { now &- $0 >= self.settings.stableRun } ?? false
        let bootFailure = how == .exited(WorkerLaunch.exitBootFailure)
        var message = "worker \(worker.slot) (pid \(pid)) \(Self.describe(how))"
        if bootFailure, let fatal = worker.fatalMessage { message += ": \(fatal)" }
        if case .signaled(SIGKILL) = how, case .ready = worker.state { message += " (possibly out of memory?)" }
        actions.append(.log(.error, message))
        actions += self.scheduleRestart(slot: worker.slot, now: now, early: !ranStable)
        return actions + self.statusAction()
    }

    /// `SIGTERM` / `SIGINT`: drain every worker, then exit 0.
    mutating func gracefulStop(now: UInt64) -> [PolicyAction] {
        switch self.phase {
        case .booting, .running:
            break
        case .stopping, .halting, .exited:
            return []
        }
        self.phase = .stopping(deadline: now &+ self.settings.shutdownTimeout)
        for index in self.slots.indices { self.slots[index].spawnAt = nil }
        var actions: [PolicyAction] = [
            .stopping, .log(.info, "stopping gracefully: draining \(self.workers.count) workers"),
        ]
        for pid in self.workers.keys.sorted() {
            self.workers[pid]?.state = .draining(deadline: now &+ self.settings.shutdownTimeout)
            actions.append(.signal(pid: pid, signal: SIGTERM))
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
        return [.stopping, .log(.warning, "stopping immediately")] + self.beginHalt(exitCode: 0)
    }

    // MARK: - Queries

    /// When the policy next needs a `tick`, if ever.
    var nextDeadline: UInt64? {
        var deadlines: [UInt64] = self.slots.compactMap(\.spawnAt)
        switch self.phase {
        case .booting(let deadline), .stopping(let deadline): deadlines.append(deadline)
        case .running, .halting, .exited: break
        }
        for worker in self.workers.values {
            switch worker.state {
            case .starting: deadlines.append(worker.spawnedAt &+ self.settings.startupTimeout)
            case .ready: deadlines.append(worker.lastHeartbeat &+ self.settings.heartbeatTimeout)
            case .draining(let deadline), .aborting(let deadline): deadlines.append(deadline)
            }
        }
        return deadlines.min()
    }

    /// Workers in the `ready` state.
    var readyCount: Int {
        self.workers.values.count { $0.state == .ready }
    }

    /// Requests served by the workers alive now.
    var requestsServed: UInt64 {
        self.workers.values.reduce(0) { $0 &+ $1.requests }
    }

    // MARK: - Private

    private mutating func beginHalt(exitCode: Int32) -> [PolicyAction] {
        self.exitCode = exitCode
        for index in self.slots.indices { self.slots[index].spawnAt = nil }
        if self.workers.isEmpty {
            self.phase = .exited
            return [.exit(exitCode)]
        }
        self.phase = .halting
        return self.workers.keys.sorted().map { .signal(pid: $0, signal: SIGKILL) }
    }

    private mutating func scheduleRestart(slot: Int, now: UInt64, early: Bool) -> [PolicyAction] {
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

    /// Hung or never-ready workers, and drains that overran.
    private mutating func checkDeadlines(now: UInt64) -> [PolicyAction] {
        var actions: [PolicyAction] = []
        for pid in self.workers.keys.sorted() {
            guard let worker = self.workers[pid] else { continue }
            switch worker.state {
            case .starting where now >= worker.spawnedAt &+ self.settings.startupTimeout:
                actions.append(
                    .log(.error, "worker \(worker.slot) (pid \(pid)) did not become ready in time; aborting it")
                )
                actions += self.abort(pid, now: now)
            case .ready where now >= worker.lastHeartbeat &+ self.settings.heartbeatTimeout:
                let seconds = self.settings.heartbeatTimeout / PolicySettings.second
                actions.append(
                    .log(.error, "worker \(worker.slot) (pid \(pid)) sent no heartbeat for \(seconds) s; aborting it")
                )
                actions += self.abort(pid, now: now)
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

    private mutating func abort(_ pid: Int32, now: UInt64) -> [PolicyAction] {
        self.workers[pid]?.state = .aborting(deadline: now &+ self.settings.killGrace)
        return [.signal(pid: pid, signal: SIGABRT)]
    }

    private mutating func statusAction() -> [PolicyAction] {
        let status = "\(self.readyCount)/\(self.settings.workers) workers ready, \(self.requestsServed) requests served"
        guard status != self.lastStatus else { return [] }
        self.lastStatus = status
        return [.status(status)]
    }

    static func describe(_ how: WorkerExit) -> String {
        switch how {
        case .exited(0): return "exited normally"
        case .exited(WorkerLaunch.exitBootFailure): return "failed to boot (exit \(WorkerLaunch.exitBootFailure))"
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "was killed by \(signalName(signal))"
        }
    }
}

/// `SIGKILL` for 9, and so on; `signal 64` for the rest.
func signalName(_ signal: Int32) -> String {
    let names: [Int32: String] = [
        SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
        SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV",
        SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2",
    ]
    return names[signal] ?? "signal \(signal)"
}
