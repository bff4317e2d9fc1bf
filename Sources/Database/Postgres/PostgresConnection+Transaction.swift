import Shared

extension PostgresConnection {
    /// Extra time the client waits beyond `statement_timeout`, so the server's own cancel
    /// (`57014`, connection still usable) wins over the client's deadline (connection closed).
    public static let timeoutGrace = Duration.seconds(1)

    /// Runs `body` in a transaction of tenant `store`: row-level security shows and accepts only
    /// that store's rows.
    ///
    /// The transaction opens with the body's first statement (through `tx`, or on the
    /// connection itself: `pendingBegin`), in the same round trip:
    /// `BEGIN`, `SELECT set_config('app.store_id', $1, true), set_config('statement_timeout',
    /// $2, true)` and that statement go out as one libpq pipeline (one Sync), and the statement
    /// only runs if both succeeded. Later statements cost a round trip each, then `COMMIT`
    /// one: a body with one statement costs 2 round trips, a body with none costs nothing
    /// (there is nothing to commit). Both settings are transaction-local, so nothing outlives
    /// the transaction, with or without PgBouncer (the pipeline ends inside the open block, so
    /// a transaction pooler keeps the server connection until `COMMIT`). Any error, and
    /// cancellation (`isCancelled` checked before every statement and before `COMMIT`), rolls
    /// back. A serialization failure or deadlock
    /// (`40001`, `40P01`) runs the whole transaction once more, so `body` must be safe to repeat.
    /// A body that swallowed a statement's error cannot commit: the aborted transaction is
    /// rolled back and `25P02` thrown.
    @discardableResult
    public func withTenant<T>(
        _ store: UUID,
        readOnly: Bool = false,
        statementTimeout: Duration,
        isCancelled: () -> Bool = { false },
        _ body: (PostgresTransaction) throws -> T
    ) throws -> T {
        try self.transaction(store, readOnly, statementTimeout, isCancelled, body)
    }

    /// Runs `body` in a transaction with **no tenant**: every tenant table shows no rows and
    /// refuses every write. Only for the few statements on non-tenant data (migrations'
    /// bookkeeping, health, cross-tenant jobs run as another role). Same rules as `withTenant`.
    @discardableResult
    public func withoutTenant<T>(
        readOnly: Bool = false,
        statementTimeout: Duration,
        isCancelled: () -> Bool = { false },
        _ body: (PostgresTransaction) throws -> T
    ) throws -> T {
        try self.transaction(nil, readOnly, statementTimeout, isCancelled, body)
    }

    /// The statements that open a transaction, pipelined in front of its first statement:
    /// `BEGIN` and the transaction-local settings, as parameters. `app.store_id` is set to `''`
    /// without a tenant, so no tenant can come from anywhere else.
    static func beginStatements(store: UUID?, readOnly: Bool, statementTimeout: Duration) -> [PipelinedStatement] {
        let milliseconds = statementTimeout.nanoseconds / 1_000_000
        return [
            PipelinedStatement(sql: readOnly ? "BEGIN READ ONLY" : "BEGIN", parameters: []),
            PipelinedStatement(
                sql: "SELECT set_config('app.store_id', $1, true), set_config('statement_timeout', $2, true)",
                parameters: [store.map { $0.description } ?? "", String(milliseconds)]
            ),
        ]
    }

    /// Runs one statement as the whole transaction of tenant `store`: `BEGIN`, the settings
    /// (as `withTenant`), the statement and `COMMIT` go out as one pipeline, so the transaction
    /// costs one round trip instead of two. Returns the statement's rows.
    ///
    /// The same rules as `withTenant` with a body of that one statement: row-level security
    /// shows only the store's rows, the statement runs only if `BEGIN` and the settings
    /// succeeded, any error rolls back (the failed block is ended with `ROLLBACK`), and a
    /// serialization failure or deadlock runs it once more. The connection must be idle.
    public func queryAsTenant(
        _ store: UUID,
        readOnly: Bool = false,
        statementTimeout: Duration,
        _ sql: String,
        parameters: [any PostgresEncodable]
    ) throws -> PostgresRows {
        let rows = try self.queryAsTenant(
            store,
            readOnly: readOnly,
            statementTimeout: statementTimeout,
            sql,
            parameters: parameters,
            decode: PostgresRows.init
        )
        return rows ?? PostgresRows(columns: [], rows: [], affectedRows: 0)
    }

