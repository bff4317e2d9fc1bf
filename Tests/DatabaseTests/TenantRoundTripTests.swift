import Foundation
import Shared
import TestSupport
import Testing

@testable import Database

/// The round trips of a tenant transaction (libpq pipeline mode): `BEGIN`, the settings and
/// the first statement share one flight, `COMMIT` is the second; and every error of that
/// flight surfaces as it would one statement at a time, leaving nothing unread.
@Suite("Tenant round trips", .migratedDatabase)
struct TenantRoundTripTests {
    private let database: TestDatabase
    private let store: Shared.UUID
    private let storeID: String

    init() throws {
        let (database, storeA, _) = try SeededStore.twoStores()
        self.database = database
        self.storeID = storeA.id
        let store = Shared.UUID(storeA.id)
        self.store = try #require(store)
    }

    @Test func aOneStatementReadOnlyTransactionIsTwoRoundTrips() throws {
        let rw = try self.database.connect(.rw)
        var before = rw.roundTrips
        let tenants = try rw.withTenant(self.store, readOnly: true, statementTimeout: .seconds(5)) { tx in
            try tx.query("SELECT DISTINCT store_id FROM app.orders").map { try $0.uuid("store_id") }
        }
        #expect(rw.roundTrips - before == 2)
        #expect(tenants == [self.store])
        #expect(rw.transactionStatus == .idle)

        before = rw.roundTrips
        let nothing = try rw.withTenant(self.store, readOnly: true, statementTimeout: .seconds(5)) { _ in 7 }
        #expect(nothing == 7 && rw.roundTrips == before)  // no statement: nothing to begin or commit

        // A statement sent on the connection itself inside the body opens the transaction too.
        before = rw.roundTrips
        let seen = try rw.withTenant(self.store, readOnly: true, statementTimeout: .milliseconds(1500)) { _ in
            try rw.query(
                "SELECT current_setting('app.store_id') AS tenant, current_setting('statement_timeout') AS timeout, "
                    + "current_setting('transaction_read_only') AS ro",
                timeout: .seconds(5)
            ).first
        }
        #expect(rw.roundTrips - before == 2)
        #expect(try seen?.string("tenant") == self.storeID)
        #expect(try seen?.string("timeout") == "1500ms")
        #expect(try seen?.string("ro") == "on")
        #expect(try rw.query("SELECT current_setting('app.store_id', true)", timeout: .seconds(5)).scalar ?? "" == "")
    }

    @Test func theFirstStatementsErrorSurfacesAsAloneAndNothingIsLeftUnread() throws {
        let rw = try self.database.connect(.rw)
        let alone = try #require(Self.error { try rw.query("SELECT 1/0", timeout: .seconds(5)) })
        let before = rw.roundTrips
        let pipelined = try #require(
            Self.error {
                try rw.withTenant(self.store, readOnly: true, statementTimeout: .seconds(5)) { tx in
                    try tx.query("SELECT 1/0")
                }
            }
        )
        #expect(pipelined == alone)
        #expect(rw.roundTrips - before == 2)  // the pipeline, then ROLLBACK
        #expect(rw.isUsable && rw.transactionStatus == .idle)
        #expect(try rw.query("SELECT 41 + 1", timeout: .seconds(5)).scalar == "42")

