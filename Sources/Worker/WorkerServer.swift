import Dispatch
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOPosix
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The worker's server: one event loop serving every inherited socket, the heartbeat, and the
/// graceful drain (`DrainSequence` decides: readiness 503, serving on for `DRAIN_DELAY` when
/// the service stops, then stop accepting, finish in-flight requests, close idle keep-alive
/// connections, close pools, exit 0).
final class WorkerServer: Sendable {
    private let config: Config
    private let launch: WorkerLaunch
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let services: WorkerServices
    private let quiescing: ServerQuiescingHelper
    private let signalQueue = DispatchQueue(label: "saas-api.signals")
    private let drained = ConditionLock(value: false)
    /// Changed on the event loop only (signals and timers hop there), so steps run in order.
    private let sequence: NIOLockedValueBox<DrainSequence>
    private let drainTimer = NIOLockedValueBox<Scheduled<Void>?>(nil)
    private let retained = Retained()
    private let control = NIOLockedValueBox<WorkerControlChannel?>(nil)
    /// How long a draining worker keeps an idle keep-alive connection open for a last request
    /// (answered with `Connection: close`). Closing an idle connection races a request the
    /// client may be sending at that moment; on a loaded machine a client can take well over
    /// half a second between two requests, so the window is generous. It costs a drain at most
    /// this long when clients hold idle connections, far below `SHUTDOWN_TIMEOUT`.
    static let drainLinger = TimeAmount.seconds(2)
    /// The drain budget when the supervisor is gone: an orphan must not linger.
    static let orphanDrainBudget = TimeAmount.milliseconds(1500)

    init(config: Config, launch: WorkerLaunch, logger: Logger) {
        self.config = config
        self.launch = launch
        self.logger = logger
        // One event loop per worker: workers are the unit of parallelism.
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let eventLoop = self.group.next()
        self.services = WorkerServices(
            config: config,
            eventLoop: eventLoop,
            serviceStartMilliseconds: launch.serviceStartMilliseconds,
            logger: logger,
            metrics: WorkerMetrics.region(for: launch, logger: logger)
        )
        self.quiescing = ServerQuiescingHelper(group: self.group)
        self.sequence = NIOLockedValueBox(DrainSequence(timeline: DrainTimeline(config: config)))
    }

