import Foundation
import Logging
import PostgresNIO

/// The pool and the one transaction shape every `/v1` query runs in, the same as saas-api's
/// `withTenant`: `BEGIN`, `set_config('app.store_id', store, true)` and
/// `set_config('statement_timeout', …, true)` (both transaction-local: row-level security then
/// shows only that store's rows), the body's statements, `COMMIT`.
///
/// Written the way postgres-nio is meant to be used: `PostgresClient.withTransaction` sends
/// `BEGIN` and `COMMIT` itself, and the settings go as one parameterised query, so a one-query
/// body costs 4 round trips (saas-api sends `BEGIN` and the settings as one message: 3).
struct Database: Sendable {
    let client: PostgresClient
    /// `statement_timeout` for every transaction, as text (set_config takes text).
    let statementTimeout: String

    init(client: PostgresClient, statementTimeoutMilliseconds: Int) {
        self.client = client
        self.statementTimeout = String(statementTimeoutMilliseconds)
    }

    /// Runs `body` in a transaction of tenant `storeId`.
    func withTenant<Result: Sendable>(
        _ storeId: UUID,
        logger: Logger,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let store = storeId.uuidString.lowercased()
        let timeout = self.statementTimeout
        return try await self.client.withTransaction(logger: logger) { connection in
            try await connection.query(
                "SELECT set_config('app.store_id', \(store), true), set_config('statement_timeout', \(timeout), true)",
                logger: logger
            )
            return try await body(connection)
        }
    }
}
