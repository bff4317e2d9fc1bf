import Logging
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The supervisor's single-threaded loop: `poll(2)` over the `signalfd`, the control socket,
/// the workers' control channels and the policy's next deadline. Executes the policy's
/// actions; decides nothing.
final class SupervisorRuntime {
    private(set) var policy: SupervisorPolicy
    private var listeners: ListenerSet
    private let spawner: WorkerSpawner
    private let signals: SignalChannel
    private let statusServer: StatusServer?
    /// `/metrics`, when `METRICS_ADDRESS` is set.
    private let metricsServer: MetricsServer?
    /// Every worker's metrics region and the folded counts of exited ones.
    let ledger = MetricsLedger()
    private let notifier = SystemdNotifier()
    /// systemd's copy of the slot sockets (bound mode under systemd).
    private var store: SocketStore
    let logger: Logger
    private let serviceStartMilliseconds: Int64
    /// pid → the supervisor's end of that worker's control channel (removed at EOF).
    private var channels: [Int32: Int32] = [:]
    private var interruptCount = 0
    private var exitCode: Int32?

    init(
        config: Config,
        workerBinary: String,
        listeners: ListenerSet,
        signals: SignalChannel,
        statusServer: StatusServer?,
        metricsServer: MetricsServer? = nil,
        store: SocketStore,
        logger: Logger
    ) {
        let second = PolicySettings.second
        var settings = PolicySettings(
            workers: config.workers,
            startupTimeout: UInt64(config.startupTimeoutSeconds) * second,
            heartbeatTimeout: UInt64(config.workerTimeoutSeconds) * second,
            shutdownTimeout: UInt64(config.shutdownTimeoutSeconds) * second,
            maxRequests: UInt64(config.maxRequests),
            maxRequestsJitter: UInt64(config.maxRequestsJitter)
        )
        settings.drainDelay = UInt64(config.drainDelaySeconds) * second
        // Ping at half of WatchdogSec, as sd_watchdog_enabled(3) advises.
        settings.watchdogInterval = (SystemdNotifier().watchdogIntervalMicroseconds() ?? 0) * 1000 / 2
        self.store = store
        let now = MonotonicClock.nanoseconds()
        self.policy = SupervisorPolicy(settings: settings, now: now, seed: now ^ UInt64(getpid()))
        self.listeners = listeners
        self.spawner = WorkerSpawner(config: config, executablePath: workerBinary)
        self.signals = signals
        self.statusServer = statusServer
        self.metricsServer = metricsServer
        self.logger = logger
        self.serviceStartMilliseconds = WallClock.milliseconds()
    }

    /// Runs until the policy says exit; returns the exit status.
    func run() -> Int32 {
        self.notifier.notify("MAINPID=\(getpid())")
        self.perform(self.policy.tick(now: MonotonicClock.nanoseconds()))
        while self.exitCode == nil {
            self.waitForEvents()
            self.perform(self.policy.tick(now: MonotonicClock.nanoseconds()))
        }
        self.statusServer?.close()
        self.metricsServer?.close()
        return self.exitCode ?? 1
    }

    // MARK: - Events

