import Database
import Foundation
import NIOCore
import NIOPosix
import Shared
import TestSupport
import Testing

@testable import Worker

/// The worker's pool (`PostgresPool`) with real connections: the check-in guard, the leak test
/// of the issue and the two-tenant concurrency proof. Tenant HTTP routes do not exist yet, so
/// the proof runs at the pool level: several pools stand for several workers.
@Suite("Tenant pools", .migratedDatabase)
struct TenantPoolTests {
    private struct HandlerFailed: Error {}

    private let database: TestDatabase
    private let storeA: Shared.UUID
    private let storeB: Shared.UUID
    /// Rows each store owns in the tables `visibleRows` reads.
    private let rowsPerStore: Int

    /// Every row of four tenant tables, with the transaction's tenant beside it.
    private static let visibleRows =
        "SELECT store_id, current_setting('app.store_id', true) AS tenant FROM app.orders "
        + "UNION ALL SELECT store_id, current_setting('app.store_id', true) FROM app.customers "
        + "UNION ALL SELECT store_id, current_setting('app.store_id', true) FROM app.order_items "
        + "UNION ALL SELECT id, current_setting('app.store_id', true) FROM app.stores"

    init() throws {
        self.database = try #require(TestDatabase.current)
        let admin = try self.database.connect(.admin)
        let a = try SeededStore.seed(admin)
        let b = try SeededStore.seed(admin)
        for store in [a.id, b.id] {
            try admin.query(
                "INSERT INTO app.orders (store_id, external_id, currency_code, financial_status, placed_at) "
                    + "SELECT $1, 'bulk-' || g, 'EUR', 'paid', now() FROM generate_series(1, 20) g",
                [store],
                timeout: .seconds(30)
            )
        }
        self.storeA = Shared.UUID(a.id)!
        self.storeB = Shared.UUID(b.id)!
        self.rowsPerStore = 21 + 1 + 1 + 1  // orders, customers, order_items, stores
    }

    private func pool(size: Int, queryTimeout: Duration = .seconds(20)) -> PostgresPool {
        PostgresPool(url: self.database.url(.rw), size: size, connectTimeout: .seconds(10), queryTimeout: queryTimeout)
    }

    /// Reads every visible row as `store` and counts those of another tenant (must be none).
    private static func foreignRows(
        as store: Shared.UUID,
        in rows: PostgresRows,
        expected: Int
    ) throws -> Int {
        #expect(rows.count == expected, "tenant \(store) saw \(rows.count) rows, expected \(expected)")
        var foreign = 0
        for row in rows {
            let owner = try row.uuid("store_id")
            let tenant = try row.string("tenant")
            if owner != store || tenant != store.description { foreign += 1 }
        }
        return foreign
    }

    /// Runs `body` `count` times at once (each holds its connection briefly, so the pool's
    /// threads take different connections).
    private static func concurrently(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws
    {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for index in 0..<count { tasks.addTask { try await body(index) } }
            try await tasks.waitForAll()
        }
    }

    /// Keeps one of `pool`'s connections (and its thread) busy for `seconds`.
    private static func occupy(
        _ pool: PostgresPool,
        on loop: any EventLoop,
        seconds: Double
    ) -> EventLoopFuture<
        PostgresRows
    > {
        pool.withConnection(on: loop) { connection in
            try connection.query("SELECT pg_sleep(\(seconds))", timeout: .seconds(10))
        }
    }

    /// Checks every connection of `pool` outside a tenant transaction: no transaction open, no
    /// tenant set, no tenant row visible. Returns the connections (`serial`) it saw.
    private static func checkNoCarriedState(_ pool: PostgresPool, on loop: any EventLoop) async throws -> Set<String> {
        let pids = LockedSet()
        try await Self.concurrently(8) { _ in
            let (setting, status, orders, pid) = try await pool.withConnection(on: loop) { connection in
                let status = connection.transactionStatus
                let row = try connection.query(
                    "SELECT current_setting('app.store_id', true), (SELECT count(*) FROM app.orders)::text, "
                        + "pg_sleep(0.1)",
                    timeout: .seconds(5)
                ).rows[0]
                return (row[0], status, row[1], String(connection.serial))
            }.get()
            #expect(setting ?? "" == "", "a tenant outside a tenant transaction")
            #expect(status == .idle, "a connection handed out inside a transaction")
            #expect(orders == "0", "tenant rows visible outside a tenant transaction")
            pids.insert(pid)
        }
        return pids.value
    }