    /// Serves the inherited sockets, reports `ready`, starts heartbeats and signal handling.
    func start() throws {
        let handlerRouter = Routes.makeRouter()
        TenantHook.announce(config: self.config, logger: self.logger)
        self.services.counters.region.publishRoutes(handlerRouter.templates)
        let services = self.services
        let logger = Logger(label: "saas-api.http")
        let requestIDs = RequestIDSource()
        let quiescing = self.quiescing
        let limits = HTTPLimits(config: self.config)
        let limiter = ConnectionLimiter(
            maxConnections: self.config.maxConnections,
            eventLoop: self.group.next(),
            logger: self.logger
        )

        let bootstrap = ServerBootstrap(group: self.group)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                    try channel.pipeline.syncOperations.addHandler(limiter.makeServerChannelHandler())
                }
            }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            // A client that shuts its side after its request still gets the answer
            // (`HTTPServerHandler.inputClosed`); NIO would otherwise close at the FIN.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(
                        HTTPServerHandler(
                            router: handlerRouter,
                            services: services,
                            logger: logger,
                            requestIDs: requestIDs,
                            limits: limits,
                            drainLinger: Self.drainLinger
                        )
                    )
                }
            }
        // Ready before the first accept: a worker that answers is one that takes work (its
        // pools connect in the background; their state is `/health`'s business, not readiness').
        // A check that lands on a new worker during a reload must never see `starting`.
        self.services.readiness.markReady()
        for index in 0..<self.launch.listenerCount {
            let fd = WorkerLaunch.firstListenerFD + Int32(index)
            _ = try bootstrap.withBoundSocket(fd).wait()
        }

        let eventLoop = self.group.next()
        if self.launch.slot == 0 {
            // Slot 0's budget check opens the pool's first connection: it is the warm-up.
            let budget = ConnectionBudget(config: self.config, logger: self.logger)
            budget.report(postgres: self.services.postgres, on: eventLoop)
        } else {
            self.services.postgres.warmUp(on: eventLoop)
        }
        self.services.redis.warmUp(on: eventLoop)

        let control = WorkerControlChannel(queue: self.signalQueue) { [self] in
            self.logger.warning("supervisor is gone; draining")
            self.drain(budget: Self.orphanDrainBudget)
        }
        self.control.withLockedValue { $0 = control }
        self.installSignalHandlers()
        control.send(.ready)

        let counters = self.services.counters
        // From the event loop itself: a blocked loop stops heartbeating, and the supervisor
        // notices.
        eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(500), delay: .seconds(1)) { [self] _ in
            if !control.send(.heartbeat(requests: counters.requests, inFlight: counters.inFlight)) {
                self.drain(budget: Self.orphanDrainBudget)
            }
        }
        self.retained.keep(control)
        self.logger.debug("worker ready", metadata: ["listeners": "\(self.launch.listenerCount)"])
    }

    /// Blocks the calling (main) thread until the drain finished, then releases resources.
    func waitUntilDrained() {
        self.drained.lock(whenValue: true)
        self.drained.unlock()
        self.services.postgres.shutdown()
        self.services.redis.shutdown()
        try? self.group.syncShutdownGracefully()
        self.logger.info("worker stopped")
    }

    /// Releases what `start` may have created after a failed start.
    func abandon() {
        try? self.group.syncShutdownGracefully()
    }

    /// Stops accepting, lets in-flight requests finish (with `Connection: close`), closes idle
    /// connections; gives up after `budget` (default `SHUTDOWN_TIMEOUT`). Idempotent; during a
    /// drain delay it cuts the delay short. Tells the supervisor, so a drain it did not ask for
    /// gets the slot a replacement at once.
    func drain(budget: TimeAmount? = nil) {
        let nanoseconds = budget.map { UInt64(max(0, $0.nanoseconds)) }
        self.advance { $0.drainNow(now: $1, budget: nanoseconds) }
    }

    /// The service stops (the supervisor's `SIGUSR1`): readiness 503 at once, every request
    /// still served for `DRAIN_DELAY`, then `drain()`.
    func leave() {
        self.advance { $0.leave(now: $1) }
    }

    /// Feeds one event to the drain sequence on the event loop and executes its steps.
    private func advance(_ event: @escaping @Sendable (inout DrainSequence, UInt64) -> [DrainSequence.Step]) {
        // A late signal once the drain finished: the loop may be shutting down already.
        guard self.sequence.withLockedValue({ $0.phase != .finished }) else { return }
        let eventLoop = self.group.next()
        eventLoop.execute {
            let (steps, next) = self.sequence.withLockedValue { sequence in
                let steps = event(&sequence, MonotonicClock.nanoseconds())
                return (steps, sequence.nextDeadline)
            }
            for step in steps { self.perform(step, on: eventLoop) }
            self.drainTimer.withLockedValue { timer in
                timer?.cancel()
                timer = next.map { deadline in
                    let wait = deadline &- min(deadline, MonotonicClock.nanoseconds())
                    return eventLoop.scheduleTask(in: .nanoseconds(Int64(wait))) {
                        self.advance { $0.tick(now: $1) }
                    }
                }
            }
        }
    }

    private func perform(_ step: DrainSequence.Step, on eventLoop: any EventLoop) {
        switch step {
        case .announce(let serviceStopping):
            self.services.readiness.markDrain(serviceStopping: serviceStopping)
            let delay = self.sequence.withLockedValue { $0.phase }
            if case .delaying = delay {
                self.logger.info(
                    "leaving the load balancer: readiness 503, serving \(self.config.drainDelaySeconds) s before draining",
                    metadata: ["in_flight": "\(self.services.counters.inFlight)"]
                )
            } else {
                self.logger.info("draining", metadata: ["in_flight": "\(self.services.counters.inFlight)"])
            }
            _ = self.control.withLockedValue { $0?.send(.draining) }
        case .quiesce:
            let promise = eventLoop.makePromise(of: Void.self)
            self.quiescing.initiateShutdown(promise: promise)
            promise.futureResult.whenComplete { _ in self.advance { sequence, _ in sequence.quiesced() } }
        case .finish(let timedOut):
            if timedOut { self.logger.warning("drain timed out; closing remaining connections") }
            self.finishDrain()
        }
    }

    private func finishDrain() {
        self.drained.lock()
        self.drained.unlock(withValue: true)
    }

    /// Blocks the drain signals in this thread and every thread created after it; call first
    /// thing in the process. libdispatch reads its signal sources through `signalfd`, which sees
    /// a blocked signal as pending: one that arrives while the worker boots waits for the source
    /// instead of being lost (ignored) or killing the process half-started.
    static func holdDrainSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signalNumber in [SIGTERM, SIGINT, DrainTimeline.serviceStopSignal] { sigaddset(&signals, signalNumber) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
    }

    private func installSignalHandlers() {
        // No SIG_IGN here: it would discard a signal pending since boot (`holdDrainSignals`).
        for signalNumber in [SIGTERM, SIGINT, DrainTimeline.serviceStopSignal] {
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: self.signalQueue)
            let serviceStops = signalNumber == DrainTimeline.serviceStopSignal
            source.setEventHandler { [self] in serviceStops ? self.leave() : self.drain() }
            source.resume()
            self.retained.keep(source as AnyObject)
        }
    }
}

/// Keeps Dispatch sources and the control channel alive for the life of the worker.
private final class Retained: @unchecked Sendable {
    private let lock = NIOLock()
    private var objects: [AnyObject] = []

    func keep(_ object: AnyObject) {
        self.lock.withLock { self.objects.append(object) }
    }
}
