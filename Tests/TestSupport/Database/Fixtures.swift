// Swift Testing is there only when tests are built: release builds of the products also compile
// this target (`swift build` builds every target), and a --static-swift-stdlib build has no
// Testing module at all.
#if canImport(Testing)
import Database
import Foundation
import Shared
import Testing

/// One store with a row in every table, inserted as the superuser (row security does not
/// apply to it), so tests can attack it as app_rw / app_ro.
public struct SeededStore: Sendable {
    /// The store's id (`app.stores.id`).
    public let id: String
    /// The ids of its rows, one per table (`childCategory`: a category under `category`).
    public let customer: String
    /// A product.
    public let product: String
    /// A category.
    public let category: String
    /// A category whose parent is `category`.
    public let childCategory: String
    /// A coupon.
    public let coupon: String
    /// An order of `customer`.
    public let order: String
    /// An item of `order` selling `product`.
    public let orderItem: String
    /// A conversation.
    public let conversation: String
    /// The first message of `conversation`.
    public let message: String
    /// A saved chart pointing at `conversation` and `message`.
    public let savedChart: String
    /// A finished sync log.
    public let syncLog: String

    /// Every table in schema `app`, parents before children.
    public static let tables = [
        "stores", "customers", "products", "categories", "product_categories", "coupons", "orders",
        "order_items", "conversations", "conversation_messages", "saved_charts", "sync_logs",
    ]

    /// The suite's database (`TestDatabase.current`) with two seeded stores, A and B.
    public static func twoStores() throws -> (TestDatabase, SeededStore, SeededStore) {
        let database = try #require(TestDatabase.current)
        let admin = try database.connect(.admin)
        return (database, try Self.seed(admin), try Self.seed(admin))
    }

    /// Inserts a store and one row per table.
    public static func seed(_ admin: PostgresConnection) throws -> SeededStore {
        let store = UUID().uuidString.lowercased()
        try Self.insert(admin, "stores", Self.storeRow(id: store))
        func add(_ table: String, _ values: [(String, String?)]) throws -> String {
            try Self.insert(admin, table, [("store_id", store)] + values) ?? ""
        }
        let customer = try add("customers", [("external_id", Self.unique()), ("email", "Ann@Example.com")])
        let product = try add("products", [("external_id", Self.unique()), ("title", "Mug"), ("status", "active")])
        let category = try add(
            "categories",
            [("external_id", Self.unique()), ("name", "Kitchen"), ("kind", "category")]
        )
        let child = try add(
            "categories",
            [("external_id", Self.unique()), ("name", "Cups"), ("kind", "category"), ("parent_id", category)]
        )
        try Self.insert(
            admin,
            "product_categories",
            [("store_id", store), ("product_id", product), ("category_id", category)]
        )
        let coupon = try add(
            "coupons",
            [("external_id", Self.unique()), ("code", "WELCOME10"), ("discount_type", "percentage"), ("value", "10")]
        )
        let order = try add(
            "orders",
            [
                ("external_id", Self.unique()), ("customer_id", customer), ("currency_code", "EUR"),
                ("financial_status", "paid"), ("placed_at", "2024-05-01T10:00:00Z"), ("total_amount", "42.50"),
            ]
        )
        let item = try add(
            "order_items",
            [
                ("external_id", Self.unique()), ("order_id", order), ("product_id", product), ("title", "Mug"),
                ("quantity", "2"),
            ]
        )
        let conversation = try add("conversations", [("title", "Revenue")])
        let message = try add(
            "conversation_messages",
            [("conversation_id", conversation), ("seq", "1"), ("role", "user"), ("content", #"{"text":"hi"}"#)]
        )
        let chart = try add(
            "saved_charts",
            [
                ("conversation_id", conversation), ("message_id", message), ("title", "Revenue"),
                ("spec", #"{"mark":"bar"}"#), ("query_sql", "SELECT 1"),
            ]
        )
        let syncLog = try add(
            "sync_logs",
            [
                ("resource", "orders"), ("mode", "initial"), ("status", "succeeded"),
                ("started_at", "2024-05-01T10:00:00Z"), ("finished_at", "2024-05-01T10:01:00Z"),
            ]
        )
        return SeededStore(
            id: store,
            customer: customer,
            product: product,
            category: category,
            childCategory: child,
            coupon: coupon,
            order: order,
            orderItem: item,
            conversation: conversation,
            message: message,
            savedChart: chart,
            syncLog: syncLog
        )
    }

    /// A valid new row for `table` in this store, pointing at this store's rows.
    public func newRow(_ table: String) -> [(String, String?)] {
        if table == "stores" { return Self.storeRow(id: UUID().uuidString.lowercased()) }
        let values: [(String, String?)]
        switch table {
        case "customers": values = [("external_id", Self.unique())]
        case "products": values = [("external_id", Self.unique()), ("title", "Plate"), ("status", "draft")]
        case "categories":
            values = [
                ("external_id", Self.unique()), ("name", "Sub"), ("kind", "collection"), ("parent_id", self.category),
            ]
        case "product_categories": values = [("product_id", self.product), ("category_id", self.childCategory)]
        case "coupons": values = [("external_id", Self.unique()), ("code", "X"), ("discount_type", "free_shipping")]
        case "orders":
            values = [
                ("external_id", Self.unique()), ("customer_id", self.customer), ("currency_code", "EUR"),
                ("financial_status", "pending"), ("placed_at", "2024-06-01T00:00:00Z"),
            ]
        case "order_items":
            values = [("external_id", Self.unique()), ("order_id", self.order), ("title", "Plate"), ("quantity", "1")]
        case "conversations": values = []
        case "conversation_messages":
            values = [
                ("conversation_id", self.conversation), ("seq", String(Int.random(in: 2...1_000_000))),
                ("role", "assistant"), ("content", "[]"),
            ]
        case "saved_charts":
            values = [("message_id", self.message), ("title", "T"), ("spec", "{}"), ("query_sql", "SELECT 2")]
        case "sync_logs": values = [("resource", "products"), ("mode", "manual")]
        default: fatalError("unknown table \(table)")
        }
        return [("store_id", self.id)] + values
    }

    /// The `INSERT` statement and parameters for `values`.
    public static func insertSQL(_ table: String, _ values: [(String, String?)]) -> (String, [String?]) {
        let columns = values.map(\.0).joined(separator: ", ")
        let placeholders = (1...values.count).map { "$\($0)" }.joined(separator: ", ")
        return ("INSERT INTO app.\(table) (\(columns)) VALUES (\(placeholders))", values.map(\.1))
    }

    /// Inserts a row on `connection` (autocommit); returns its `id` if the table has one.
    @discardableResult
    public static func insert(
        _ connection: PostgresConnection,
        _ table: String,
        _ values: [(String, String?)]
    ) throws -> String? {
        let (sql, parameters) = Self.insertSQL(table, values)
        let returning = table == "product_categories" ? "" : " RETURNING id"
        return try connection.query(sql + returning, parameters, timeout: .seconds(10)).scalar
    }

    private static func storeRow(id store: String) -> [(String, String?)] {
        [
            ("id", store), ("platform", "shopify"), ("platform_store_id", Self.unique()), ("name", "Shop"),
            ("currency_code", "EUR"),
        ]
    }

    /// A fresh external id.
    public static func unique() -> String {
        UUID().uuidString.lowercased()
    }
}
#endif
