import Foundation
import Shared
import TestSupport
import Testing

@testable import Database

/// The per-connection statement cache (named prepared statements), against a real server:
/// prepared once and reused, prepared again after the server dropped it, bounded, never used
/// through PgBouncer (this suite's name starts with `Tenant`, so `scripts/test` also runs it
/// through PgBouncer in transaction pooling), and errors surface as without it.
@Suite("Tenant statement cache", .migratedDatabase)
struct TenantStatementCacheTests {
    private let database: TestDatabase
    private let store: Shared.UUID
    private let otherStore: Shared.UUID
    private static let select = "SELECT id, total_amount FROM app.orders ORDER BY placed_at DESC, id DESC LIMIT $1"
    private var direct: Bool { TestCluster.pgbouncerAddress == nil }

    init() throws {
        let (database, storeA, storeB) = try SeededStore.twoStores()
        self.database = database
        let store = Shared.UUID(storeA.id)
        let otherStore = Shared.UUID(storeB.id)
        self.store = try #require(store)
        self.otherStore = try #require(otherStore)
    }

    @Test func aStatementIsPreparedOnceAndReusedWithoutAnExtraRoundTrip() throws {
        let rw = try self.database.connect(.rw)
        #expect(try rw.enableStatementCache(timeout: .seconds(5)) == self.direct)
        var results: [PostgresRows] = []
        for _ in 0..<5 {
            let before = rw.roundTrips
            results.append(
                try rw.queryAsTenant(
                    self.store,
                    readOnly: true,
                    statementTimeout: .seconds(5),
                    Self.select,
                    parameters: [5]
                )
            )
            #expect(rw.roundTrips - before == 1)  // BEGIN, settings, statement, COMMIT: one pipeline
            #expect(rw.transactionStatus == .idle)
        }
        #expect(results.allSatisfy { $0 == results[0] && $0.count == 1 })
        guard self.direct else {
            #expect(!rw.cachesStatements && rw.cachedStatementCount == 0)
            return
        }
        // Simple protocol for the look: it is never prepared itself.
        let prepared = try rw.execute(
            "SELECT name, statement FROM pg_prepared_statements ORDER BY name",
            timeout: .seconds(5)
        )
        #expect(prepared.column("statement").filter { $0 == Self.select }.count == 1)
        // BEGIN READ ONLY, the settings, the statement, COMMIT (the pooler check ran before).
        #expect(prepared.count == 4 && rw.cachedStatementCount == 4)
        #expect(prepared.column("name").allSatisfy { $0?.hasPrefix("saas_") == true })
    }

    @Test func theTenantIsPerTransactionWithTheCache() throws {
        let rw = try self.database.connect(.rw)
        try rw.enableStatementCache(timeout: .seconds(5))
        let sql = "SELECT DISTINCT store_id FROM app.orders"
        for store in [self.store, self.otherStore, self.store] {
            let rows = try rw.queryAsTenant(store, readOnly: true, statementTimeout: .seconds(5), sql, parameters: [])
            #expect(rows.rows == [[store.description]])
            let same = try rw.withTenant(store, readOnly: true, statementTimeout: .seconds(5)) { tx in try tx.query(sql)
            }
            #expect(same.rows == [[store.description]])
        }
        // Outside a tenant transaction, the prepared statement sees no tenant at all.
        #expect(try rw.query(sql, timeout: .seconds(5)).count == 0)
    }

