import CLibPQ
import Shared

extension PostgresConnection {
    /// One statement of a pipeline: SQL with `$1…` parameters, text format.
    struct PipelinedStatement {
        let sql: String
        let parameters: [String?]
    }

    /// Runs `statements` in one round trip: libpq's pipeline mode (libpq ≥ 14) queues them
    /// back to back behind a single Sync, flushes once and reads every answer. Returns the last
    /// statement's rows (the others' are not copied).
    ///
    /// Like a script, it stops at the first error: the server skips the statements after it up
    /// to the Sync (`PGRES_PIPELINE_ABORTED`), and the error is thrown only after everything,
    /// the Sync included, was read, so the connection never keeps an unread result. Inside an
    /// explicit transaction block the failure leaves the block failed (`ROLLBACK` ends it), as
    /// the same statements sent one by one would. An error that breaks the connection (timeout,
    /// lost socket) marks it broken while still in pipeline mode: the pool closes it.
    @discardableResult
    func pipeline(_ statements: [PipelinedStatement], timeout: Duration) throws(PostgresError) -> PostgresRows {
        let deadline = MonotonicClock.nanoseconds() &+ timeout.nanoseconds
        do throws(PostgresError) {
            guard PQenterPipelineMode(self.conn) == 1 else {
                throw PostgresError(kind: .connectionBroken, message: "cannot enter pipeline mode")
            }
            for statement in statements {
                let sent: Int32 = withCStringArray(statement.parameters) { values in
                    PQsendQueryParams(
                        self.conn,
                        statement.sql,
                        Int32(statement.parameters.count),
                        nil,
                        values,
                        nil,
                        nil,
                        0
                    )
                }
                try self.checkSent(sent)
            }
            try self.checkSent(PQpipelineSync(self.conn))
            try self.flush(deadline: deadline)
            var rows = PostgresRows(columns: [], rows: [], affectedRows: 0)
            var firstError: PostgresError?
            // libpq ends each statement's results with a NULL, and the pipeline with the
            // Sync's own result.
            var index = 0
            reading: while true {
                try self.awaitResult(deadline: deadline)
                guard let result = PQgetResult(self.conn) else {
                    index += 1
                    continue
                }
                defer { PQclear(result) }
                switch PQresultStatus(result) {
                case PGRES_PIPELINE_SYNC:
                    break reading
                case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                    if index == statements.count - 1 { rows = Self.copyRows(result) }
                case PGRES_PIPELINE_ABORTED:
                    continue
                case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                    throw PostgresError(kind: .connectionBroken, message: "COPY is not supported")
                default:
                    if firstError == nil { firstError = Self.error(from: result) }
                }
            }
            guard PQexitPipelineMode(self.conn) == 1 else {
                throw PostgresError(kind: .connectionBroken, message: "pipeline not idle after its Sync")
            }
            if let firstError { throw firstError }
            return rows
        } catch {
            if error.breaksConnection { self.broken = true }
            throw error
        }
    }
}