    private func waitForEvents() {
        var fds = [pollfd(fd: self.signals.fd, events: Int16(POLLIN), revents: 0)]
        let statusFDs = self.statusServer?.pollFDs ?? []
        for fd in statusFDs { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        let metricsFDs = self.metricsServer?.pollRequests ?? []
        for request in metricsFDs { fds.append(pollfd(fd: request.fd, events: request.events, revents: 0)) }
        let owners = Array(self.channels)
        for (_, fd) in owners { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
        // Sleep until the next deadline: a crash loop in backoff costs no CPU.
        var timeout: Int32 = -1
        let deadlines = [self.policy.nextDeadline, self.statusServer?.nextDeadline, self.metricsServer?.nextDeadline]
            .compactMap { $0 }
        if let deadline = deadlines.min() {
            let now = MonotonicClock.nanoseconds()
            timeout = deadline <= now ? 0 : Int32(min((deadline - now + 999_999) / 1_000_000, 60_000))
        }
        let ready = poll(&fds, nfds_t(fds.count), timeout)
        let now = MonotonicClock.nanoseconds()
        self.statusServer?.expire(now: now)
        self.metricsServer?.expire(now: now)
        guard ready > 0 else { return }
        if fds[0].revents != 0 {
            for signal in self.signals.drain() { self.handle(signal: signal) }
        }
        for (index, fd) in statusFDs.enumerated() where fds[index + 1].revents != 0 {
            self.statusServer?.handle(fd: fd, now: now) { request in
                let report = StatusReport(
                    policy: self.policy,
                    ledger: self.ledger,
                    now: MonotonicClock.nanoseconds(),
                    pid: getpid()
                )
                return Array((request == .json ? report.json : report.text).utf8)
            }
        }
        for (index, request) in metricsFDs.enumerated() where fds[index + 1 + statusFDs.count].revents != 0 {
            self.metricsServer?.handle(fd: request.fd, now: now) {
                MetricsExposition.render(policy: self.policy, ledger: self.ledger, pid: getpid())
            }
        }
        let offset = 1 + statusFDs.count + metricsFDs.count
        // A channel closed during this pass may have had its fd number reused: skip it.
        for (index, (pid, fd)) in owners.enumerated() where fds[index + offset].revents != 0 && self.channels[pid] == fd
        {
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
        case SIGHUP:
            self.perform(self.policy.reload(now: now))
        case SIGTTIN:
            self.perform(self.policy.scaleUp(now: now))
        case SIGTTOU:
            self.perform(self.policy.scaleDown(now: now))
        default:
            self.logger.warning("ignoring \(signalName(signal))")
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
            self.ledger.exited(pid: pid, restartReason: self.restartReason(pid: pid))
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
                    self.ledger.sample(pid: pid, now: now)
                    self.perform(self.policy.heartbeat(pid: pid, requests: requests, inFlight: inFlight, now: now))
                case .draining:
                    self.perform(self.policy.draining(pid: pid, now: now))
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
            case .reloading:
                self.ledger.reloaded()
                let microseconds = MonotonicClock.nanoseconds() / 1000
                self.notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(microseconds)")
            case .reloaded:
                self.notifier.notify("READY=1")
            case .watchdog:
                self.notifier.notify("WATCHDOG=1")
            case .closeListener(let slot):
                self.listeners.release(slot: slot)
                self.store.remove(slot: slot)
            case .exit(let code):
                self.exitCode = code
            }
        }
    }

    private func spawn(slot: Int, generation: Int) {
        let now = MonotonicClock.nanoseconds()
        do {
            let fds = try self.listeners.fds(forSlot: slot)
            if !self.listeners.shared { self.store.update(slot: slot, fd: fds[0]) }
            let region = self.makeMetricsRegion()
            let launch = WorkerLaunch(
                slot: slot,
                generation: generation,
                listenerCount: fds.count,
                supervisorPID: getpid(),
                serviceStartMilliseconds: self.serviceStartMilliseconds,
                hasMetrics: region != nil
            )
            let spawned = try self.spawner.spawn(launch: launch, listeners: fds, metrics: region?.fd ?? -1)
            if let region {
                region.closeDescriptor()  // the worker has its own; the mapping stays
                self.ledger.spawned(pid: spawned.pid, slot: slot, region: region, now: now)
            }
            self.channels[spawned.pid] = spawned.controlFD
            self.logger.debug("spawned worker \(slot) (pid \(spawned.pid), generation \(generation))")
            self.perform(self.policy.spawned(slot: slot, generation: generation, pid: spawned.pid, now: now))
        } catch let error as ListenerSet.Failure {
            self.perform(self.policy.spawnFailed(slot: slot, error: error.description, now: now))
        } catch let error as WorkerSpawner.Failure {
            self.perform(self.policy.spawnFailed(slot: slot, error: error.description, now: now))
        } catch {
            self.perform(self.policy.spawnFailed(slot: slot, error: "\(error)", now: now))
        }
    }
}
