import Logging
import NIOCore
import Shared

/// Runs the `/health` dependency checks: `SELECT 1` and `PING`, concurrently, each bounded by
/// `HEALTH_TIMEOUT_MS`.
///
/// Requests that arrive while a check is in flight join it instead of starting another, so a
/// burst of health probes costs one PostgreSQL and one Redis round trip, and an outage never
/// piles up blocked calls. Nothing is cached: every answer comes from a check that completed
/// after the request arrived. Confined to its event loop.
final class HealthChecker: @unchecked Sendable {
    /// The outcome of one round of checks.
    struct Report: Sendable, Equatable {
        var database: Bool
        var redis: Bool
        var healthy: Bool { self.database && self.redis }
    }

    private let eventLoop: any EventLoop
    private let postgres: PostgresPool
    private let redis: RedisPool
    private let timeout: TimeAmount
    private let logger: Logger
    private var inFlight: EventLoopFuture<Report>?
    private var last: Report?
    /// Where `saas_api_dependency_up` reads the last outcome.
    private let metrics: MetricsRegion?

    init(
        eventLoop: any EventLoop,
        postgres: PostgresPool,
        redis: RedisPool,
        timeoutMilliseconds: Int,
        logger: Logger,
        metrics: MetricsRegion? = nil
    ) {
        self.metrics = metrics
        self.eventLoop = eventLoop
        self.postgres = postgres
        self.redis = redis
        self.timeout = .milliseconds(Int64(timeoutMilliseconds))
        self.logger = logger
    }

    /// The result of a check that completes after this call. Call on the event loop.
    func check() -> EventLoopFuture<Report> {
        self.eventLoop.preconditionInEventLoop()
        if let inFlight { return inFlight }
        let database = self.bounded(
            self.postgres.ping(on: self.eventLoop, timeout: .nanoseconds(self.timeout.nanoseconds)),
            "postgres"
        )
        let redis = self.bounded(self.redis.ping(on: self.eventLoop), "redis")
        let round = database.and(redis).map { Report(database: $0, redis: $1) }
        self.inFlight = round
        round.whenSuccess { report in
            self.inFlight = nil
            self.metrics?.set(.postgresUp, report.database ? 2 : 1)
            self.metrics?.set(.redisUp, report.redis ? 2 : 1)
            if report != self.last {
                self.logChange(from: self.last, to: report)
                self.last = report
            }
        }
        return round
    }

    /// `true` when `check` succeeds within the timeout; a late answer is ignored.
    private func bounded(_ check: EventLoopFuture<Void>, _ name: String) -> EventLoopFuture<Bool> {
        let promise = self.eventLoop.makePromise(of: Bool.self)
        let timer = self.eventLoop.scheduleTask(in: self.timeout) {
            promise.succeed(false)
        }
        check.whenComplete { result in
            timer.cancel()
            switch result {
            case .success:
                promise.succeed(true)
            case .failure(let error):
                self.logger.debug("health check failed", metadata: ["dependency": "\(name)", "error": "\(error)"])
                promise.succeed(false)
            }
        }
        return promise.futureResult
    }

    private func logChange(from old: Report?, to new: Report) {
        let text =
            "postgres \(new.database ? "connected" : "disconnected"), redis \(new.redis ? "connected" : "disconnected")"
        if old == nil && new.healthy {
            self.logger.info("dependencies: \(text)")
        } else if new.healthy {
            self.logger.notice("dependencies recovered: \(text)")
        } else {
            self.logger.warning("dependencies degraded: \(text)")
        }
    }
}
