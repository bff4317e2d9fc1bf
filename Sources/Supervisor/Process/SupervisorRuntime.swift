import Logging
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The supervisor's single-threaded loop: `poll(2)` over the `signalfd`, the workers' control
/// channels and the policy's next deadline. Executes the policy's actions; decides nothing.
final class SupervisorRuntime {
    private var policy: SupervisorPolicy
    private let listeners: ListenerSet
    private let spawner: WorkerSpawner
    private let signals: SignalChannel
    private let notifier = SystemdNotifier()
    private let logger: Logger
    private let serviceStartMilliseconds: Int64
    /// pid → the supervisor's end of that worker's control channel (removed at EOF).
    private var channels: [Int32: Int32] = [:]
    private var interruptCount = 0
    private var exitCode: Int32?

    init(config: Config, listeners: ListenerSet, signals: SignalChannel, logger: Logger) {
        let second = PolicySettings.second
        let settings = PolicySettings(
            workers: config.workers,
            startupTimeout: UInt64(config.startupTimeoutSeconds) * second,
            heartbeatTimeout: UInt64(config.workerTimeoutSeconds) * second,
            shutdownTimeout: UInt64(config.shutdownTimeoutSeconds) * second
        )
        self.policy = SupervisorPolicy(settings: settings, now: MonotonicClock.nanoseconds())
        self.listeners = listeners
        self.spawner = WorkerSpawner(config: config)
        self.signals = signals
        self.logger = logger
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        self.serviceStartMilliseconds = Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec / 1_000_000)
    }

    /// Runs until the policy says exit; returns the exit status.
    func run() -> Int32 {
        self.notifier.notify("MAINPID=\(getpid())")
        self.perform(self.policy.tick(now: MonotonicClock.nanoseconds()))
        while self.exitCode == nil {
            self.waitForEvents()
            self.perform(self.policy.tick(now: MonotonicClock.nanoseconds()))
        }
        return self.exitCode ?? 1
    }

    // MARK: - Events

    private func waitForEvents() {
        var fds = [pollfd(fd: self.signals.fd, events: Int16(POLLIN), revents: 0)]
        let owners = Array(self.channels)
        for (_, fd) in owners { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        var timeout: Int32 = -1
        if let deadline = self.policy.nextDeadline {
            let now = MonotonicClock.nanoseconds()
            timeout = deadline <= now ? 0 : Int32(min((deadline - now + 999_999) / 1_000_000, 60_000))
        }
        guard poll(&fds, nfds_t(fds.count), timeout) > 0 else { return }
        if fds[0].revents != 0 {
            for signal in self.signals.drain() { self.handle(signal: signal) }
        }
        for (index, (pid, fd)) in owners.enumerated() where fds[index + 1].revents != 0 {
            self.readControl(pid: pid, fd: fd)
        }
    }

    private func handle(signal: Int32) {
        let now = MonotonicClock.nanoseconds()
        switch signal {
        case SIGCHLD:
            self.reap(now: now)
        case SIGTERM:
            self.perform(self.policy.gracefulStop(now: now))
        case SIGINT:
            self.interruptCount += 1
            self.perform(self.interruptCount == 1 ? self.policy.gracefulStop(now: now) : self.policy.immediateStop())
        case SIGQUIT:
            self.perform(self.policy.immediateStop())
        default:
            self.logger.warning("ignoring \(signalName(signal)): not supported yet")
        }
    }

    private func reap(now: UInt64) {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            if let fd = self.channels.removeValue(forKey: pid) {
                self.readControl(pid: pid, fd: fd)  // a last `fatal` may be waiting
                close(fd)
            }
            let low = status & 0x7F
            let how: WorkerExit = low == 0 ? .exited((status >> 8) & 0xFF) : .signaled(low)
            self.perform(self.policy.exited(pid: pid, how: how, now: now))
        }
    }

    private func readControl(pid: Int32, fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count == 0 {  // EOF: the worker is gone; SIGCHLD will reap it
                if self.channels.removeValue(forKey: pid) != nil { close(fd) }
                return
            }
            guard count > 0 else { return }
            let now = MonotonicClock.nanoseconds()
            for message in ControlMessage.decode(buffer[0..<count]) {
                switch message {
                case .ready:
                    self.perform(self.policy.ready(pid: pid, now: now))
                case .heartbeat(let requests, let inFlight):
                    self.perform(self.policy.heartbeat(pid: pid, requests: requests, inFlight: inFlight, now: now))
                case .draining:
                    break
                case .fatal(let text):
                    self.perform(self.policy.fatal(pid: pid, message: text))
                }
            }
        }
    }

    // MARK: - Actions

    private func perform(_ actions: [PolicyAction]) {
        for action in actions {
            switch action {
            case .spawn(let slot, let generation):
                self.spawn(slot: slot, generation: generation)
            case .signal(let pid, let signal):
                kill(pid, signal)
            case .log(let level, let message):
                self.logger.log(level: level, "\(message)")
            case .allReady(let workers):
                self.logger.info("listening on \(self.listeners.address), \(workers) workers ready")
                self.notifier.notify("READY=1")
            case .status(let text):
                self.notifier.notify("STATUS=\(text)")
            case .stopping:
                self.notifier.notify("STOPPING=1")
            case .exit(let code):
                self.exitCode = code
            }
        }
    }

    private func spawn(slot: Int, generation: Int) {
        let now = MonotonicClock.nanoseconds()
        let fds = self.listeners.fds(forSlot: slot)
        let launch = WorkerLaunch(
            slot: slot,
            generation: generation,
            listenerCount: fds.count,
            supervisorPID: getpid(),
            serviceStartMilliseconds: self.serviceStartMilliseconds
        )
        do {
            let spawned = try self.spawner.spawn(launch: launch, listeners: fds)
            self.channels[spawned.pid] = spawned.controlFD
            self.logger.debug("spawned worker \(slot) (pid \(spawned.pid), generation \(generation))")
            self.perform(self.policy.spawned(slot: slot, generation: generation, pid: spawned.pid, now: now))
        } catch {
            self.perform(self.policy.spawnFailed(slot: slot, error: error.description, now: now))
        }
    }
}
