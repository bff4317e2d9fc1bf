import Database
import Foundation
import Shared
import TestSupport
import Testing

/// `withTenant` / `withoutTenant` on one connection, against a real server.
@Suite("Tenant transactions", .migratedDatabase)
struct TenantTransactionTests {
    private let database: TestDatabase
    private let storeA: SeededStore
    private let storeB: SeededStore

    init() throws {
        (self.database, self.storeA, self.storeB) = try SeededStore.twoStores()
    }

    private func id(_ store: SeededStore) -> Shared.UUID { Shared.UUID(store.id)! }

    @Test func oneRoundTripOpensTheTransactionAndSetsTheTenant() throws {
        let rw = try self.database.connect(.rw)
        let before = rw.roundTrips
        let rows = try rw.withTenant(self.id(self.storeA), statementTimeout: .seconds(5)) { tx in
            try tx.query(
                "SELECT store_id, current_setting('app.store_id', true) AS tenant, "
                    + "current_setting('statement_timeout') AS timeout FROM app.orders"
            )
        }
        // BEGIN + tenant + statement timeout, the statement, COMMIT.
        #expect(rw.roundTrips - before == 3)
        #expect(rows.count == 1)
        for row in rows {
            #expect(try row.uuid("store_id") == self.id(self.storeA))
            #expect(try row.string("tenant") == self.storeA.id)
            #expect(try row.string("timeout") == "5s")
        }
        let twoStatements = rw.roundTrips
        try rw.withoutTenant(statementTimeout: .seconds(5)) { tx in
            try tx.query("SELECT 1")
            try tx.query("SELECT 2")
        }
        #expect(rw.roundTrips - twoStatements == 4)
        #expect(rw.transactionStatus == .idle)
        #expect(try rw.query("SELECT current_setting('app.store_id', true)", timeout: .seconds(5)).scalar ?? "" == "")
        #expect(try rw.query("SHOW statement_timeout", timeout: .seconds(5)).scalar == "0")
    }

    @Test func typedParametersAndRowsRoundTrip() throws {
        let rw = try self.database.connect(.rw)
        let store = self.id(self.storeA)
        let placed = DateTime(microsecondsSinceEpoch: 1_714_557_600_123_456)
        let row = try rw.withTenant(store, statementTimeout: .seconds(5)) { tx in
            try tx.query(
                "INSERT INTO app.orders (store_id, external_id, currency_code, financial_status, placed_at, "
                    + "total_amount, is_test) VALUES ($1, $2, 'EUR', 'paid', $3, $4, $5) "
                    + "RETURNING id, store_id, placed_at, total_amount, is_test, paid_at, "
                    + "'{\"a\": [1, 2]}'::jsonb AS doc, 7 AS seven",
                store,
                "typed-\(Int.random(in: 0...Int.max))",
                placed,
                DecimalString("12345678901234.123456")!,
                true
            ).first
        }
        let inserted = try #require(row)
        #expect(try inserted.uuid("store_id") == store)
        #expect(try inserted.dateTime("placed_at") == placed)
        #expect(try inserted.decimal("total_amount").text == "12345678901234.123456")
        #expect(try inserted.bool("is_test"))
        #expect(try inserted.decode("paid_at", as: DateTime?.self) == nil)
        #expect(try String(decoding: inserted.jsonb("doc").bytes, as: UTF8.self) == #"{"a": [1, 2]}"#)
        #expect(try inserted.int("seven") == 7)
        #expect(throws: PostgresDecodingError.self) { try inserted.int("total_amount") }
        let decoded = try inserted.decode(InsertedOrder.self)
        #expect(decoded.storeID == store && decoded.placedAt == placed && decoded.paidAt == nil)
        #expect(decoded.total.text == "12345678901234.123456" && decoded.isTest)
    }

    private struct InsertedOrder: Decodable {
        let storeID: Shared.UUID
        let placedAt: DateTime
        let paidAt: DateTime?
        let total: DecimalString
        let isTest: Bool

        enum CodingKeys: String, CodingKey {
            case storeID = "store_id"
            case placedAt = "placed_at"
            case paidAt = "paid_at"
            case total = "total_amount"
            case isTest = "is_test"
        }
    }

