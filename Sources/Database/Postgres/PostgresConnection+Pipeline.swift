import CLibPQ
import Shared

#if canImport(Glibc)
import Glibc
#endif

extension PostgresConnection {
    /// One statement of a pipeline: SQL with `$1…` parameters, text format.
    struct PipelinedStatement {
        let sql: String
        let parameters: [String?]
    }

    /// Runs `statements` in one round trip: libpq's pipeline mode (libpq ≥ 14) queues them
    /// back to back behind a single Sync, flushes once and reads every answer. Returns the rows
    /// of the statement at `resultIndex` (default: the last; the others' are not copied).
    ///
    /// With the statement cache on (`enableStatementCache`), each statement runs prepared:
    /// a text seen before by its name, a new one prepared first in the same pipeline (Parse,
    /// then Bind/Execute), so caching never costs a round trip. A statement the server no longer
    /// has (`DISCARD ALL`, `DEALLOCATE`; `26000`) or whose plan cannot serve it any more (`0A000`)
    /// empties the cache; when the connection was idle before the pipeline, nothing of it can
    /// have taken effect, so it is rolled back and sent once more, prepared anew.
    ///
    /// Like a script, it stops at the first error: the server skips the statements after it up
    /// to the Sync (`PGRES_PIPELINE_ABORTED`), and the error is thrown only after everything,
    /// the Sync included, was read, so the connection never keeps an unread result. Inside an
    /// explicit transaction block the failure leaves the block failed (`ROLLBACK` ends it), as
    /// the same statements sent one by one would. An error that breaks the connection (timeout,
    /// lost socket) marks it broken while still in pipeline mode: the pool closes it.
    @discardableResult
    func pipeline(
        _ statements: [PipelinedStatement],
        resultIndex: Int? = nil,
        timeout: Duration
    ) throws(PostgresError) -> PostgresRows {
        let rows = try self.pipeline(statements, resultIndex: resultIndex, timeout: timeout, decode: Self.copyRows)
        return rows ?? PostgresRows(columns: [], rows: [], affectedRows: 0)
    }

    /// `pipeline`, handing the rows at `resultIndex` to `decode` in place (`nil`: that
    /// statement returned no result).
    func pipeline<T>(
        _ statements: [PipelinedStatement],
        resultIndex: Int? = nil,
        timeout: Duration,
        decode: (OpaquePointer) -> T
    ) throws(PostgresError) -> T? {
        let index = resultIndex ?? statements.count - 1
        guard self.statementCache != nil else { return try self.send(statements, index, timeout: timeout, decode) }
        let wasIdle = self.transactionStatus == .idle
        do {
            return try self.send(statements, index, timeout: timeout, decode)
        } catch {
            guard Self.isStaleStatement(error), !error.breaksConnection else { throw error }
            self.statementCache?.removeAll()
            guard wasIdle else { throw error }  // earlier statements of the transaction are lost
            let rollback = self.transactionStatus == .idle ? "" : "ROLLBACK; "
            try self.execute(rollback + "DEALLOCATE ALL", timeout: timeout)
            self.statementCache?.deallocated()
            return try self.send(statements, index, timeout: timeout, decode)
        }
    }

    /// Whether `error` says a prepared statement of the cache is gone or unusable: run again
    /// after emptying the cache, it succeeds.
    static func isStaleStatement(_ error: PostgresError) -> Bool {
        error.sqlState == SQLState.invalidSQLStatementName || error.sqlState == SQLState.featureNotSupported
    }

    /// Sends the pipeline once and reads every answer.
    private func send<T>(
        _ statements: [PipelinedStatement],
        _ resultIndex: Int,
        timeout: Duration,
        _ decode: (OpaquePointer) -> T
    ) throws(PostgresError) -> T? {
        var rows: T?
        let outcome = try self.send(
            [PipelineSegment(statements: statements, resultIndex: resultIndex)],
            timeout: timeout
        ) { _, result in rows = decode(result) }
        if let error = outcome[0] { throw error }
        return rows
    }

    /// Statements that end with their own Sync inside a pipeline of several: a failure in one
    /// skips the rest of its own statements only. `resultIndex`: the statement whose rows are
    /// decoded.
    struct PipelineSegment {
        let statements: [PipelinedStatement]
        let resultIndex: Int
    }

