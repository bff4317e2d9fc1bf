import Shared

extension PostgresConnection {
    /// One statement to run as a whole transaction of a tenant, as `queryAsTenant` runs it:
    /// an element of `queryAsTenant(batch:)`.
    public struct TenantQuery: Sendable {
        let store: UUID
        let readOnly: Bool
        let sql: String
        let parameters: [String?]

        /// `sql` with `parameters` as one transaction of tenant `store` (`READ ONLY` when
        /// `readOnly`).
        public init(store: UUID, readOnly: Bool, sql: String, parameters: [any PostgresEncodable]) {
            self.store = store
            self.readOnly = readOnly
            self.sql = sql
            self.parameters = parameters.map { $0.postgresText }
        }
    }

    /// Runs every query of `queries` as its own transaction (`queryAsTenant`: `BEGIN`, the
    /// tenant's settings, the statement, `COMMIT`), all of them in **one round trip**: one
    /// pipeline in which each transaction ends with its own Sync, written at once, the answers
    /// read in order. `decode(i, result)` reads query `i`'s rows in place. Returns one outcome
    /// per query: `nil` when it committed, else its error.
    ///
    /// Each transaction stays what it is alone: its own tenant, settings, snapshot and commit;
    /// a statement that fails rolls back its own transaction only. When one fails, PostgreSQL
    /// keeps its block failed up to the next statement, so the transactions behind it in the
    /// pipeline are refused whole (`25P02`, nothing of them ran): they run again after the
    /// rollback, as do a serialization failure, deadlock or lost prepared statement (once, as
    /// `queryAsTenant` does). A broken connection is the outcome of every query whose answer
    /// had not been read; the connection is then broken. The transactions run one after the
    /// other on the server, so a slow one delays those behind it: batch only short statements.
    ///
    /// Through a pooler (no statement cache), each query goes alone, one round trip each:
    /// PgBouncer's transaction mode does not promise pipelined transactions to one server
    /// connection. `decode` can run more than once for a query that ran again; the last call
    /// belongs to the outcome. The connection must be idle.
    public func queryAsTenant(
        batch queries: [TenantQuery],
        statementTimeout: Duration,
        decode: (Int, PostgresResult) -> Void
    ) -> [PostgresError?] {
        guard self.pendingBegin == nil, self.transactionStatus == .idle else {
            return Array(repeating: Self.transactionAlreadyOpen, count: queries.count)
        }
        guard queries.count > 1, self.statementCache != nil else {
            return queries.indices.map { index in
                self.runAlone(queries[index], index, statementTimeout: statementTimeout, attempts: 2, decode: decode)
            }
        }
        let timeout = statementTimeout + Self.timeoutGrace
        let segments = queries.map { query in
            PipelineSegment(
                statements: Self.tenantQueryStatements(
                    store: query.store,
                    readOnly: query.readOnly,
                    statementTimeout: statementTimeout,
                    query.sql,
                    parameters: query.parameters
                ),
                resultIndex: 2
            )
        }
        var outcomes: [PostgresError?]
        do {
            outcomes = try self.send(segments, timeout: timeout) { index, result in
                decode(index, PostgresResult(result))
            }
        } catch {
            return Array(repeating: error, count: queries.count)
        }
        guard let firstFailure = outcomes.firstIndex(where: { $0 != nil }) else { return outcomes }
        // Which failed queries run again, and how many more attempts each has.
        var again: [(index: Int, attempts: Int)] = []
        for index in firstFailure..<outcomes.count {
            guard let error = outcomes[index], !error.breaksConnection else { continue }
            if index > firstFailure && error.sqlState == SQLState.inFailedSQLTransaction {
                again.append((index, 2))  // refused behind a failed block: never ran
            } else if self.mayRetry(after: error) {
                again.append((index, 1))
            }
        }
        if outcomes.contains(where: { $0.map(Self.isStaleStatement) ?? false }) {
            self.statementCache?.removeAll()  // the next Parse of each text prepares it anew
        }
        guard self.resetForReuse(timeout: timeout) else { return outcomes }
        for (index, attempts) in again {
            outcomes[index] = self.runAlone(
                queries[index],
                index,
                statementTimeout: statementTimeout,
                attempts: attempts,
                decode: decode
            )
        }
        return outcomes
    }

    /// One query of a batch on its own (`queryAsTenant`), its error as the outcome.
    private func runAlone(
        _ query: TenantQuery,
        _ index: Int,
        statementTimeout: Duration,
        attempts: Int,
        decode: (Int, PostgresResult) -> Void
    ) -> PostgresError? {
        do throws(PostgresError) {
            _ = try self.queryAsTenant(
                query.store,
                readOnly: query.readOnly,
                statementTimeout: statementTimeout,
                query.sql,
                parameters: query.parameters,
                attempts: attempts
            ) { decode(index, $0) }
            return nil
        } catch {
            return error
        }
    }
}
