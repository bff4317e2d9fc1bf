import Database
import Shared

/// How the tests talk to the database as a tenant: one transaction per call, the tenant set
/// the way a route must set it (`set_config('app.store_id', $1, true)` inside the transaction).
extension PostgresConnection {
    /// Runs `body` in a transaction with `app.store_id` set to `store` (none when nil); commits
    /// on success, rolls back on error.
    func transaction<T>(store: String?, _ body: () throws -> T) throws -> T {
        try self.execute("BEGIN", timeout: .seconds(10))
        do {
            if let store {
                try self.query("SELECT set_config('app.store_id', $1, true)", [store], timeout: .seconds(10))
            }
            let result = try body()
            try self.execute("COMMIT", timeout: .seconds(10))
            return result
        } catch {
            _ = try? self.execute("ROLLBACK", timeout: .seconds(10))
            throw error
        }
    }

    /// Runs one statement as tenant `store` in its own transaction.
    @discardableResult
    func run(store: String?, _ sql: String, _ parameters: [String?] = []) throws -> PostgresRows {
        try self.transaction(store: store) {
            try self.query(sql, parameters, timeout: .seconds(60))
        }
    }

    /// Runs one statement as tenant `store` and returns the error it fails with (nil when it
    /// succeeds; the transaction is rolled back either way).
    func failure(store: String?, _ sql: String, _ parameters: [String?] = []) -> PostgresError? {
        do {
            try self.execute("BEGIN", timeout: .seconds(10))
            defer { _ = try? self.execute("ROLLBACK", timeout: .seconds(10)) }
            if let store {
                try self.query("SELECT set_config('app.store_id', $1, true)", [store], timeout: .seconds(10))
            }
            try self.query(sql, parameters, timeout: .seconds(60))
            return nil
        } catch {
            return error
        }
    }

    /// `count(*)` of `table` as tenant `store`.
    func count(
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