    /// `queryAsTenant`, handing the statement's result to `decode` in place (no `PostgresRows`
    /// copy: see `PostgresResult`); `nil` when the statement returned no rows result.
    public func queryAsTenant<T>(
        _ store: UUID,
        readOnly: Bool = false,
        statementTimeout: Duration,
        _ sql: String,
        parameters: [any PostgresEncodable],
        decode: (PostgresResult) -> T
    ) throws -> T? {
        try self.queryAsTenant(
            store,
            readOnly: readOnly,
            statementTimeout: statementTimeout,
            sql,
            parameters: parameters.map { $0.postgresText },
            attempts: 2,
            decode: decode
        )
    }

    /// `queryAsTenant` with the parameters in text, run at most `attempts` times (a second
    /// attempt only after an error `mayRetry` allows).
    func queryAsTenant<T>(
        _ store: UUID,
        readOnly: Bool,
        statementTimeout: Duration,
        _ sql: String,
        parameters: [String?],
        attempts: Int,
        decode: (PostgresResult) -> T
    ) throws(PostgresError) -> T? {
        guard self.pendingBegin == nil, self.transactionStatus == .idle else {
            throw Self.transactionAlreadyOpen
        }
        let timeout = statementTimeout + Self.timeoutGrace
        let statements = Self.tenantQueryStatements(
            store: store,
            readOnly: readOnly,
            statementTimeout: statementTimeout,
            sql,
            parameters: parameters
        )
        var attempt = 1
        while true {
            do throws(PostgresError) {
                let rows = try self.pipeline(statements, resultIndex: statements.count - 2, timeout: timeout) {
                    decode(PostgresResult($0))
                }
                guard self.transactionStatus == .idle else { throw PostgresTransaction.aborted }
                return rows
            } catch {
                let clean = self.resetForReuse(timeout: timeout)
                guard attempt < attempts, clean, self.mayRetry(after: error) else { throw error }
                attempt += 1
            }
        }
    }

    /// The error of a one-statement transaction asked for on a connection already in one.
    static let transactionAlreadyOpen = PostgresError(
        kind: .queryFailed,
        message: "a transaction is already open on this connection"
    )

    /// What `queryAsTenant` sends: `BEGIN`, the settings, the statement, `COMMIT` (the
    /// statement's rows are at `count - 2`).
    static func tenantQueryStatements(
        store: UUID,
        readOnly: Bool,
        statementTimeout: Duration,
        _ sql: String,
        parameters: [String?]
    ) -> [PipelinedStatement] {
        var statements = Self.beginStatements(store: store, readOnly: readOnly, statementTimeout: statementTimeout)
        statements.reserveCapacity(4)
        statements.append(PipelinedStatement(sql: sql, parameters: parameters))
        statements.append(PipelinedStatement(sql: "COMMIT", parameters: []))
        return statements
    }

    /// Whether a transaction that failed with `error` runs once more: a serialization failure or
    /// deadlock, or a prepared statement the server dropped (the cache is empty now, so the next
    /// attempt prepares afresh).
    func mayRetry(after error: PostgresError) -> Bool {
        SQLState.isTransient(error.sqlState) || (self.statementCache != nil && Self.isStaleStatement(error))
    }

    /// One transaction, run once more after a serialization failure or deadlock.
    private func transaction<T>(
        _ store: UUID?,
        _ readOnly: Bool,
        _ statementTimeout: Duration,
        _ isCancelled: () -> Bool,
        _ body: (PostgresTransaction) throws -> T
    ) throws -> T {
        let timeout = statementTimeout + Self.timeoutGrace
        let begin = Self.beginStatements(store: store, readOnly: readOnly, statementTimeout: statementTimeout)
        return try withoutActuallyEscaping(isCancelled) { isCancelled in
            var attempt = 1
            while true {
                if isCancelled() { throw CancellationError() }
                let transaction = PostgresTransaction(
                    connection: self,
                    storeID: store,
                    isReadOnly: readOnly,
                    timeout: timeout,
                    isCancelled: isCancelled
                )
                self.pendingBegin = begin
                defer {
                    transaction.close()
                    self.pendingBegin = nil
                }
                do {
                    let result = try body(transaction)
                    try transaction.checkUsable()
                    guard self.pendingBegin == nil else { return result }  // no statement: nothing to commit
                    guard self.transactionStatus == .inTransaction else { throw PostgresTransaction.aborted }
                    try self.execute("COMMIT", timeout: timeout)
                    return result
                } catch {
                    // Rolls back an open or failed transaction; a connection that cannot be
                    // made idle is marked broken, and the pool closes it.
                    let clean = self.resetForReuse(timeout: timeout)
                    guard attempt == 1, clean, let failure = error as? PostgresError, self.mayRetry(after: failure)
                    else { throw error }
                    attempt += 1
                }
            }
        }
    }
}
