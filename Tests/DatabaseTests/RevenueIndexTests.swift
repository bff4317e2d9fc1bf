import Database
import Shared
import TestSupport
import Testing

/// Case 12 of datamodel.md: the 30-day revenue query for one store uses the
/// `(store_id, placed_at)` index.
///
/// The planner's choice is made honest, not forced: no `enable_seqscan = off`. 100 stores with
/// 500 orders each over a year (50,000 rows), VACUUM ANALYZE, then one store's last 30 days is
/// about 0.08% of the table, where an index is the right plan.
@Suite("Revenue index", .migratedDatabase)
struct RevenueIndexTests {
    @Test func thirtyDayRevenueUsesTheStorePlacedAtIndex() throws {
        let database = try #require(TestDatabase.current)
        let admin = try database.connect(.admin)
        try admin.execute(
            """
            INSERT INTO app.stores (id, platform, platform_store_id, name, currency_code)
            SELECT ('00000000-0000-4000-8000-' || lpad(s::text, 12, '0'))::uuid, 'shopify', 'shop-' || s, 'Shop', 'EUR'
            FROM generate_series(1, 100) s;
            INSERT INTO app.orders (store_id, external_id, currency_code, financial_status, placed_at,
                                    total_amount, refunded_amount)
            SELECT ('00000000-0000-4000-8000-' || lpad(s::text, 12, '0'))::uuid, 'o-' || s || '-' || n, 'EUR', 'paid',
                   now() - (n * interval '17 hours'), (n % 97) + 0.5, 0
            FROM generate_series(1, 100) s, generate_series(1, 500) n;
            """,
            timeout: .seconds(120)
        )
        try admin.execute("VACUUM ANALYZE app.orders", timeout: .seconds(120))
        let store = "00000000-0000-4000-8000-000000000042"
        let rw = try database.connect(.rw)
        let plan = try rw.run(
            store: store,
            """
            EXPLAIN SELECT date_trunc('day', placed_at) AS day, sum(total_amount - refunded_amount) AS revenue
            FROM app.orders
            WHERE store_id = $1 AND placed_at >= now() - interval '30 days'
            GROUP BY 1 ORDER BY 1
            """,
            [store]
        ).column("QUERY PLAN").compactMap { $0 }.joined(separator: "\n")
        #expect(plan.contains("orders_store_id_placed_at_idx"), "plan:\n\(plan)")
        #expect(!plan.contains("Seq Scan"), "plan:\n\(plan)")
        let revenue = try rw.run(
            store: store,
            "SELECT count(*) FROM app.orders WHERE store_id = $1 AND placed_at >= now() - interval '30 days'",
            [store]
        )
        #expect(revenue.scalar == "42")
    }
}
