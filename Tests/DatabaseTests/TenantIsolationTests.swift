import Database
import Shared
import TestSupport
import Testing

/// Cases 1–5 and 11 of datamodel.md, as app_rw / app_ro against a migrated database.
@Suite("Tenant isolation", .migratedDatabase)
struct TenantIsolationTests {
    private let database: TestDatabase
    private let storeA: SeededStore
    private let storeB: SeededStore

    init() throws {
        (self.database, self.storeA, self.storeB) = try SeededStore.twoStores()
    }

    /// Case 1: a two-column key cannot point at another store's row, even though foreign-key
    /// checks bypass row security.
    @Test func referencesToAnotherStoresRowsFail() throws {
        let rw = try self.database.connect(.rw)
        let a = self.storeA
        let b = self.storeB
        let attempts: [(String, [(String, String?)])] = [
            ("order_items", a.newRow("order_items").replacing("order_id", with: b.order)),
            ("orders", a.newRow("orders").replacing("customer_id", with: b.customer)),
            ("categories", a.newRow("categories").replacing("parent_id", with: b.category)),
            ("saved_charts", a.newRow("saved_charts").replacing("message_id", with: b.message)),
            ("product_categories", a.newRow("product_categories").replacing("product_id", with: b.product)),
        ]
        for (table, values) in attempts {
            let (sql, parameters) = SeededStore.insertSQL(table, values)
            let error = rw.failure(store: a.id, sql, parameters)
            #expect(error?.sqlState == "23503", "\(table) pointing at store B: \(String(describing: error))")
            // The same row pointing at store A's own rows is accepted.
            let (ownSQL, ownParameters) = SeededStore.insertSQL(table, a.newRow(table))
            #expect(rw.failure(store: a.id, ownSQL, ownParameters) == nil, "\(table) within store A")
        }
    }

    /// Case 2: no store set → nothing visible, every insert rejected by the policy.
    @Test func withoutAStoreNothingIsVisibleAndEveryInsertFails() throws {
        let rw = try self.database.connect(.rw)
        let admin = try self.database.connect(.admin)
        for table in SeededStore.tables {
            #expect(try admin.count(table, store: nil) > 0, "\(table) has rows")
            #expect(try rw.count(table, store: nil) == 0, "\(table) visible without a store")
            let (sql, parameters) = SeededStore.insertSQL(table, self.storeA.newRow(table))
            let error = rw.failure(store: nil, sql, parameters)
            #expect(error?.sqlState == "42501", "insert into \(table): \(String(describing: error))")
            #expect(error?.message.contains("row-level security") == true)
        }
    }

    /// Case 3: in store A, writing a row for store B fails, by insert or by moving a row.
    @Test func writingAnotherStoresKeyFails() throws {
        let rw = try self.database.connect(.rw)
        for table in SeededStore.tables {
            let (sql, parameters) = SeededStore.insertSQL(table, self.storeB.newRow(table))
            #expect(rw.failure(store: self.storeA.id, sql, parameters)?.sqlState == "42501", "insert into \(table)")
            if table == "conversation_messages" { continue }  // append-only: no UPDATE at all (case 11 style)
            let key = table == "stores" ? "id" : "store_id"
            let move = rw.failure(
                store: self.storeA.id,
                "UPDATE app.\(table) SET \(key) = $1 WHERE \(key) = $2",
                [
                    self.storeB.id, self.storeA.id,
                ]
            )
            #expect(move?.sqlState == "42501", "moving a \(table) row to store B: \(String(describing: move))")
        }
        #expect(
            rw.failure(store: self.storeA.id, "UPDATE app.conversation_messages SET seq = seq", [])?.sqlState == "42501"
        )
    }

    /// Case 4: in store A, B's rows cannot be updated or deleted by id: 0 rows affected.
    @Test func anotherStoresRowsCannotBeUpdatedOrDeletedById() throws {
        let rw = try self.database.connect(.rw)
        let admin = try self.database.connect(.admin)
        let b = self.storeB
        let targets: [(String, String)] = [
            ("stores", b.id), ("customers", b.customer), ("products", b.product), ("categories", b.category),
            ("coupons", b.coupon), ("orders", b.order), ("order_items", b.orderItem),
            ("conversations", b.conversation), ("saved_charts", b.savedChart), ("sync_logs", b.syncLog),
        ]
        for (table, id) in targets {
            let updated = try rw.run(
                store: self.storeA.id,
                "UPDATE app.\(table) SET updated_at = now() WHERE id = $1",
                [id]
            )
            #expect(updated.affectedRows == 0, "update of \(table)")
            let deleted = try rw.run(store: self.storeA.id, "DELETE FROM app.\(table) WHERE id = $1", [id])
            #expect(deleted.affectedRows == 0, "delete of \(table)")
            #expect(try admin.count(table, store: nil, where: "id = $1", [id]) == 1, "\(table) row of B still there")
        }
        let link = try rw.run(
            store: self.storeA.id,
            "DELETE FROM app.product_categories WHERE product_id = $1 AND category_id = $2",
            [b.product, b.category]
        )
        #expect(link.affectedRows == 0)
    }

    /// Case 5: the tenant is transaction-local: after COMMIT the same connection sees nothing.
    @Test func aCommittedTransactionLeavesNoTenantBehind() throws {
        let rw = try self.database.connect(.rw)
        let seen = try rw.transaction(store: self.storeA.id) {
            try rw.query("SELECT count(*) FROM app.orders", timeout: .seconds(5)).scalar
        }
        #expect(seen == "1")
        #expect(try rw.query("SELECT count(*) FROM app.orders", timeout: .seconds(5)).scalar == "0")
        #expect(try rw.count("orders", store: nil) == 0)
        #expect(try rw.query("SELECT app.current_store_id()", timeout: .seconds(5)).scalar == nil)
    }

    /// Case 11: app_ro reads its store but cannot write anything.
    @Test func readOnlyRoleCannotWrite() throws {
        let ro = try self.database.connect(.ro)
        #expect(try ro.count("orders", store: self.storeA.id) == 1)
        for table in SeededStore.tables {
            let (sql, parameters) = SeededStore.insertSQL(table, self.storeA.newRow(table))
            let statements: [(String, [String?])] = [
                (sql, parameters),
                ("UPDATE app.\(table) SET store_id = store_id".replacingStoreKey(table), []),
                ("DELETE FROM app.\(table)", []),
                ("TRUNCATE app.\(table) CASCADE", []),
            ]
            for (statement, parameters) in statements {
                let error = ro.failure(store: self.storeA.id, statement, parameters)
                #expect(error?.sqlState == "42501", "app_ro: \(statement)")
                #expect(error?.message.contains("permission denied") == true)
            }
        }
        #expect(
            try self.database.connect(.admin).count("orders", store: nil, where: "store_id = $1", [self.storeA.id]) >= 1
        )
    }
}

extension [(String, String?)] {
    /// The same values with `column` set to `value`.
    func replacing(_ column: String, with value: String) -> [(String, String?)] {
        self.map { $0.0 == column ? (column, value) : $0 }
    }
}

extension String {
    /// `stores` has `id` where every other table has `store_id`.
    func replacingStoreKey(_ table: String) -> String {
        table == "stores" ? self.replacing("store_id", with: "id") : self
    }
}
