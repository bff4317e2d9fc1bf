import Logging
import NIOCore
import Shared
import Synchronization

/// Everything a request may need beyond itself, created once per worker.
public final class WorkerServices: Sendable {
    /// The validated configuration.
    public let config: Config
    /// PostgreSQL, as `app_rw`.
    public let postgres: PostgresPool
    /// Redis.
    public let redis: RedisPool
    /// Wall-clock start of the service (not of this worker), milliseconds since the epoch.
    public let serviceStartMilliseconds: Int64
    /// Requests answered and in flight, read by the heartbeat.
    let counters = RequestCounters()
    /// `/health/ready` and the drain's `Connection: close` flag.
    let readiness = Readiness()
    let healthChecker: HealthChecker
    /// The `Date` header value, refreshed every second on the event loop.
    let httpDate: HTTPDate
    /// The access log's fast path when the process logs JSON lines (`nil` under journald).
    let accessLog: AccessLog?

    init(config: Config, eventLoop: any EventLoop, serviceStartMilliseconds: Int64, logger: Logger) {
        self.config = config
        self.postgres = PostgresPool(config: config)
        self.redis = RedisPool(config: config)
        self.serviceStartMilliseconds = serviceStartMilliseconds
        self.httpDate = HTTPDate(eventLoop: eventLoop)
        self.accessLog = AccessLog.make(logger: logger, eventLoop: eventLoop)
        self.healthChecker = HealthChecker(
            eventLoop: eventLoop,
            postgres: self.postgres,
            redis: self.redis,
            timeoutMilliseconds: config.healthTimeoutMilliseconds,
            logger: logger
        )
    }
}

/// Per-worker request counters (relaxed atomics: written on the event loop, read by anyone).
final class RequestCounters: Sendable {
    private let served = Atomic<UInt64>(0)
    private let active = Atomic<Int>(0)

    /// A request started.
    func begin() { self.active.wrappingAdd(1, ordering: .relaxed) }

    /// A request's response was written.
    func end() {
        self.active.wrappingSubtract(1, ordering: .relaxed)
        self.served.wrappingAdd(1, ordering: .relaxed)
    }

    /// A request ended without a response (the client went away).
    func abandon() { self.active.wrappingSubtract(1, ordering: .relaxed) }

    /// Requests answered so far.
    var requests: UInt64 { self.served.load(ordering: .relaxed) }
    /// Requests being handled now.
    var inFlight: Int { self.active.load(ordering: .relaxed) }
}