    @Test func aThrowingHandlerLeavesNothingForTheNextTenant() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let pool = self.pool(size: 4)
        defer { pool.shutdown() }
        let (a, b, expected) = (self.storeA, self.storeB, self.rowsPerStore)

        // Handlers of tenant A throw inside withTenant, on every connection at once.
        try await Self.concurrently(16) { _ in
            await #expect(throws: HandlerFailed.self) {
                try await pool.withTenant(a, on: loop) { tx in
                    _ = try tx.query(Self.visibleRows + " UNION ALL SELECT NULL, NULL FROM pg_sleep(0.05)")
                    throw HandlerFailed()
                }
            }
        }
        #expect(try await Self.checkNoCarriedState(pool, on: loop).count == 4)
        // Buggy handlers that bypass withTenant and leave tenant A's transaction open (thrown
        // or returned), on every connection: the check-in guard rolls them back.
        try await Self.concurrently(16) { index in
            _ = try? await pool.withConnection(on: loop) { connection in
                try connection.execute(
                    "BEGIN; SELECT set_config('app.store_id', '\(a)', true), pg_sleep(0.05)",
                    timeout: .seconds(5)
                )
                _ = try connection.query(Self.visibleRows, timeout: .seconds(5))
                if index.isMultiple(of: 2) { throw HandlerFailed() }
            }.get()
        }
        let clean = try await Self.checkNoCarriedState(pool, on: loop)
        #expect(clean.count == 4)
        // A statement that times out on the client: its connection is closed, never reused.
        // (The idle list is last in, first out: the next operation gets the same connection.)
        let timedOut = try await pool.withConnection(on: loop) { String($0.serial) }.get()
        let sameConnection = try? await pool.withConnection(on: loop) { connection in
            guard String(connection.serial) == timedOut else { return false }
            _ = try connection.query("SELECT pg_sleep(3)", timeout: .milliseconds(50))
            return true
        }.get()
        #expect(sameConnection == nil, "the statement did not time out")

        // Many requests of tenant B see only B, on every connection.
        let checked = LockedCounter()
        let foreign = LockedCounter()
        try await Self.concurrently(8) { _ in
            for _ in 0..<50 {
                let rows = try await pool.withTenant(b, readOnly: true, on: loop) { tx in
                    try tx.query(Self.visibleRows)
                }
                foreign.add(try Self.foreignRows(as: b, in: rows, expected: expected))
                checked.add(rows.count)
            }
        }
        #expect(foreign.value == 0)
        #expect(checked.value == 400 * expected)

        // Outside a tenant transaction no connection carries a tenant or a transaction, and the
        // one that timed out mid-statement is gone.
        let after = try await Self.checkNoCarriedState(pool, on: loop)
        #expect(!after.contains(timedOut), "the connection that timed out mid-statement was reused")
        print(
            "leak test: 16 throwing tenant-A handlers, 16 open tenant-A transactions left behind, 1 timeout; "
                + "400 tenant-B transactions, \(checked.value) rows checked, \(foreign.value) of tenant A; "
                + "3 x 8 checks outside a transaction on all 4 connections: no tenant, no transaction, no row"
        )
    }

    @Test func twoTenantsInterleavedAcrossPoolsNeverSeeEachOther() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let pools = (0..<3).map { _ in self.pool(size: 4) }  // three "workers"
        defer { for pool in pools { pool.shutdown() } }
        let (a, b, expected) = (self.storeA, self.storeB, self.rowsPerStore)
        let lanes = 16
        let perLane = 200  // 3,200 transactions, 1,600 per tenant
        let checked = LockedCounter()
        let foreign = LockedCounter()
        let failedOnPurpose = LockedCounter()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for lane in 0..<lanes {
                tasks.addTask {
                    for index in 0..<perLane {
                        let store = (lane + index).isMultiple(of: 2) ? a : b
                        let pool = pools[(lane + index) % pools.count]
                        do {
                            let rows = try await pool.withTenant(store, on: loop) { tx in
                                let rows = try tx.query(Self.visibleRows)
                                // Every 7th handler fails after reading: rolled back.
                                if index % 7 == 3 { throw HandlerFailed() }
                                return rows
                            }
                            foreign.add(try Self.foreignRows(as: store, in: rows, expected: expected))
                            checked.add(rows.count)
                        } catch is HandlerFailed {
                            failedOnPurpose.increment()
                        }
                    }
                }
            }
            try await tasks.waitForAll()
        }
        #expect(foreign.value == 0)
        #expect(checked.value == (lanes * perLane - failedOnPurpose.value) * expected)
        print(
            "concurrency proof: 3 pools x 4 connections, \(lanes * perLane) interleaved transactions of 2 tenants "
                + "(\(failedOnPurpose.value) thrown by their handler), \(checked.value) rows checked, "
                + "\(foreign.value) of the other tenant"
        )
    }

    @Test func cancellingTheRequestRollsItsTransactionBack() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let pool = self.pool(size: 1)
        defer { pool.shutdown() }
        let (store, external) = (self.storeA, "cancelled-\(Int.random(in: 0...Int.max))")
        let request = Task {
            try await pool.withTenant(store, on: loop) { tx in
                try tx.query("INSERT INTO app.customers (store_id, external_id) VALUES ($1, $2)", store, external)
                try tx.query("SELECT pg_sleep(1)")
                try tx.query("SELECT 1")  // the cancellation is seen here at the latest
            }
        }
        request.cancel()
        await #expect(throws: CancellationError.self) { try await request.value }
        let admin = try self.database.connect(.admin)
        #expect(try admin.count("customers", store: nil, where: "external_id = $1", [external]) == 0)
        let idle = try await pool.withConnection(on: loop) { $0.transactionStatus }.get()
        #expect(idle == .idle)
    }

    @Test func aSaturatedPoolAnswers503AtItsQueueDeadline() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let pool = self.pool(size: 1, queryTimeout: .milliseconds(300))
        defer { pool.shutdown() }
        let busy = Self.occupy(pool, on: loop, seconds: 1.5)
        do {
            _ = try await pool.withTenant(self.storeA, on: loop) { tx in try tx.query("SELECT 1") }
            Issue.record("a second operation ran while the only connection was busy for 1.5 s")
        } catch let error as PoolError {
            #expect(error == .timedOut(pool: "postgres"))
            let (answer, _) = HTTPErrorMapping.response(toHandlerError: error)
            #expect(answer.status == 503)
            #expect(answer.headers.map(\.0) == ["Retry-After"])
        }
        _ = try await busy.get()
        // The pool serves again once the connection is free.
        let one = try await pool.withTenant(self.storeA, on: loop) { tx in
            try tx.query("SELECT 1 AS one").first?.int("one")
        }
        #expect(one == 1)
    }

    @Test func queuedOneStatementTransactionsShareRoundTripsAndStayApart() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let region = MetricsRegion.anonymous()
        let pool = PostgresPool(
            url: self.database.url(.rw),
            size: 1,
            connectTimeout: .seconds(10),
            queryTimeout: .seconds(20),
            metrics: .postgres(region)
        )
        defer { pool.shutdown() }
        // The only connection is busy, so what follows queues and is sent in batches after it.
        let busy = Self.occupy(pool, on: loop, seconds: 0.5)
        let stores = (0..<40).map { $0 % 3 == 0 ? self.storeB : self.storeA }
        let answers = stores.map { store in
            pool.queryAsTenant(store, readOnly: true, on: loop, Self.visibleRows, parameters: []) { rows in
                try Self.foreignRows(as: store, in: rows, expected: self.rowsPerStore)
            }
        }
        _ = try await busy.get()
        var foreign = 0
        for answer in answers { foreign += try await answer.get() }
        #expect(foreign == 0, "a batched transaction saw another tenant's rows")
        // saas_api_pool_batches_total and saas_api_pool_batched_transactions_total.
        let (batches, transactions) = (region.value(.postgresBatches), region.value(.postgresBatchedTransactions))
        #expect(transactions == UInt64(stores.count))
        #expect(batches < UInt64(stores.count / 4), "\(batches) round trips for \(transactions) queued transactions")
        // A failing one in a batch fails alone.
        let busyAgain = Self.occupy(pool, on: loop, seconds: 0.3)
        let mixed = (0..<6).map { index in
            pool.queryAsTenant(
                self.storeA,
                readOnly: true,
                on: loop,
                index == 2 ? "SELECT 1 / 0" : "SELECT 1",
                parameters: []
            ) { $0.count }
        }
        _ = try await busyAgain.get()
        for (index, answer) in mixed.enumerated() {
            do {
                let count = try await answer.get()
                #expect(index != 2 && count == 1)
            } catch let error as PostgresError {
                #expect(index == 2 && error.sqlState == "22012")
            }
        }
    }

    @Test func queuedOneStatementTransactionsAnswer503EachAtItsOwnQueueDeadline() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let pool = self.pool(size: 1, queryTimeout: .milliseconds(300))
        defer { pool.shutdown() }
        // The only connection is busy for 2.5 s; two queries queue 150 ms apart behind it. Each
        // must be answered 503 at its own deadline: not before it, and before the connection
        // frees (then the runner would have run it). Everything happens and is timed on the
        // event loop: a test task can resume seconds late when other suites' synchronous
        // database tests hold the cooperative threads.
        typealias Answer = (queued: ContinuousClock.Instant, answered: ContinuousClock.Instant, error: (any Error)?)
        let queue = {
            pool.queryAsTenant(self.storeA, readOnly: true, on: loop, "SELECT 1", parameters: []) { $0.count }
        }
        let outcome = loop.makePromise(of: (answers: [Answer], freed: ContinuousClock.Instant).self)
        loop.execute {
            let freed = Self.occupy(pool, on: loop, seconds: 2.5).map { _ in ContinuousClock.now }
            let early = (queued: ContinuousClock.now, future: queue())
            loop.scheduleTask(in: .milliseconds(150)) {
                let late = (queued: ContinuousClock.now, future: queue())
                let answers = [early, late].map { entry in
                    entry.future.map { _ -> Answer in (entry.queued, ContinuousClock.now, nil) }
                        .recover { error -> Answer in (entry.queued, ContinuousClock.now, error) }
                }
                outcome.completeWith(
                    EventLoopFuture.whenAllSucceed(answers, on: loop).and(freed).map { (answers: $0, freed: $1) }
                )
            }
        }
        let (answers, freed) = try await outcome.futureResult.get()
        #expect(answers.count == 2)
        for (index, answer) in answers.enumerated() {
            #expect(
                (answer.error as? PoolError) == .timedOut(pool: "postgres"),
                "query \(index): \(answer.error.map { "\($0)" } ?? "ran while the only connection was busy")"
            )
            #expect(
                answer.answered - answer.queued >= .milliseconds(300),
                "query \(index) answered before its deadline"
            )
            #expect(answer.answered < freed, "query \(index) was answered only when the connection freed")
        }
        // The pool serves again once the connection is free.
        let count = try await pool.queryAsTenant(self.storeA, readOnly: true, on: loop, "SELECT 1", parameters: []) {
            $0.count
        }.get()
        #expect(count == 1)
    }
}