    @Test func aStatementTheServerDroppedIsPreparedAgain() throws {
        let rw = try self.database.connect(.rw)
        guard try rw.enableStatementCache(timeout: .seconds(5)) else { return }  // PgBouncer: nothing to drop
        let first = try rw.queryAsTenant(self.store, statementTimeout: .seconds(5), Self.select, parameters: [3])
        try rw.execute("DISCARD ALL", timeout: .seconds(5))
        #expect(try rw.execute("SELECT count(*) FROM pg_prepared_statements", timeout: .seconds(5)).scalar == "0")
        // The whole pipeline failed on its first statement, was rolled back and sent again.
        let again = try rw.queryAsTenant(self.store, statementTimeout: .seconds(5), Self.select, parameters: [3])
        #expect(again == first)
        #expect(rw.transactionStatus == .idle && rw.isUsable)
        let count = try rw.execute("SELECT count(*) FROM pg_prepared_statements", timeout: .seconds(5)).scalar
        #expect(count == String(rw.cachedStatementCount))

        // Dropped in the middle of a transaction: the transaction runs once more.
        _ = try rw.query(Self.select, [nil], timeout: .seconds(5))
        let name = try #require(
            try rw.execute(
                "SELECT name FROM pg_prepared_statements WHERE statement = '\(Self.select)'",
                timeout: .seconds(5)
            ).scalar
        )
        try rw.execute("DEALLOCATE \(name)", timeout: .seconds(5))
        var runs = 0
        let rows = try rw.withTenant(self.store, statementTimeout: .seconds(5)) { tx in
            runs += 1
            try tx.query("SELECT 1")
            return try tx.query(Self.select, 3)
        }
        #expect(runs == 2 && rows == first)
        #expect(rw.transactionStatus == .idle && rw.isUsable)
    }

    @Test func theCacheIsBoundedAndFreesWhatItEvicts() throws {
        let rw = try self.database.connect(.rw)
        guard try rw.enableStatementCache(capacity: 4, timeout: .seconds(5)) else { return }
        for value in 0..<10 {
            #expect(try rw.query("SELECT \(value) AS v", timeout: .seconds(5)).scalar == String(value))
        }
        #expect(rw.cachedStatementCount == 4)
        #expect(rw.resetForReuse(timeout: .seconds(5)))  // the pool's check-in: DEALLOCATE the evicted
        let prepared = try rw.execute("SELECT statement FROM pg_prepared_statements", timeout: .seconds(5))
        #expect(Set(prepared.column("statement").compactMap { $0 }) == Set((6..<10).map { "SELECT \($0) AS v" }))
        // The most recently used stays: using 6 again evicts 7, not 6.
        _ = try rw.query("SELECT 6 AS v", timeout: .seconds(5))
        _ = try rw.query("SELECT 10 AS v", timeout: .seconds(5))
        #expect(rw.resetForReuse(timeout: .seconds(5)))
        let after = try rw.execute("SELECT statement FROM pg_prepared_statements", timeout: .seconds(5))
        #expect(
            Set(after.column("statement").compactMap { $0 }) == [
                "SELECT 6 AS v", "SELECT 8 AS v", "SELECT 9 AS v", "SELECT 10 AS v",
            ]
        )
    }

    @Test func errorsSurfaceAsWithoutTheCacheAndDoNotPoisonIt() throws {
        let rw = try self.database.connect(.rw)
        let cached = try rw.enableStatementCache(timeout: .seconds(5))
        let cachedBefore = rw.cachedStatementCount
        // A statement that does not parse: its Parse fails, nothing is cached.
        let syntax = Self.error { try rw.query("SELEC 1", timeout: .seconds(5)) }
        #expect(syntax?.sqlState == "42601" && syntax?.kind == .queryFailed)
        #expect(rw.cachedStatementCount == cachedBefore && rw.isUsable)
        // A statement that parses but fails when it runs, in a tenant transaction: rolled back.
        let write = Self.error {
            try rw.queryAsTenant(
                self.store,
                readOnly: true,
                statementTimeout: .seconds(5),
                "UPDATE app.orders SET is_test = is_test WHERE store_id = $1",
                parameters: [self.store]
            )
        }
        #expect(write?.sqlState == SQLState.readOnlySQLTransaction)
        #expect(rw.transactionStatus == .idle && rw.isUsable)
        // A bad parameter of a cached statement: 22P02, and the statement stays usable.
        _ = try rw.query(Self.select, ["2"], timeout: .seconds(5))
        let parameter = Self.error { try rw.query(Self.select, ["two"], timeout: .seconds(5)) }
        #expect(parameter?.sqlState == SQLState.invalidTextRepresentation)
        #expect(try rw.query(Self.select, ["2"], timeout: .seconds(5)).count <= 2)
        // The statement timeout still covers the statement.
        let slow = Self.error {
            try rw.queryAsTenant(self.store, statementTimeout: .milliseconds(200), "SELECT pg_sleep(5)", parameters: [])
        }
        #expect(slow?.sqlState == SQLState.queryCanceled)
        #expect(rw.transactionStatus == .idle && rw.isUsable && rw.cachesStatements == cached)
    }

    @Test func manyConnectionsTakeTurnsWithoutNamedStatements() throws {
        // Through PgBouncer the transactions of these connections share server connections: a
        // named statement would be missing or clash there. Direct, each has its own.
        let connections = try (0..<3).map { _ in try self.database.connect(.rw) }
        for connection in connections { try connection.enableStatementCache(timeout: .seconds(5)) }
        for round in 0..<20 {
            let connection = connections[round % connections.count]
            let store = round.isMultiple(of: 2) ? self.store : self.otherStore
            let rows = try connection.queryAsTenant(
                store,
                readOnly: true,
                statementTimeout: .seconds(5),
                "SELECT DISTINCT store_id FROM app.orders",
                parameters: []
            )
            #expect(rows.rows == [[store.description]])
            #expect(connection.cachesStatements == self.direct)
        }
    }

    @Test func aResultIsDecodedInPlaceAsItWouldBeCopied() throws {
        let rw = try self.database.connect(.rw)
        try rw.enableStatementCache(timeout: .seconds(5))
        let sql = """
            SELECT id, placed_at, is_test, NULL::uuid AS nothing, 'x' AS text FROM app.orders \
            ORDER BY placed_at DESC, id DESC
            """
        let copied = try rw.queryAsTenant(
            self.store,
            readOnly: true,
            statementTimeout: .seconds(5),
            sql,
            parameters: []
        )
        let decoded = try rw.queryAsTenant(
            self.store,
            readOnly: true,
            statementTimeout: .seconds(5),
            sql,
            parameters: []
        ) {
            result in
            Result { () throws(PostgresDecodingError) -> [[String?]] in
                try (0..<result.count).map { row throws(PostgresDecodingError) in
                    let id: Shared.UUID = try result.decode(row, 0, name: "id")
                    let placed: DateTime = try result.decode(row, 1, name: "placed_at")
                    let test: Bool = try result.decode(row, 2, name: "is_test")
                    let nothing: Shared.UUID? = try result.decodeIfPresent(row, 3, name: "nothing")
                    #expect(nothing == nil && result.isNull(row, 3))
                    let text: String = try result.decode(row, 4, name: "text")
                    return [id.description, placed.description, test ? "t" : "f", nil, text]
                }
            }
        }
        let expected = copied.rows.map { values in
            [
                values[0], values[1].flatMap { DateTime($0) }?.description, values[2], values[3], values[4],
            ]
        }
        #expect(try #require(decoded).get() == expected && !expected.isEmpty)
        // NULL where a value is required, and text that is no UUID: errors naming the column.
        let failures = try rw.queryAsTenant(
            self.store,
            statementTimeout: .seconds(5),
            "SELECT NULL::uuid AS a, 'nope' AS b",
            parameters: []
        ) { result in
            (
                Result { () throws(PostgresDecodingError) -> Shared.UUID in try result.decode(0, 0, name: "a") },
                Result { () throws(PostgresDecodingError) -> Shared.UUID in try result.decode(0, 1, name: "b") }
            )
        }
        #expect(throws: PostgresDecodingError(column: "a", expected: "UUID", problem: .null)) { try failures?.0.get() }
        #expect(throws: PostgresDecodingError(column: "b", expected: "UUID", problem: .invalid)) {
            try failures?.1.get()
        }
    }

    private static func error(_ body: () throws -> Any) -> PostgresError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? PostgresError
        }
    }
}
