import Database
import Shared
import TestSupport
import Testing

@testable import Worker

/// Stores and hand-made orders for the revenue tests, inserted as the superuser, and the
/// response body as the contract spells it (unknown keys fail the decoding).
enum RevenueFixtures {
    /// One order: when (UTC), total, refunded, financial status, test flag.
    struct Order {
        let placedAt: String
        let total: String
        var refunded = "0"
        var status = "paid"
        var isTest = false
    }

    /// Store A (Europe/Paris; CET until 2026-03-29 01:00Z, CEST after). Local times in comments.
    static let parisOrders: [Order] = [
        Order(placedAt: "2026-03-27T22:59:59Z", total: "1.00"),  // a1: 27th 23:59:59
        // a2: 28th 00:30, refunded 19 days later (still counted on the 28th)
        Order(placedAt: "2026-03-27T23:30:00Z", total: "100.00", refunded: "30.00", status: "partially_refunded"),
        Order(placedAt: "2026-03-28T22:30:00Z", total: "19.99"),  // a3: 28th 23:30
        Order(placedAt: "2026-03-28T23:30:00Z", total: "0.125", status: "pending"),  // a4: 29th 00:30 CET
        Order(placedAt: "2026-03-29T22:30:00Z", total: "10.000001"),  // a5: 30th 00:30 CEST
        Order(placedAt: "2026-03-30T21:59:59Z", total: "5.50", status: "authorized"),  // a6: 30th 23:59:59
        Order(placedAt: "2026-03-30T22:00:00Z", total: "2.00"),  // a7: 31st 00:00
        Order(placedAt: "2026-02-28T23:30:00Z", total: "3.00"),  // a8: 1 March 00:30
        // Never counted: a test order, voided, failed and expired ones (28th 11:00).
        Order(placedAt: "2026-03-28T10:00:00Z", total: "500.00", isTest: true),
        Order(placedAt: "2026-03-28T10:00:00Z", total: "600.00", status: "voided"),
        Order(placedAt: "2026-03-28T10:00:00Z", total: "700.00", status: "failed"),
        Order(placedAt: "2026-03-28T10:00:00Z", total: "800.00", status: "expired"),
        // In store B's window: store B must not count it.
        Order(placedAt: "2026-11-01T12:00:00Z", total: "999.99"),
    ]

    /// Store B (America/New_York; EDT until 2026-11-01 06:00Z, EST after).
    static let newYorkOrders: [Order] = [
        Order(placedAt: "2026-11-01T03:59:00Z", total: "40.00"),  // b1: 31 Oct 23:59 EDT
        Order(placedAt: "2026-11-01T04:30:00Z", total: "1.10"),  // b2: 1 Nov 00:30 EDT
        Order(placedAt: "2026-11-02T04:30:00Z", total: "2.20"),  // b3: 1 Nov 23:30 EST
        Order(placedAt: "2026-11-02T05:00:00Z", total: "3.30"),  // b4: 2 Nov 00:00 EST
        // In store A's window: store A must not count it.
        Order(placedAt: "2026-03-28T10:00:00Z", total: "7777.77"),
    ]

    /// Inserts a store and returns it as the `/v1` hook would resolve it.
    static func store(_ admin: PostgresConnection, currency: String, timezone: String) throws -> Tenant {
        let id = Shared.UUID()
        try admin.query(
            "INSERT INTO app.stores (id, platform, platform_store_id, name, currency_code, timezone) "
                + "VALUES ($1, 'shopify', $4, 'Revenue test', $2, $3)",
            [id.description, currency, timezone, id.description],
            timeout: .seconds(30)
        )
        return Tenant(storeId: id, timezone: timezone, currency: currency)
    }

    /// Inserts `orders` into `store` (refunds dated later than the order, which must not move them).
    static func orders(_ admin: PostgresConnection, store: Tenant, _ orders: [Order]) throws {
        for (index, order) in orders.enumerated() {
            try admin.query(
                """
                INSERT INTO app.orders (store_id, external_id, currency_code, financial_status, is_test, placed_at,
                                        total_amount, refunded_amount, last_refunded_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                        CASE WHEN $8::numeric > 0 THEN $6::timestamptz + interval '19 days' END)
                """,
                [
                    store.storeId.description, "order-\(index)", store.currency, order.status,
                    order.isTest ? "t" : "f", order.placedAt, order.total, order.refunded,
                ],
                timeout: .seconds(30)
            )
        }
    }
}

/// The figures of the totals or of one bucket.
struct Figures: Decodable, Equatable, CustomStringConvertible {
    let gross: String
    let refunds: String
    let net: String
    let orders: Int
    let averageOrderValue: String

    static let zero = Figures("0.00", "0.00", "0.00", 0, "0.00")

    init(_ gross: String, _ refunds: String, _ net: String, _ orders: Int, _ averageOrderValue: String) {
        self.gross = gross
        self.refunds = refunds
        self.net = net
        self.orders = orders
        self.averageOrderValue = averageOrderValue
    }

    enum CodingKeys: String, CodingKey {
        case gross, refunds, net, orders
        case averageOrderValue = "average_order_value"
    }

    var description: String { "\(self.gross)/\(self.refunds)/\(self.net)/\(self.orders)/\(self.averageOrderValue)" }
}

/// One bucket: its start and figures.
struct Bucket: Decodable {
    let start: String
    let gross: String
    let refunds: String
    let net: String
    let orders: Int
    let averageOrderValue: String

    enum CodingKeys: String, CodingKey {
        case start, gross, refunds, net, orders
        case averageOrderValue = "average_order_value"
    }

    var figures: Figures { Figures(self.gross, self.refunds, self.net, self.orders, self.averageOrderValue) }
}

/// The `200` body.
struct RevenueBody: Decodable {
    let currency: String
    let timezone: String
    let interval: String
    let from: String
    let to: String
    let totals: Figures
    let buckets: [Bucket]
}
