import Database
import Shared

/// How the tests talk to the database as a tenant: through the production transaction helpers
/// (`withTenant` / `withoutTenant`), one transaction per call.
extension PostgresConnection {
    /// Runs `body` in a transaction with `app.store_id` set to `store` (none when nil); commits
    /// on success, rolls back on error.
    public func transaction<T>(store: String?, _ body: () throws -> T) throws -> T {
        try self.transaction(store: store) { _ in try body() }
    }

    /// Same, with the transaction for typed statements.
    public func transaction<T>(store: String?, _ body: (PostgresTransaction) throws -> T) throws -> T {
        guard let store else {
            return try self.withoutTenant(statementTimeout: .seconds(60), body)
        }
        guard let id = Shared.UUID(store) else {
            throw PostgresError(kind: .queryFailed, message: "test store id is not a UUID")
        }
        return try self.withTenant(id, statementTimeout: .seconds(60), body)
    }

    /// Runs one statement as tenant `store` in its own transaction.
    @discardableResult
    public func run(store: String?, _ sql: String, _ parameters: [String?] = []) throws -> PostgresRows {
        try self.transaction(store: store) { (tx: PostgresTransaction) in
            try tx.query(sql, parameters: parameters)
        }
    }

    /// Runs one statement as tenant `store` and returns the error it fails with (nil when it
    /// succeeds; the transaction is rolled back either way).
    public func failure(store: String?, _ sql: String, _ parameters: [String?] = []) -> PostgresError? {
        struct RollBack: Error {}
        do {
            try self.transaction(store: store) { (tx: PostgresTransaction) in
                try tx.query(sql, parameters: parameters)
                throw RollBack()
            }
            return nil
        } catch is RollBack {
            return nil
        } catch let error as PostgresError {
            return error
        } catch {
            return PostgresError(kind: .queryFailed, message: "unexpected \(error)")
        }
    }

    /// `count(*)` of `table` as tenant `store`.
    public func count(
        _ table: String,
        store: String?,
        where condition: String = "true",
        _ parameters: [String?] = []
    )
        throws -> Int
    {
        let rows = try self.run(store: store, "SELECT count(*) FROM app.\(table) WHERE \(condition)", parameters)
        return Int(rows.scalar ?? "") ?? -1
    }
}
