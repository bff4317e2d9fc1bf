import Database
import Shared
import TestSupport
import Testing

@testable import Worker

/// Case 12 of datamodel.md, and the revenue route's own statement (`RevenueRoutes.sql` with the
/// parameters the route sends): both use the `(store_id, placed_at)` index.
///
/// The planner's choice is made honest, not forced: no `enable_seqscan = off`. 100 stores with
/// 500 orders each over three years (50,000 rows), VACUUM ANALYZE, then one store's last 30
/// days is about 0.03% of the table and a two-year range about 0.6%, where an index on
/// `(store_id, placed_at)` is the right plan. (A range holding all of a store's orders may
/// rightly be read through any index that starts with `store_id`.) The plans are read as
/// `app_rw` in a tenant transaction, as the route runs.
@Suite("Revenue index", .migratedDatabase)
struct RevenueIndexTests {
    private static let store = "00000000-0000-4000-8000-000000000042"

    /// Seeds the 50,000 orders (one every 53 hours per store; a test order and a voided one in
    /// every 50, so the route's filters have rows to drop) and refreshes the statistics.
    private static func seed(_ database: TestDatabase) throws {
        let admin = try database.connect(.admin)
        try admin.execute(
            """
            INSERT INTO app.stores (id, platform, platform_store_id, name, currency_code, timezone)
            SELECT ('00000000-0000-4000-8000-' || lpad(s::text, 12, '0'))::uuid, 'shopify', 'shop-' || s, 'Shop',
                   'EUR', 'Europe/Paris'
            FROM generate_series(1, 100) s;
            INSERT INTO app.orders (store_id, external_id, currency_code, financial_status, is_test, placed_at,
                                    total_amount, refunded_amount)
            SELECT ('00000000-0000-4000-8000-' || lpad(s::text, 12, '0'))::uuid, 'o-' || s || '-' || n, 'EUR',
                   CASE WHEN n % 50 = 1 THEN 'voided' ELSE 'paid' END, n % 50 = 2,
                   now() - (n * interval '53 hours'), (n % 97) + 0.5, CASE WHEN n % 10 = 0 THEN 1.25 ELSE 0 END
            FROM generate_series(1, 100) s, generate_series(1, 500) n;
            """,
            timeout: .seconds(120)
        )
        try admin.execute("VACUUM ANALYZE app.orders", timeout: .seconds(120))
    }

    /// `EXPLAIN` of `sql` with `parameters`, as the store's tenant.
    private static func plan(
        _ rw: PostgresConnection,
        _ sql: String,
        _ parameters: [any PostgresEncodable]
    ) throws -> String {
        try rw.transaction(store: Self.store) { (tx: PostgresTransaction) in
            try tx.query("EXPLAIN " + sql, parameters: parameters)
        }.column("QUERY PLAN").compactMap { $0 }.joined(separator: "\n")
    }

    @Test func revenueStatementsUseTheStorePlacedAtIndex() throws {
        let database = try #require(TestDatabase.current)
        try Self.seed(database)
        let rw = try database.connect(.rw)

        // Case 12: a 30-day revenue query.
        let caseTwelve = try Self.plan(
            rw,
            """
            SELECT date_trunc('day', placed_at) AS day, sum(total_amount - refunded_amount) AS revenue
            FROM app.orders
            WHERE store_id = $1 AND placed_at >= now() - interval '30 days'
            GROUP BY 1 ORDER BY 1
            """,
            [Self.store]
        )
        #expect(caseTwelve.contains("orders_store_id_placed_at_idx"), "plan:\n\(caseTwelve)")
        #expect(!caseTwelve.contains("Seq Scan"), "plan:\n\(caseTwelve)")
        let recent = try rw.run(
            store: Self.store,
            "SELECT count(*) FROM app.orders WHERE store_id = $1 AND placed_at >= now() - interval '30 days'",
            [Self.store]
        )
        #expect(recent.scalar == "13")

        // The route's statement, ending today: 30 and 90 days by day (the benchmark's), its
        // longest range by day (366 days), a year by week and two years by month.
        let today = LocalDate(daysSinceEpoch: Int(DateTime.now().microsecondsSinceEpoch / 86_400_000_000))
        let ranges: [(days: Int, interval: RevenueQuery.Interval)] = [
            (30, .day), (90, .day), (366, .day), (364, .week), (730, .month),
        ]
        for (days, interval) in ranges {
            let query = try RevenueQuery(
                QueryParameters("from=\(today.adding(days: 1 - days))&to=\(today)&interval=\(interval)"[...])
            )
            let parameters = RevenueRoutes.parameters(query, timezone: "Europe/Paris", store: Shared.UUID(Self.store)!)
            let plan = try Self.plan(rw, RevenueRoutes.sql, parameters)
            // An index scan or a bitmap index scan, whichever the planner finds cheaper.
            #expect(
                plan.contains("Index Scan") && plan.contains("orders_store_id_placed_at_idx"),
                "\(days) days:\n\(plan)"
            )
            #expect(!plan.contains("Seq Scan"), "\(days) days:\n\(plan)")
            // The range is an index condition, not a filter over all of the store's rows.
            #expect(plan.contains("Index Cond: ((store_id = ") && plan.contains("(placed_at >= "), "\(plan)")
        }
    }
}
