import Shared

/// A connection pool's words in the worker's metrics region: connections idle and lent out
/// (gauges), borrows refused because the pool was full and connections that failed to open
/// (counters), the wait for a connection (histogram), and the dependency's state as the last
/// connection attempt saw it. Called from pool threads; every update is one or two relaxed
/// atomic stores or adds.
struct PoolMetrics: Sendable {
    let region: MetricsRegion
    let pool: MetricsLayout.Pool
    let up: MetricsLayout.Word
    let idle: MetricsLayout.Word
    let used: MetricsLayout.Word
    let exhausted: MetricsLayout.Word
    let connectFailures: MetricsLayout.Word

    /// PostgreSQL's words in `region`.
    static func postgres(_ region: MetricsRegion) -> PoolMetrics {
        PoolMetrics(
            region: region,
            pool: .postgres,
            up: .postgresUp,
            idle: .postgresIdle,
            used: .postgresUsed,
            exhausted: .postgresExhausted,
            connectFailures: .postgresConnectFailures
        )
    }

    /// Redis's words in `region`.
    static func redis(_ region: MetricsRegion) -> PoolMetrics {
        PoolMetrics(
            region: region,
            pool: .redis,
            up: .redisUp,
            idle: .redisIdle,
            used: .redisUsed,
            exhausted: .redisExhausted,
            connectFailures: .redisConnectFailures
        )
    }

    /// The idle list now holds `count` connections.
    func idle(_ count: Int) { self.region.set(self.idle, UInt64(count)) }

    /// A connection was lent out (`+1`) or came back or broke (`-1`).
    func lent(_ delta: Int) {
        if delta >= 0 {
            self.region.add(self.used, UInt64(delta))
        } else {
            self.region.subtract(self.used, UInt64(-delta))
        }
    }

    /// A borrow was refused: the pool's queue was full, or its queue deadline passed
    /// (`PoolError.overloaded`, `PoolError.timedOut`).
    func refused() { self.region.add(self.exhausted, 1) }

    /// An operation got its connection `nanoseconds` after it asked the pool.
    func waited(nanoseconds: UInt64) { self.region.poolWaited(self.pool, nanoseconds: nanoseconds) }

    /// A round trip carried `transactions` queued one-statement transactions (PostgreSQL's
    /// `TenantQueryBatcher`).
    func batched(_ transactions: Int) {
        self.region.add(.postgresBatches, 1)
        self.region.add(.postgresBatchedTransactions, UInt64(transactions))
    }

    /// A connection opened: the dependency is up (`saas_api_dependency_up` has a value from the
    /// pool's warm-up on, before any `/health`; `/health` overwrites it with its own checks).
    func connected() { self.region.set(self.up, 2) }

    /// Opening a connection failed: the dependency is down until a check says otherwise.
    func connectFailed() {
        self.region.add(self.connectFailures, 1)
        self.region.set(self.up, 1)
    }
}