    @Test func aReadOnlyTransactionRefusesWrites() throws {
        let rw = try self.database.connect(.rw)
        #expect(throws: PostgresError.self) {
            try rw.withTenant(self.id(self.storeA), readOnly: true, statementTimeout: .seconds(5)) { tx in
                try tx.query("UPDATE app.orders SET updated_at = now()")
            }
        }
        let error = rw.failure(store: nil, "SELECT 1")  // the connection is still usable
        #expect(error == nil)
        do {
            try rw.withTenant(self.id(self.storeA), readOnly: true, statementTimeout: .seconds(5)) { tx in
                try tx.query("DELETE FROM app.orders")
            }
        } catch let error as PostgresError {
            #expect(error.sqlState == SQLState.readOnlySQLTransaction)
        }
    }

    @Test func anErrorOrCancellationRollsBack() throws {
        struct HandlerFailed: Error {}
        let rw = try self.database.connect(.rw)
        let store = self.id(self.storeA)
        let external = "rolled-back-\(Int.random(in: 0...Int.max))"
        let insert =
            "INSERT INTO app.customers (store_id, external_id) VALUES ($1, $2)"
        #expect(throws: HandlerFailed.self) {
            try rw.withTenant(store, statementTimeout: .seconds(5)) { tx in
                try tx.query(insert, store, external)
                throw HandlerFailed()
            }
        }
        #expect(rw.transactionStatus == .idle)
        // Cancelled at the third check (start, the insert, then the statement after it).
        var calls = 0
        let cancelledLater = {
            calls += 1
            return calls > 2
        }
        #expect(throws: CancellationError.self) {
            try rw.withTenant(store, statementTimeout: .seconds(5), isCancelled: cancelledLater) { tx in
                try tx.query(insert, store, external)
                try tx.query("SELECT 1")
            }
        }
        #expect(rw.transactionStatus == .idle)
        // A body that swallows a statement's error cannot commit what came before it.
        #expect(throws: PostgresError.self) {
            try rw.withTenant(store, statementTimeout: .seconds(5)) { tx in
                try tx.query(insert, store, external)
                _ = try? tx.query("SELECT 1/0")
            }
        }
        #expect(try rw.count("customers", store: self.storeA.id, where: "external_id = $1", [external]) == 0)
        let admin = try self.database.connect(.admin)
        #expect(try admin.count("customers", store: nil, where: "external_id = $1", [external]) == 0)
    }

    @Test func theStatementTimeoutAppliesInsideAndTheConnectionSurvives() throws {
        let rw = try self.database.connect(.rw)
        do {
            try rw.withTenant(self.id(self.storeA), statementTimeout: .milliseconds(200)) { tx in
                try tx.query("SELECT pg_sleep(5)")
            }
            Issue.record("pg_sleep(5) finished under a 200 ms statement timeout")
        } catch let error as PostgresError {
            #expect(error.sqlState == SQLState.queryCanceled)
        }
        #expect(rw.isUsable)
        #expect(rw.transactionStatus == .idle)
    }

    @Test func aTransientFailureRunsTheWholeTransactionOnceMore() throws {
        let rw = try self.database.connect(.rw)
        var attempts = 0
        let value = try rw.withTenant(self.id(self.storeA), statementTimeout: .seconds(5)) { tx in
            attempts += 1
            if attempts == 1 {
                try tx.query("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'serialization_failure'; END $$")
            }
            return try tx.query("SELECT 42 AS answer").first?.int("answer")
        }
        #expect(value == 42 && attempts == 2)
        attempts = 0
        do {
            try rw.withTenant(self.id(self.storeA), statementTimeout: .seconds(5)) { tx in
                attempts += 1
                try tx.query("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'deadlock_detected'; END $$")
            }
        } catch let error as PostgresError {
            #expect(error.sqlState == SQLState.deadlockDetected)
            #expect(DatabaseErrorMapping.response(to: error).0 == DatabaseErrorMapping.unavailable)
        }
        #expect(attempts == 2)
    }

    /// A real deadlock between two transactions: PostgreSQL picks a victim (40P01), whose whole
    /// transaction runs again and succeeds.
    @Test func aRealDeadlockIsRetriedOnce() throws {
        let database = self.database
        let store = self.id(self.storeA)
        let ids = try database.connect(.admin).query(
            "INSERT INTO app.customers (store_id, external_id) SELECT $1, 'deadlock-' || g || '-' || $2 "
                + "FROM generate_series(1, 2) g RETURNING id",
            [self.storeA.id, String(Int.random(in: 0...Int.max))],
            timeout: .seconds(10)
        ).column("id").compactMap { $0 }
        let bothLockedOne = DispatchGroup()
        bothLockedOne.enter()
        bothLockedOne.enter()
        let attempts = LockedCounter()
        let winnerDone = DispatchSemaphore(value: 0)
        func lockBoth(first: String, second: String) -> ResultThread<Void> {
            ResultThread {
                let rw = try database.connect(.rw)
                var attempt = 0
                try rw.withTenant(store, statementTimeout: .seconds(20)) { tx in
                    attempt += 1
                    attempts.increment()
                    if attempt > 1 {
                        // The victim's second run starts after the winner's commit, so the two
                        // cannot deadlock a second time by chance.
                        winnerDone.wait()
                    }
                    try tx.query("UPDATE app.customers SET first_name = 'x' WHERE id = $1", first)
                    if attempt == 1 {
                        bothLockedOne.leave()
                        bothLockedOne.wait()
                    }
                    try tx.query("UPDATE app.customers SET first_name = 'y' WHERE id = $1", second)
                }
                winnerDone.signal()
            }
        }
        let one = lockBoth(first: ids[0], second: ids[1])
        let two = lockBoth(first: ids[1], second: ids[0])
        try one.join()
        try two.join()
        #expect(attempts.value == 3, "one of the two was the deadlock victim and ran again")
    }

    @Test func theGuardRollsBackAnOpenTransactionAndRefusesAStatementStillRunning() throws {
        let rw = try self.database.connect(.rw)
        try rw.execute("BEGIN; SELECT set_config('app.store_id', '\(self.storeA.id)', true)", timeout: .seconds(5))
        #expect(rw.transactionStatus == .inTransaction)
        #expect(rw.resetForReuse(timeout: .seconds(5)))
        #expect(rw.transactionStatus == .idle)
        #expect(try rw.query("SELECT current_setting('app.store_id', true)", timeout: .seconds(5)).scalar ?? "" == "")

        #expect(throws: PostgresError(kind: .timeout, message: "no answer from PostgreSQL before the deadline")) {
            try rw.query("SELECT pg_sleep(3)", timeout: .milliseconds(100))
        }
        #expect(!rw.resetForReuse(timeout: .seconds(5)))
        #expect(!rw.isUsable)
    }
}