    /// Sends `segments` as one pipeline (each ended by its own Sync), flushed once, and reads
    /// every answer in order, calling `decode(segment, result)` for each segment's
    /// `resultIndex` statement. Returns each segment's first error (`nil`: all of its
    /// statements succeeded).
    ///
    /// A segment's answers are read within `timeout` of the previous segment's end (the first:
    /// of the flush), since the server runs them one after another. An error that breaks the
    /// connection is the outcome of every segment not yet read to its Sync (what it did is
    /// unknown) and marks the connection broken; segments read before keep their outcomes.
    /// Throws only when the pipeline could not be sent at all.
    func send(
        _ segments: [PipelineSegment],
        timeout: Duration,
        decode: (Int, OpaquePointer) -> Void
    ) throws(PostgresError) -> [PostgresError?] {
        var deadline = MonotonicClock.nanoseconds() &+ timeout.nanoseconds
        var outcomes = [PostgresError?](repeating: nil, count: segments.count)
        // The pipeline's results in order: a Parse's, then each statement's; `resultOperations`
        // are the ones whose rows are decoded, `preparing` the Parses sent (result, text, name).
        var operation = 0
        var resultOperations: [Int] = []
        resultOperations.reserveCapacity(segments.count)
        var preparing: [(operation: Int, sql: String, name: String)] = []
        do throws(PostgresError) {
            guard PQenterPipelineMode(self.conn) == 1 else {
                throw PostgresError(kind: .connectionBroken, message: "cannot enter pipeline mode")
            }
            // libpq (before 17) flushes at every Sync: corked, the kernel sends the whole
            // pipeline as one stream of segments at the end instead of one per transaction,
            // and PostgreSQL wakes once for it.
            let corked = segments.count > 1 && self.setCork(true)
            defer { if corked { _ = self.setCork(false) } }
            for segment in segments {
                var resultOperation = 0
                for (position, statement) in segment.statements.enumerated() {
                    try self.sendOne(statement, operation: &operation, preparing: &preparing)
                    if position == segment.resultIndex { resultOperation = operation - 1 }
                }
                resultOperations.append(resultOperation)
                try self.checkSent(PQpipelineSync(self.conn))
            }
            try self.flush(deadline: deadline)
        } catch {
            if error.breaksConnection { self.broken = true }
            throw error
        }
        var segment = 0
        do throws(PostgresError) {
            var prepared = 0  // Parses of `preparing` that succeeded, in order
            // libpq ends each operation's results with a NULL, and each segment with its Sync's
            // own result (no NULL after it).
            var current = 0
            while segment < segments.count {
                try self.awaitResult(deadline: deadline)
                guard let result = PQgetResult(self.conn) else {
                    current += 1
                    continue
                }
                defer { PQclear(result) }
                switch PQresultStatus(result) {
                case PGRES_PIPELINE_SYNC:
                    segment += 1
                    deadline = MonotonicClock.nanoseconds() &+ timeout.nanoseconds
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                    if current == resultOperations[segment] {
                        decode(segment, result)
                    } else if prepared < preparing.count && preparing[prepared].operation == current {
                        self.statementCache?.insert(preparing[prepared].sql, name: preparing[prepared].name)
                        prepared += 1
                    }
                case PGRES_PIPELINE_ABORTED:
                    continue
                case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                    throw PostgresError(kind: .connectionBroken, message: "COPY is not supported")
                default:
                    if outcomes[segment] == nil { outcomes[segment] = Self.error(from: result) }
                }
            }
            guard PQexitPipelineMode(self.conn) == 1 else {
                throw PostgresError(kind: .connectionBroken, message: "pipeline not idle after its Sync")
            }
        } catch {
            if error.breaksConnection { self.broken = true }
            for unread in segment..<segments.count { outcomes[unread] = error }
        }
        return outcomes
    }

    /// Holds back (`true`) or releases (`false`, which sends what was held at once) partial
    /// TCP segments on the connection's socket (`TCP_CORK`). `false` when the socket is not TCP
    /// (a Unix socket) or the call failed: then nothing is held back.
    private func setCork(_ on: Bool) -> Bool {
        var value: Int32 = on ? 1 : 0
        let socket = PQsocket(self.conn)
        guard socket >= 0 else { return false }
        return setsockopt(socket, Int32(IPPROTO_TCP), TCP_CORK, &value, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// Queues one statement: unnamed without the cache; else by its prepared name, preparing it
    /// first when the cache does not have it (a text twice in one pipeline is prepared once).
    private func sendOne(
        _ statement: PipelinedStatement,
        operation: inout Int,
        preparing: inout [(operation: Int, sql: String, name: String)]
    ) throws(PostgresError) {
        defer { operation += 1 }
        let count = Int32(statement.parameters.count)
        guard self.statementCache != nil else {
            let sent: Int32 = withCStringArray(statement.parameters) { values in
                PQsendQueryParams(self.conn, statement.sql, count, nil, values, nil, nil, 0)
            }
            return try self.checkSent(sent)
        }
        let name: String
        if let cached = self.statementCache?.name(for: statement.sql) {
            name = cached
        } else if let queued = preparing.first(where: { $0.sql == statement.sql }) {
            name = queued.name
        } else {
            name = self.statementCache?.makeName() ?? ""
            try self.checkSent(PQsendPrepare(self.conn, name, statement.sql, 0, nil))
            preparing.append((operation, statement.sql, name))
            operation += 1
        }
        let sent: Int32 = withCStringArray(statement.parameters) { values in
            PQsendQueryPrepared(self.conn, name, count, values, nil, nil, 0)
        }
        try self.checkSent(sent)
    }
}
