import Foundation
import Shared
import TestSupport
import Testing

@testable import Database

/// `queryAsTenant(batch:)` against a real server: several one-statement tenant transactions in
/// one round trip, each still its own transaction (tenant, read-only, commit, failure). The
/// suite's name starts with `Tenant`, so `scripts/test` also runs it through PgBouncer in
/// transaction pooling, where the queries go one by one.
@Suite("Tenant batches", .migratedDatabase)
struct TenantBatchTests {
    private let database: TestDatabase
    private let store: Shared.UUID
    private let otherStore: Shared.UUID
    private var direct: Bool { TestCluster.pgbouncerAddress == nil }

    /// The transaction's tenant and the stores whose orders it sees.
    private static let whoAmI =
        "SELECT current_setting('app.store_id', true) AS tenant, "
        + "(SELECT string_agg(DISTINCT store_id::text, ',') FROM app.orders) AS visible"
    private static let insert =
        "INSERT INTO app.orders (store_id, external_id, currency_code, financial_status, placed_at) "
        + "VALUES ($1, $2, 'EUR', 'paid', now()) RETURNING external_id"

    init() throws {
        let (database, storeA, storeB) = try SeededStore.twoStores()
        self.database = database
        let store = Shared.UUID(storeA.id)
        let otherStore = Shared.UUID(storeB.id)
        self.store = try #require(store)
        self.otherStore = try #require(otherStore)
    }

    private func connection() throws -> PostgresConnection {
        let rw = try self.database.connect(.rw)
        #expect(try rw.enableStatementCache(timeout: .seconds(5)) == self.direct)
        return rw
    }

    /// Runs `queries` as one batch; the first column of each query's first row (nil: none).
    private static func run(
        _ queries: [PostgresConnection.TenantQuery],
        on connection: PostgresConnection,
        statementTimeout: Duration = .seconds(5)
    ) -> (values: [[String?]], outcomes: [PostgresError?]) {
        var values = [[String?]](repeating: [], count: queries.count)
        let outcomes = connection.queryAsTenant(batch: queries, statementTimeout: statementTimeout) { index, result in
            values[index] = result.copiedRows.rows.first ?? []
        }
        return (values, outcomes)
    }

    private func count(_ prefix: String) throws -> String? {
        let admin = try self.database.connect(.admin)
        return try admin.query(
            "SELECT count(*) FROM app.orders WHERE external_id LIKE $1",
            [prefix + "%"],
            timeout: .seconds(5)
        ).scalar
    }

    @Test func eachQueryIsItsOwnTenantsTransactionInOneRoundTrip() throws {
        let rw = try self.connection()
        let stores = [self.store, self.otherStore, self.store, self.otherStore, self.otherStore, self.store]
        let queries = stores.map {
            PostgresConnection.TenantQuery(store: $0, readOnly: true, sql: Self.whoAmI, parameters: [])
        }
        let before = rw.roundTrips
        let (values, outcomes) = Self.run(queries, on: rw)
        #expect(outcomes.allSatisfy { $0 == nil })
        #expect(values == stores.map { [$0.description, $0.description] })
        #expect(rw.roundTrips - before == (self.direct ? 1 : stores.count))
        #expect(rw.transactionStatus == .idle && rw.isUsable)
        // Nothing of any of them outlives its transaction.
        let after = try rw.query(Self.whoAmI, timeout: .seconds(5)).rows
        #expect(after.count == 1 && (after[0][0] ?? "") == "" && after[0][1] == nil)
    }

