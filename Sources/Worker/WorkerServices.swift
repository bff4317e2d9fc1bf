import Logging
import NIOCore
import NIOHTTP1
import Shared

/// Everything a request may need beyond itself, created once per worker.
final class WorkerServices: Sendable {
    /// The validated configuration.
    let config: Config
    /// PostgreSQL, as `app_rw`.
    let postgres: PostgresPool
    /// Redis.
    let redis: RedisPool
    /// Wall-clock start of the service (not of this worker), milliseconds since the epoch.
    let serviceStartMilliseconds: Int64
    /// Requests answered and in flight, read by the heartbeat, and the request histogram that
    /// the supervisor's `/metrics` reads from shared memory.
    let counters: RequestCounters
    /// Fresh trace and span ids (W3C `traceparent`).
    let traceIDs = TraceIDSource()
    /// `/health/ready` and the drain's `Connection: close` flag.
    let readiness = Readiness()
    let healthChecker: HealthChecker
    /// The `Date` header value, refreshed every second on the event loop.
    let httpDate: HTTPDate
    /// The access log's fast path when the process logs JSON lines (`nil` under journald).
    let accessLog: AccessLog?

    init(
        config: Config,
        eventLoop: any EventLoop,
        serviceStartMilliseconds: Int64,
        logger: Logger,
        metrics: MetricsRegion = .anonymous()
    ) {
        self.config = config
        self.counters = RequestCounters(region: metrics)
        self.postgres = PostgresPool(config: config, metrics: .postgres(metrics))
        self.redis = RedisPool(config: config, metrics: .redis(metrics))
        self.serviceStartMilliseconds = serviceStartMilliseconds
        self.httpDate = HTTPDate(eventLoop: eventLoop)
        self.accessLog = AccessLog.make(logger: logger, eventLoop: eventLoop)
        self.healthChecker = HealthChecker(
            eventLoop: eventLoop,
            postgres: self.postgres,
            redis: self.redis,
            timeoutMilliseconds: config.healthTimeoutMilliseconds,
            logger: logger,
            metrics: metrics
        )
    }
}

/// Per-worker request counters, in the worker's `MetricsRegion`: relaxed atomic adds on the
/// event loop, read by the heartbeat and, through shared memory, by the supervisor.
final class RequestCounters: Sendable {
    /// The shared memory the counts live in.
    let region: MetricsRegion

    init(region: MetricsRegion) {
        self.region = region
    }

    /// A request started.
    @inline(__always)
    func begin() { self.region.requestStarted() }

    /// A request's response was written: `status` after `nanoseconds`, for `method` on the
    /// route `route` (a `Router` route id, `nil` when none matched).
    @inline(__always)
    func end(method: HTTPMethod, status: UInt, route: Int?, nanoseconds: UInt64) {
        let key = MetricsLayout.seriesKey(method: method.metricsIndex, status: status, route: route)
        self.region.requestFinished(key: key, nanoseconds: nanoseconds)
    }

    /// A request ended without a response (the client went away).
    func abandon() { self.region.requestAbandoned() }

    /// Requests answered so far.
    var requests: UInt64 { self.region.requestCount() }
    /// Requests being handled now.
    var inFlight: Int { self.region.active }
}
