import Database
import Foundation
import Shared
import TestSupport
import Testing

/// `scripts/seed` (issue 13, deliverable 4), run for real against a migrated database: the two
/// demo stores of the contract with a year of orders and a dozen charts each, written through
/// row-level security as app_rw; a second run replaces them with the same rows and leaves every
/// other store alone. Needs `psql` on the PATH (scripts/services deps installs it).
@Suite("Seed data", .migratedDatabase)
struct SeedTests {
    static let demoStores = ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"]
    /// A store that is not the seed's: it must survive seeding.
    static let otherStore = "00000000-0000-4000-8000-0000000000aa"

    @Test func seedingTwiceGivesTheSameDemoDataAndKeepsOtherStores() throws {
        let database = try #require(TestDatabase.current)
        let admin = try database.connect(.admin)
        try admin.execute(
            """
            INSERT INTO app.stores (id, platform, platform_store_id, name, currency_code)
            VALUES ('\(Self.otherStore)', 'shopify', 'other-shop', 'Other', 'GBP');
            INSERT INTO app.orders (store_id, external_id, currency_code, financial_status, placed_at, total_amount)
            VALUES ('\(Self.otherStore)', 'other-1', 'GBP', 'paid', now(), 10);
            """,
            timeout: .seconds(30)
        )

        // The seed keeps today's orders up to the current hour: two runs compare equal within
        // one hour, so a pair that straddles an hour boundary is run once more.
        var first = ""
        var second = ""
        var counts: [String: Counts] = [:]
        var again: [String: Counts] = [:]
        for _ in 1...2 {
            let hour = try Self.hour(admin)
            first = try Self.seed(database)
            counts = try Self.counts(admin)
            // A chart made through the API for a demo store is demo data: the next run replaces it.
            try admin.execute(
                """
                INSERT INTO app.saved_charts (store_id, title, spec, query_sql)
                VALUES ('\(Self.demoStores[0])', 'Made by hand', '{}', 'SELECT 1')
                """,
                timeout: .seconds(30)
            )
            second = try Self.seed(database)
            again = try Self.counts(admin)
            if try Self.hour(admin) == hour { break }
        }
        #expect(again == counts)
        #expect(first == second, "the summary lines differ:\n\(first)\n\(second)")

        for store in Self.demoStores {
            let c = try #require(counts[store])
            #expect((2_000...10_000).contains(c.orders), "orders of \(store): \(c.orders)")
            #expect(c.charts == 12 && c.pinned == 5 && c.positioned == 4, "charts of \(store): \(c)")
            #expect(c.refunded > 0 && c.test > 0 && c.excluded > 0 && c.withCents > c.orders / 2, "\(c)")
            #expect(c.days >= 300, "orders on \(c.days) distinct days")
            #expect(c.lastPlacedHoursAgo >= 0 && c.lastPlacedHoursAgo < 26, "last order \(c.lastPlacedHoursAgo) h ago")
        }
        #expect(counts[Self.otherStore]?.orders == 1)
        #expect(first.contains("Demo Atelier (EUR, Europe/Paris)"), "\(first)")
        #expect(first.contains("Demo Outfitters (USD, America/New_York)"), "\(first)")
    }

    /// What the test compares between runs, per store.
    struct Counts: Equatable, CustomStringConvertible {
        var orders = 0
        var refunded = 0
        var test = 0
        var excluded = 0
        var withCents = 0
        var days = 0
        var lastPlacedHoursAgo = -1
        var charts = 0
        var pinned = 0
        var positioned = 0
        var description: String {
            "\(orders) orders (\(refunded) refunded, \(test) test, \(excluded) voided/failed/expired, "
                + "\(withCents) with cents, \(days) days), \(charts) charts (\(pinned) pinned, \(positioned) positioned)"
        }
    }

    /// The current hour, as the seed's cut-off for today sees it.
    static func hour(_ admin: PostgresConnection) throws -> String? {
        try admin.query("SELECT date_trunc('hour', now())::text", [], timeout: .seconds(10)).scalar
    }

    /// Counts per store, read as the superuser (no row-level security).
    static func counts(_ admin: PostgresConnection) throws -> [String: Counts] {
        let rows = try admin.query(
            """
            SELECT s.id::text AS id,
                   (SELECT count(*) FROM app.orders o WHERE o.store_id = s.id) AS orders,
                   (SELECT count(*) FROM app.orders o WHERE o.store_id = s.id AND o.refunded_amount > 0) AS refunded,
                   (SELECT count(*) FROM app.orders o WHERE o.store_id = s.id AND o.is_test) AS test,
                   (SELECT count(*) FROM app.orders o WHERE o.store_id = s.id
                      AND o.financial_status IN ('voided', 'failed', 'expired')) AS excluded,
                   (SELECT count(*) FROM app.orders o WHERE o.store_id = s.id AND o.total_amount % 1 <> 0)
                       AS with_cents,
                   (SELECT count(DISTINCT (o.placed_at AT TIME ZONE s.timezone)::date) FROM app.orders o
                      WHERE o.store_id = s.id) AS days,
                   coalesce((SELECT floor(extract(epoch FROM now() - max(o.placed_at)) / 3600)::int
                      FROM app.orders o WHERE o.store_id = s.id), -1) AS last_hours,
                   (SELECT count(*) FROM app.saved_charts c WHERE c.store_id = s.id) AS charts,
                   (SELECT count(*) FROM app.saved_charts c WHERE c.store_id = s.id AND c.pinned) AS pinned,
                   (SELECT count(*) FROM app.saved_charts c WHERE c.store_id = s.id AND c.position IS NOT NULL)
                       AS positioned
            FROM app.stores s
            """,
            [],
            timeout: .seconds(60)
        )
        var result: [String: Counts] = [:]
        for row in rows {
            result[try row.string("id")] = Counts(
                orders: try row.int("orders"),
                refunded: try row.int("refunded"),
                test: try row.int("test"),
                excluded: try row.int("excluded"),
                withCents: try row.int("with_cents"),
                days: try row.int("days"),
                lastPlacedHoursAgo: try row.int("last_hours"),
                charts: try row.int("charts"),
                pinned: try row.int("pinned"),
                positioned: try row.int("positioned")
            )
        }
        return result
    }

    /// Runs `scripts/seed` against `database` (as app_rw; ANALYZE as the superuser) and returns
    /// what it printed; a failing run fails the test with its output.
    static func seed(_ database: TestDatabase) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.script)
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = database.url(.rw)
        environment["MIGRATION_DATABASE_URL"] = database.url(.admin)
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "scripts/seed exited \(process.terminationStatus): \(text)")
        return text
    }

    /// The repository's `scripts/seed`.
    static let script: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("scripts/seed").path
    }()
}