        // A body that swallows it can neither run another statement nor commit.
        let swallowed = Self.error {
            try rw.withTenant(self.store, statementTimeout: .seconds(5)) { tx in
                _ = try? tx.query("SELECT 1/0")
                return try tx.query("SELECT 1")
            }
        }
        #expect(swallowed?.sqlState == SQLState.inFailedSQLTransaction)
        let committed = Self.error {
            try rw.withTenant(self.store, statementTimeout: .seconds(5)) { tx in _ = try? tx.query("SELECT 1/0") }
        }
        #expect(committed?.sqlState == SQLState.inFailedSQLTransaction)
        #expect(rw.transactionStatus == .idle)
    }

    @Test func aPipelineStopsAtItsFirstErrorAndReadsToItsSync() throws {
        let rw = try self.database.connect(.rw)
        let statements = ["SELECT 1", "SELECT 1/0", "SELECT 3"].map {
            PostgresConnection.PipelinedStatement(sql: $0, parameters: [])
        }
        let before = rw.roundTrips
        let error = Self.error { try rw.pipeline(statements, timeout: .seconds(5)) }
        #expect(error?.sqlState == "22012")
        #expect(rw.roundTrips - before == 1)
        #expect(rw.isUsable && rw.transactionStatus == .idle)  // an implicit transaction, rolled back

        // Inside an explicit block the failure leaves the block failed, as one by one would.
        let begin = PostgresConnection.beginStatements(
            store: self.store,
            readOnly: false,
            statementTimeout: .seconds(5)
        )
        #expect(Self.error { try rw.pipeline(begin + [statements[1]], timeout: .seconds(5)) } != nil)
        #expect(rw.transactionStatus == .failed)
        #expect(rw.resetForReuse(timeout: .seconds(5)))
        #expect(rw.transactionStatus == .idle)

        let last = try rw.pipeline(begin + [statements[2]], timeout: .seconds(5))
        #expect(last.scalar == "3")  // the last statement's rows, not the settings'
        #expect(rw.transactionStatus == .inTransaction)
        try rw.execute("ROLLBACK", timeout: .seconds(5))
    }

    @Test func theStatementTimeoutCoversThePipelinedStatement() throws {
        let rw = try self.database.connect(.rw)
        let error = Self.error {
            try rw.withTenant(self.store, readOnly: true, statementTimeout: .milliseconds(200)) { tx in
                try tx.query("SELECT pg_sleep(5)")
            }
        }
        #expect(error?.sqlState == SQLState.queryCanceled)
        #expect(rw.isUsable && rw.transactionStatus == .idle)
    }

    /// The charts-list shape (one read-only statement) as it ran before pipelining (a script for
    /// `BEGIN` and the settings, the statement, `COMMIT`) and now; prints PostgreSQL's CPU per
    /// transaction (its backend's `schedstat`, when the connection is direct) and ours.
    @Test func pipeliningSavesARoundTripPerTransaction() throws {
        let rw = try self.database.connect(.rw)
        // Behind PgBouncer the backend serving a transaction may change: no server figure then.
        let backend =
            TestCluster.pgbouncerAddress != nil
            ? nil : try rw.query("SELECT pg_backend_pid()", timeout: .seconds(5)).scalar.flatMap { Int32($0) }
        let select = "SELECT id, total_amount, placed_at FROM app.orders ORDER BY placed_at DESC, id DESC LIMIT 20"
        let script =
            "BEGIN READ ONLY; SELECT set_config('app.store_id', '\(self.storeID)', true), "
            + "set_config('statement_timeout', '5000', true)"
        // Alternating blocks, so a change of load on the machine hits both alike.
        let count = 100
        var unpipelined = Cost()
        var pipelined = Cost()
        for _ in 0..<5 {
            unpipelined.add(
                try Self.measure(rw, backend: backend, count: count) {
                    try rw.execute(script, timeout: .seconds(6))
                    try rw.query(select, timeout: .seconds(6))
                    try rw.execute("COMMIT", timeout: .seconds(6))
                }
            )
            pipelined.add(
                try Self.measure(rw, backend: backend, count: count) {
                    _ = try rw.withTenant(self.store, readOnly: true, statementTimeout: .seconds(5)) { tx in
                        try tx.query(select)
                    }
                }
            )
        }
        #expect(unpipelined.roundTrips == 3 * unpipelined.count)
        #expect(pipelined.roundTrips == 2 * pipelined.count)
        #expect(pipelined.count == 5 * count)
        print("tenant transaction, one SELECT: before \(unpipelined) / now \(pipelined)")
    }

    // MARK: - Helpers

    private struct Cost: CustomStringConvertible {
        var roundTrips = 0
        var serverNanoseconds: UInt64? = 0
        var clientNanoseconds: UInt64 = 0
        var count = 0

        mutating func add(_ other: Cost) {
            self.roundTrips += other.roundTrips
            self.serverNanoseconds = self.serverNanoseconds.flatMap { mine in other.serverNanoseconds.map { mine + $0 }
            }
            self.clientNanoseconds += other.clientNanoseconds
            self.count += other.count
        }

        var description: String {
            let server = self.serverNanoseconds.map { "\($0 / UInt64(self.count) / 1000) µs" } ?? "n/a"
            return "\(self.roundTrips / self.count) round trips, PostgreSQL CPU \(server), "
                + "client CPU \(self.clientNanoseconds / UInt64(self.count) / 1000) µs per transaction"
        }
    }

    private static func measure(
        _ connection: PostgresConnection,
        backend: Int32?,
        count: Int,
        _ body: () throws -> Void
    ) throws -> Cost {
        let roundTrips = connection.roundTrips
        let server = backend.flatMap(Self.cpuNanoseconds(pid:))
        let client = Self.threadCPUNanoseconds()
        for _ in 0..<count { try body() }
        let serverAfter = backend.flatMap(Self.cpuNanoseconds(pid:))
        return Cost(
            roundTrips: connection.roundTrips - roundTrips,
            serverNanoseconds: server.flatMap { before in serverAfter.map { $0 - before } },
            clientNanoseconds: Self.threadCPUNanoseconds() - client,
            count: count
        )
    }

    /// Time on CPU of process `pid` in nanoseconds (first field of `/proc/PID/schedstat`).
    private static func cpuNanoseconds(pid: Int32) -> UInt64? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/schedstat", encoding: .utf8) else { return nil }
        return text.split(separator: " ").first.flatMap { UInt64($0) }
    }

    private static func threadCPUNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    private static func error<T>(_ body: () throws -> T) -> PostgresError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? PostgresError
        }
    }
}
