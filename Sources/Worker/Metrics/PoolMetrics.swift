import Shared

/// A connection pool's words in the worker's metrics region: connections idle and lent out
/// (gauges), borrows refused because the pool was full and connections that failed to open
/// (counters). Called from pool threads; every update is one relaxed atomic store or add.
struct PoolMetrics: Sendable {
    let region: MetricsRegion
    let idle: MetricsLayout.Word
    let used: MetricsLayout.Word
    let exhausted: MetricsLayout.Word
    let connectFailures: MetricsLayout.Word

    /// PostgreSQL's words in `region`.
    static func postgres(_ region: MetricsRegion) -> PoolMetrics {
        PoolMetrics(
            region: region,
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

    /// Opening a connection failed.
    func connectFailed() { self.region.add(self.connectFailures, 1) }
}
