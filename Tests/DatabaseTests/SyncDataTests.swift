import Database
import Shared
import TestSupport
import Testing

/// Cases 7–10 of datamodel.md: upserts, deletes and sync jobs, as app_rw.
@Suite("Synced data", .migratedDatabase)
struct SyncDataTests {
    private let database: TestDatabase
    private let store: SeededStore
    private let rw: PostgresConnection

    init() throws {
        self.database = try #require(TestDatabase.current)
        self.store = try SeededStore.seed(self.database.connect(.admin))
        self.rw = try self.database.connect(.rw)
    }

    /// The sync's order upsert: applies a payload unless it is older than the stored one.
    private static let upsert = """
        INSERT INTO app.orders AS o (store_id, external_id, currency_code, financial_status, placed_at,
                                     total_amount, platform_updated_at)
        VALUES ($1, $2, 'EUR', $3, '2024-05-01T10:00:00Z', $4, $5)
        ON CONFLICT (store_id, external_id) DO UPDATE
           SET currency_code = EXCLUDED.currency_code, financial_status = EXCLUDED.financial_status,
               placed_at = EXCLUDED.placed_at, total_amount = EXCLUDED.total_amount,
               platform_updated_at = EXCLUDED.platform_updated_at
         WHERE o.platform_updated_at IS NULL OR EXCLUDED.platform_updated_at >= o.platform_updated_at
        """

    private func order(_ externalID: String, store: String) throws -> [String?] {
        let rows = try self.rw.run(
            store: store,
            "SELECT count(*) OVER (), updated_at, total_amount, financial_status FROM app.orders WHERE external_id = $1",
            [externalID]
        )
        return rows.rows.first ?? []
    }

    /// Case 7.
    @Test func upsertingTheSameOrderTwiceKeepsOneRowAndItsUpdatedAt() throws {
        let id = SeededStore.unique()
        let s = self.store.id
        try self.rw.run(store: s, Self.upsert, [s, id, "paid", "10.00", "2024-05-02T00:00:00Z"])
        let first = try self.order(id, store: s)
        try self.rw.run(store: s, Self.upsert, [s, id, "paid", "10.00", "2024-05-02T00:00:00Z"])
        let second = try self.order(id, store: s)
        #expect(second[0] == "1")
        #expect(second[1] == first[1], "identical re-sync must not touch updated_at")

        let older = try self.rw.run(store: s, Self.upsert, [s, id, "refunded", "0.00", "2024-05-01T00:00:00Z"])
        #expect(older.affectedRows == 0)
        #expect(try self.order(id, store: s) == second, "an older payload is ignored")

        try self.rw.run(store: s, Self.upsert, [s, id, "refunded", "0.00", "2024-05-03T00:00:00Z"])
        let newer = try self.order(id, store: s)
        #expect(newer[2] == "0.000000" && newer[3] == "refunded")
        #expect(newer[1] != first[1], "a real change moves updated_at")

        let other = try SeededStore.seed(self.database.connect(.admin))
        try self.rw.run(store: other.id, Self.upsert, [other.id, id, "paid", "5.00", "2024-05-02T00:00:00Z"])
        #expect(try self.order(id, store: other.id)[0] == "1")
        #expect(try self.order(id, store: s)[0] == "1", "one external_id in two stores is two rows")
    }

    /// Case 8.
    @Test func deletingACustomerNullsOnlyTheOrdersCustomerId() throws {
        let s = self.store.id
        let deleted = try self.rw.run(store: s, "DELETE FROM app.customers WHERE id = $1", [self.store.customer])
        #expect(deleted.affectedRows == 1)
        let order = try self.rw.run(
            store: s,
            "SELECT customer_id, store_id, total_amount FROM app.orders WHERE id = $1",
            [self.store.order]
        )
        #expect(order.rows == [[nil, s, "42.500000"]])
    }

    /// Case 9.
    @Test func syncLogsAllowOneActiveJobPerResourceAndConsistentStates() throws {
        let s = self.store.id
        let insert =
            "INSERT INTO app.sync_logs (store_id, resource, mode, status, started_at, finished_at, error_message) "
            + "VALUES ($1, $2, 'scheduled', $3, $4, $5, $6)"
        let now = "2024-05-01T12:00:00Z"
        try self.rw.run(store: s, insert, [s, "customers", "queued", nil, nil, nil])
        #expect(self.rw.failure(store: s, insert, [s, "customers", "running", now, nil, nil])?.sqlState == "23505")
        #expect(self.rw.failure(store: s, insert, [s, "coupons", "running", now, nil, nil]) == nil)
        #expect(self.rw.failure(store: s, insert, [s, "coupons", "failed", now, now, nil])?.sqlState == "23514")
        #expect(self.rw.failure(store: s, insert, [s, "coupons", "running", now, now, nil])?.sqlState == "23514")
        #expect(self.rw.failure(store: s, insert, [s, "coupons", "failed", now, now, "timeout"]) == nil)
        // Finishing the active job frees the slot; the duration is computed.
        try self.rw.run(
            store: s,
            "UPDATE app.sync_logs SET status = 'succeeded', started_at = $2, finished_at = $3 "
                + "WHERE store_id = $1 AND resource = 'customers'",
            [s, "2024-05-01T12:00:00Z", "2024-05-01T12:00:01.5Z"]
        )
        #expect(self.rw.failure(store: s, insert, [s, "customers", "queued", nil, nil, nil]) == nil)
        let duration = try self.rw.run(
            store: s,
            "SELECT duration_ms FROM app.sync_logs WHERE store_id = $1 AND resource = 'customers' AND status = 'succeeded'",
            [s]
        )
        #expect(duration.scalar == "1500")
    }

    /// Case 10.
    @Test func deletingAStoreLeavesNoRowWithItsStoreId() throws {
        let admin = try self.database.connect(.admin)
        let other = try SeededStore.seed(admin)
        let deleted = try self.rw.run(store: self.store.id, "DELETE FROM app.stores WHERE id = $1", [self.store.id])
        #expect(deleted.affectedRows == 1)
        for table in SeededStore.tables {
            let key = table == "stores" ? "id" : "store_id"
            #expect(try admin.count(table, store: nil, where: "\(key) = $1", [self.store.id]) == 0, "\(table)")
            #expect(try admin.count(table, store: nil, where: "\(key) = $1", [other.id]) > 0, "other store's \(table)")
        }
    }

    /// updated_at moves only when a row really changes (also on sync_logs, whose trigger
    /// lists its columns because of the generated duration_ms).
    @Test func updatedAtMovesOnlyOnRealChanges() throws {
        let s = self.store.id
        for (table, id) in [("products", self.store.product), ("sync_logs", self.store.syncLog)] {
            let before = try self.rw.run(store: s, "SELECT updated_at FROM app.\(table) WHERE id = $1", [id]).scalar
            try self.rw.run(store: s, "UPDATE app.\(table) SET store_id = store_id WHERE id = $1", [id])
            #expect(
                try self.rw.run(store: s, "SELECT updated_at FROM app.\(table) WHERE id = $1", [id]).scalar == before
            )
            try self.rw.run(
                store: s,
                "UPDATE app.\(table) SET created_at = created_at - interval '1 s' WHERE id = $1",
                [id]
            )
            #expect(
                try self.rw.run(store: s, "SELECT updated_at FROM app.\(table) WHERE id = $1", [id]).scalar != before
            )
        }
    }
}
