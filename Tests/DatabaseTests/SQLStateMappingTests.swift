import Database
import Foundation
import Shared
import TestSupport
import Testing

/// Every mapping of `DatabaseErrorMapping`, with the error a real PostgreSQL raises as app_rw.
@Suite("SQLSTATE mapping against PostgreSQL", .migratedDatabase)
struct SQLStateMappingTests {
    private let database: TestDatabase
    private let storeA: SeededStore
    private let storeB: SeededStore

    init() throws {
        (self.database, self.storeA, self.storeB) = try SeededStore.twoStores()
    }

    /// The error `sql` raises as tenant A (rolled back), checked against the expected answer.
    private func expect(
        _ sql: String,
        _ parameters: [String?] = [],
        sqlState: String,
        code: ErrorCode,
        naming name: String? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let rw = try self.database.connect(.rw)
        let error = try #require(rw.failure(store: self.storeA.id, sql, parameters), sourceLocation: sourceLocation)
        #expect(error.sqlState == sqlState, "\(error)", sourceLocation: sourceLocation)
        let (answer, _) = DatabaseErrorMapping.response(to: error)
        #expect(answer.code == code, "\(error)", sourceLocation: sourceLocation)
        if let name {
            #expect(answer.message.contains("\"\(name)\""), "\(answer.message)", sourceLocation: sourceLocation)
        }
        for parameter in parameters.compactMap({ $0 }) where parameter.count > 3 {
            #expect(!answer.message.contains(parameter), "a value leaked", sourceLocation: sourceLocation)
        }
        #expect(
            !answer.message.contains("INSERT") && !answer.message.contains("SELECT"),
            sourceLocation: sourceLocation
        )
    }

    @Test func integrityErrorsNameTheirConstraint() throws {
        let a = self.storeA
        let existing = try self.database.connect(.admin).query(
            "SELECT external_id FROM app.orders WHERE id = $1",
            [a.order],
            timeout: .seconds(5)
        ).scalar
        try self.expect(
            "INSERT INTO app.orders (store_id, external_id, currency_code, financial_status, placed_at) "
                + "VALUES ($1, $2, 'EUR', 'paid', now())",
            [a.id, existing],
            sqlState: "23505",
            code: .conflict,
            naming: "orders_store_id_external_id_key"
        )
        try self.expect(
            "INSERT INTO app.orders (store_id, external_id, customer_id, currency_code, financial_status, placed_at) "
                + "VALUES ($1, 'fk-test', $2, 'EUR', 'paid', now())",
            [a.id, self.storeB.customer],
            sqlState: "23503",
            code: .validationError,
            naming: "orders_customer_fkey"
        )
        try self.expect(
            "INSERT INTO app.orders (store_id, external_id, currency_code, financial_status, placed_at) "
                + "VALUES ($1, 'check-test', 'euro', 'paid', now())",
            [a.id],
            sqlState: "23514",
            code: .validationError
        )
        try self.expect(
            "INSERT INTO app.orders (store_id, external_id, currency_code, financial_status) "
                + "VALUES ($1, 'null-test', 'EUR', 'paid')",
            [a.id],
            sqlState: "23502",
            code: .validationError,
            naming: "placed_at"
        )
    }

    @Test func badValuesAre400Or422() throws {
        try self.expect("SELECT $1::uuid", ["not-a-uuid-value"], sqlState: "22P02", code: .badRequest)
        try self.expect("SELECT $1::int", ["99999999999"], sqlState: "22003", code: .validationError)
        try self.expect("SELECT $1::timestamptz", ["not a date"], sqlState: "22007", code: .badRequest)
        try self.expect("SELECT $1::timestamptz", ["2024-13-45 12:00"], sqlState: "22008", code: .badRequest)
        // An assignment to varchar(3) (an explicit cast would truncate silently).
        try self.expect(
            "DO $$ DECLARE code varchar(3); BEGIN code := 'four'; END $$",
            sqlState: "22001",
            code: .validationError
        )
    }

    @Test func aLockThatIsNotAvailableIs503() throws {
        let holder = try self.database.connect(.rw)
        try holder.execute(
            "BEGIN; SELECT set_config('app.store_id', '\(self.storeA.id)', true); "
                + "SELECT id FROM app.orders WHERE id = '\(self.storeA.order)' FOR UPDATE",
            timeout: .seconds(5)
        )
        defer { _ = holder.resetForReuse(timeout: .seconds(5)) }
        try self.expect(
            "SELECT id FROM app.orders WHERE id = $1 FOR UPDATE NOWAIT",
            [self.storeA.order],
            sqlState: "55P03",
            code: .serviceUnavailable
        )
    }

    @Test func rowLevelSecurityRefusalIs403() throws {
        try self.expect(
            "INSERT INTO app.customers (store_id, external_id) VALUES ($1, 'rls-test')",
            [self.storeB.id],
            sqlState: "42501",
            code: .forbidden
        )
    }

    @Test func timeoutsAndLostConnectionsAre503WithRetryAfter() throws {
        let rw = try self.database.connect(.rw)
        var timeout: PostgresError?
        do {
            try rw.withTenant(Shared.UUID(self.storeA.id)!, statementTimeout: .milliseconds(100)) { tx in
                try tx.query("SELECT pg_sleep(2)")
            }
        } catch let error as PostgresError {
            timeout = error
        }
        #expect(timeout?.sqlState == "57014")
        #expect(timeout.map { DatabaseErrorMapping.response(to: $0).0 } == DatabaseErrorMapping.unavailable)

        // The backend dies mid-transaction (pinned to this client even behind PgBouncer).
        let admin = try self.database.connect(.admin)
        var lost: PostgresError?
        do {
            try rw.withTenant(Shared.UUID(self.storeA.id)!, statementTimeout: .seconds(5)) { tx in
                let pid = try tx.query("SELECT pg_backend_pid()::text AS pid").first?.string("pid")
                try admin.query("SELECT pg_terminate_backend($1::int, 5000)", [pid], timeout: .seconds(5))
                try tx.query("SELECT 1")
            }
        } catch let error as PostgresError {
            lost = error
        }
        let error = try #require(lost)
        let (answer, unexpected) = DatabaseErrorMapping.response(to: error)
        #expect(answer == DatabaseErrorMapping.unavailable && unexpected, "\(error)")
        #expect(!rw.resetForReuse(timeout: .seconds(5)))
        #expect(!rw.isUsable)
    }
}