    @Test func aFailureFailsItsOwnQueryOnlyAndNothingRunsTwice() throws {
        let rw = try self.connection()
        let tag = "batch-\(Int.random(in: 0..<1_000_000_000))-"
        let queries = [
            PostgresConnection.TenantQuery(
                store: self.store,
                readOnly: false,
                sql: Self.insert,
                parameters: [self.store, tag + "a"]
            ),
            PostgresConnection.TenantQuery(
                store: self.store,
                readOnly: false,
                sql: "SELECT 1 / $1::int",
                parameters: [0]
            ),
            PostgresConnection.TenantQuery(
                store: self.otherStore,
                readOnly: false,
                sql: Self.insert,
                parameters: [self.otherStore, tag + "b"]
            ),
            // Read-only: the write fails with 25006 and takes nothing else down.
            PostgresConnection.TenantQuery(
                store: self.store,
                readOnly: true,
                sql: Self.insert,
                parameters: [self.store, tag + "c"]
            ),
            PostgresConnection.TenantQuery(store: self.otherStore, readOnly: true, sql: Self.whoAmI, parameters: []),
            // Another store's id under this tenant: row security refuses it (42501).
            PostgresConnection.TenantQuery(
                store: self.store,
                readOnly: false,
                sql: Self.insert,
                parameters: [self.otherStore, tag + "d"]
            ),
            PostgresConnection.TenantQuery(
                store: self.store,
                readOnly: false,
                sql: Self.insert,
                parameters: [self.store, tag + "e"]
            ),
        ]
        let (values, outcomes) = Self.run(queries, on: rw)
        #expect(outcomes[0] == nil && values[0] == [tag + "a"])
        #expect(outcomes[1]?.sqlState == "22012")  // division by zero
        #expect(outcomes[2] == nil && values[2] == [tag + "b"])
        #expect(outcomes[3]?.sqlState == SQLState.readOnlySQLTransaction)
        #expect(outcomes[4] == nil && values[4] == [self.otherStore.description, self.otherStore.description])
        #expect(outcomes[5]?.sqlState == SQLState.insufficientPrivilege)
        #expect(outcomes[6] == nil && values[6] == [tag + "e"])
        #expect(rw.transactionStatus == .idle && rw.isUsable)
        // Each committed write is there once; the failed ones are not there at all.
        for (suffix, expected) in [("a", "1"), ("b", "1"), ("c", "0"), ("d", "0"), ("e", "1")] {
            #expect(try self.count(tag + suffix) == expected, "rows of write \(suffix)")
        }
        // The connection goes on as if nothing happened.
        let next = Self.run(
            [PostgresConnection.TenantQuery(store: self.store, readOnly: true, sql: Self.whoAmI, parameters: [])],
            on: rw
        )
        #expect(next.outcomes == [nil] && next.values == [[self.store.description, self.store.description]])
    }

    @Test func statementsTheServerDroppedArePreparedAgain() throws {
        let rw = try self.connection()
        guard self.direct else { return }  // through PgBouncer nothing is prepared to drop
        let queries = [self.store, self.otherStore, self.store].map {
            PostgresConnection.TenantQuery(store: $0, readOnly: true, sql: Self.whoAmI, parameters: [])
        }
        let first = Self.run(queries, on: rw)
        #expect(first.outcomes.allSatisfy { $0 == nil })
        try rw.execute("DEALLOCATE ALL", timeout: .seconds(5))
        let again = Self.run(queries, on: rw)
        #expect(again.outcomes.allSatisfy { $0 == nil })
        #expect(again.values == first.values)
        #expect(rw.transactionStatus == .idle && rw.isUsable)
        let prepared = try rw.execute("SELECT count(*) FROM pg_prepared_statements", timeout: .seconds(5)).scalar
        #expect(prepared == String(rw.cachedStatementCount))
    }

    @Test func eachQueryKeepsItsOwnStatementTimeout() throws {
        let rw = try self.connection()
        let queries = [
            PostgresConnection.TenantQuery(
                store: self.store,
                readOnly: true,
                sql: "SELECT pg_sleep(0.05)::text",
                parameters: []
            ),
            PostgresConnection.TenantQuery(
                store: self.store,
                readOnly: true,
                sql: "SELECT pg_sleep(2)::text",
                parameters: []
            ),
            PostgresConnection.TenantQuery(store: self.otherStore, readOnly: true, sql: Self.whoAmI, parameters: []),
        ]
        let (values, outcomes) = Self.run(queries, on: rw, statementTimeout: .milliseconds(300))
        #expect(outcomes[0] == nil)
        #expect(outcomes[1]?.sqlState == SQLState.queryCanceled)
        #expect(outcomes[2] == nil && values[2] == [self.otherStore.description, self.otherStore.description])
        #expect(rw.transactionStatus == .idle && rw.isUsable)
    }

    @Test func aConnectionLostMidBatchFailsWhatWasNotAnswered() throws {
        let rw = try self.connection()
        guard self.direct else { return }  // through PgBouncer the backend's end is the pooler's
        let queries = [
            PostgresConnection.TenantQuery(store: self.store, readOnly: true, sql: Self.whoAmI, parameters: []),
            PostgresConnection.TenantQuery(
                store: self.store,
                readOnly: true,
                sql: "SELECT pg_terminate_backend(pg_backend_pid())::text",
                parameters: []
            ),
            PostgresConnection.TenantQuery(store: self.otherStore, readOnly: true, sql: Self.whoAmI, parameters: []),
        ]
        let (values, outcomes) = Self.run(queries, on: rw)
        #expect(outcomes[0] == nil && values[0] == [self.store.description, self.store.description])
        #expect(outcomes[1] != nil && outcomes[2] != nil)
        #expect(outcomes[2]?.breaksConnection == true)
        #expect(!rw.isUsable)
    }
}
