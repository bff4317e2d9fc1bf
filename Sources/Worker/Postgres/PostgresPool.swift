import Database
import NIOCore
import Shared

/// The worker's PostgreSQL connections (`PG_POOL_SIZE`), each used by one pool thread at a time.
///
/// Routes use `withTenant` (or, for the few non-tenant statements, `withoutTenant`); see
/// `docs/datamodel.md`. At check-in a connection is made clean or closed
/// (`PostgresConnection.resetForReuse`), so no transaction or tenant reaches the next request.
final class PostgresPool: Sendable {
    private let pool: BlockingPool<PostgresConnection>
    private let queryTimeout: Duration
    /// `queryAsTenant`'s transactions, several per round trip under load.
    private let batcher: TenantQueryBatcher

    /// Creates the pool; connections open lazily (see `warmUp`). An operation waits for a pool
    /// thread at most `DB_QUERY_TIMEOUT_MS`, then fails with `PoolError.timedOut` (503).
    convenience init(config: Config, metrics: PoolMetrics? = nil) {
        self.init(
            url: config.databaseURL,
            size: config.postgresPoolSize,
            connectTimeout: .milliseconds(config.connectTimeoutMilliseconds),
            queryTimeout: .milliseconds(config.queryTimeoutMilliseconds),
            metrics: metrics
        )
    }

    /// A pool of `size` connections to `url` (`queryTimeout`: `statement_timeout` of every
    /// transaction, and the longest wait in the queue); `metrics`: its gauges and errors.
    init(
        url: String,
        size: Int,
        connectTimeout: Duration,
        queryTimeout: Duration,
        maxQueued: Int? = nil,
        metrics: PoolMetrics? = nil
    ) {
        self.queryTimeout = queryTimeout
        let resetTimeout = queryTimeout + PostgresConnection.timeoutGrace
        let queueTimeout = TimeAmount.nanoseconds(
            queryTimeout.components.seconds * 1_000_000_000 + queryTimeout.components.attoseconds / 1_000_000_000
        )
        self.pool = BlockingPool(
            name: "postgres",
            size: size,
            maxQueued: maxQueued ?? size * 64,
            queueTimeout: queueTimeout,
            connect: {
                let connection = try PostgresConnection.connect(url: url, timeout: connectTimeout)
                // Prepared statements on a direct connection; never through PgBouncer.
                try connection.enableStatementCache(timeout: connectTimeout)
                return connection
            },
            isUsable: { $0.isUsable },
            reset: { $0.resetForReuse(timeout: resetTimeout) },
            metrics: metrics
        )
        self.batcher = TenantQueryBatcher(
            pool: self.pool,
            statementTimeout: queryTimeout,
            queueTimeout: queueTimeout,
            metrics: metrics
        )
    }

    /// Runs `body` in a transaction of tenant `store` on a pool thread (see
    /// `PostgresConnection.withTenant`): row-level security shows only that store's rows.
    /// Cancelling the calling task rolls the transaction back before its next statement.
    ///
    /// ```swift
    /// let count = try await postgres.withTenant(storeID, readOnly: true, on: eventLoop) { tx in
    ///     try tx.query("SELECT count(*) AS n FROM app.orders").first?.int("n") ?? 0
    /// }
    /// ```
    @discardableResult
    func withTenant<T: Sendable>(
        _ store: UUID,
        readOnly: Bool = false,
        on eventLoop: any EventLoop,
        _ body: @escaping @Sendable (PostgresTransaction) throws -> T
    ) async throws -> T {
        try await self.transaction(store, readOnly: readOnly, on: eventLoop, body)
    }

    /// Runs `body` in a transaction with **no tenant**: tenant tables show nothing and refuse
    /// every write. For the few statements on non-tenant data only.
    @discardableResult
    func withoutTenant<T: Sendable>(
        readOnly: Bool = false,
        on eventLoop: any EventLoop,
        _ body: @escaping @Sendable (PostgresTransaction) throws -> T
    ) async throws -> T {
        try await self.transaction(nil, readOnly: readOnly, on: eventLoop, body)
    }

