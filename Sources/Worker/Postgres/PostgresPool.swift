import Database
import NIOCore
import Shared

/// The worker's PostgreSQL connections (`PG_POOL_SIZE`), each used by one pool thread at a time.
public final class PostgresPool: Sendable {
    private let pool: BlockingPool<PostgresConnection>
    private let queryTimeout: Duration

    /// Creates the pool; connections open lazily (see `warmUp`).
    public init(config: Config, metrics: PoolMetrics? = nil) {
        let url = config.databaseURL
        let connectTimeout = Duration.milliseconds(config.connectTimeoutMilliseconds)
        self.queryTimeout = .milliseconds(config.queryTimeoutMilliseconds)
        self.pool = BlockingPool(
            name: "postgres",
            size: config.postgresPoolSize,
            maxQueued: config.postgresPoolSize * 64,
            connect: { try PostgresConnection.connect(url: url, timeout: connectTimeout) },
            isUsable: { $0.isUsable },
            metrics: metrics
        )
    }

    /// Runs `body` with a connection on a pool thread. Use the connection's own timeouts.
    public func withConnection<Result: Sendable>(
        on eventLoop: any EventLoop,
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) -> EventLoopFuture<Result> {
        self.pool.run(on: eventLoop, breaks: Self.breaks, body)
    }

    /// Runs one parameterised statement with the configured query timeout.
    public func query(
        _ sql: String,
        _ parameters: [String?] = [],
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<PostgresRows> {
        let timeout = self.queryTimeout
        return self.withConnection(on: eventLoop) { try $0.query(sql, parameters, timeout: timeout) }
    }

    /// `SELECT 1` within `timeout` (connecting first if needed, within the same budget).
    func ping(on eventLoop: any EventLoop, timeout: Duration) -> EventLoopFuture<Void> {
        self.pool.run(on: eventLoop, breaks: Self.breaks, retryOnStale: true) { connection in
            _ = try connection.query("SELECT 1", timeout: timeout)
        }
    }

    /// Opens a first connection in the background.
    func warmUp(on eventLoop: any EventLoop) { self.pool.warmUp(on: eventLoop) }

    /// Closes every connection (`PQfinish` sends PostgreSQL a clean goodbye).
    func shutdown() { self.pool.shutdown() }

    private static func breaks(_ error: any Error) -> Bool {
        (error as? PostgresError)?.breaksConnection ?? true
    }
}