    /// Runs one read or write statement as a whole transaction of tenant `store`, in one round
    /// trip (see `PostgresConnection.queryAsTenant`), then `transform` on its rows on the same
    /// pool thread once the connection is back in the pool; the result arrives on `eventLoop`.
    /// For routes that answer from a future: no task, no hop besides the pool thread's.
    func queryAsTenant<T: Sendable>(
        _ store: UUID,
        readOnly: Bool = false,
        on eventLoop: any EventLoop,
        _ sql: String,
        parameters: [any PostgresEncodable],
        then transform: @escaping @Sendable (PostgresRows) throws -> T
    ) -> EventLoopFuture<T> {
        self.queryAsTenant(store, readOnly: readOnly, on: eventLoop, sql, parameters: parameters) {
            PostgresRows($0)
        } then: { rows in
            try transform(rows ?? PostgresRows(columns: [], rows: [], affectedRows: 0))
        }
    }

    /// `queryAsTenant`, with `decode` reading the statement's result in place (`PostgresResult`:
    /// no copy of every value as a `String`) and `transform` after, both on the pool thread;
    /// `decode`'s value is `nil` when the statement returned no rows result.
    ///
    /// Under load, the transactions of several requests go to the server in one round trip
    /// (`TenantQueryBatcher`), each still its own transaction: keep the statement short.
    func queryAsTenant<Decoded, T: Sendable>(
        _ store: UUID,
        readOnly: Bool = false,
        on eventLoop: any EventLoop,
        _ sql: String,
        parameters: [any PostgresEncodable],
        decode: @escaping @Sendable (PostgresResult) -> Decoded,
        then transform: @escaping @Sendable (Decoded?) throws -> T
    ) -> EventLoopFuture<T> {
        if let refused = self.pool.admit() { return eventLoop.makeFailedFuture(refused) }
        let promise = eventLoop.makePromise(of: T.self)
        let decoded = DecodedValue<Decoded>()
        let job = TenantQueryBatcher.Job(
            query: PostgresConnection.TenantQuery(store: store, readOnly: readOnly, sql: sql, parameters: parameters),
            decode: { decoded.value = decode($0) },
            finish: { error in
                if let error {
                    promise.fail(error)
                } else {
                    promise.completeWith(Result { try transform(decoded.value) })
                }
            }
        )
        self.batcher.enqueue(job, on: eventLoop)
        return promise.futureResult
    }

    /// Runs `body` with a connection on a pool thread. Use the connection's own timeouts.
    func withConnection<Result: Sendable>(
        on eventLoop: any EventLoop,
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) -> EventLoopFuture<Result> {
        self.pool.run(on: eventLoop, breaks: Self.breaks, body)
    }

    /// Runs one parameterised statement with the configured query timeout.
    func query(
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
    func shutdown() {
        self.pool.shutdown()
        self.batcher.shutdown()
    }

    /// A transaction of `store` (none when nil) on a pool thread; the task's cancellation
    /// becomes a flag the transaction polls before each statement.
    private func transaction<T: Sendable>(
        _ store: UUID?,
        readOnly: Bool,
        on eventLoop: any EventLoop,
        _ body: @escaping @Sendable (PostgresTransaction) throws -> T
    ) async throws -> T {
        let timeout = self.queryTimeout
        let cancelled = CancellationFlag()
        return try await withTaskCancellationHandler {
            try await self.pool.run(on: eventLoop, breaks: Self.breaks) { connection in
                guard let store else {
                    return try connection.withoutTenant(
                        readOnly: readOnly,
                        statementTimeout: timeout,
                        isCancelled: cancelled.isSet,
                        body
                    )
                }
                return try connection.withTenant(
                    store,
                    readOnly: readOnly,
                    statementTimeout: timeout,
                    isCancelled: cancelled.isSet,
                    body
                )
            }.get()
        } onCancel: {
            cancelled.set()
        }
    }

    /// Only a connection-level failure discards the connection at once; after any other error
    /// (a statement's, or the handler's own) check-in rolls back whatever is left open.
    private static func breaks(_ error: any Error) -> Bool {
        (error as? PostgresError)?.breaksConnection ?? false
    }
}

/// Where a batched query's decoded rows wait for its answer (one pool thread writes and reads it).
private final class DecodedValue<Value> {
    var value: Value?
}
