import Foundation
import Hummingbird

/// The revenue answer of the contract: amounts as decimal strings with at least 2 decimals.
struct RevenueReport: ResponseEncodable {
    /// One bucket's (or the range's) figures, as PostgreSQL computed them.
    struct Figures: Encodable, Sendable {
        let gross: Decimal
        let refunds: Decimal
        let net: Decimal
        let orders: Int64
        let averageOrderValue: Decimal

        enum CodingKeys: String, CodingKey {
            case gross, refunds, net, orders
            case averageOrderValue = "average_order_value"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(Self.text(self.gross), forKey: .gross)
            try container.encode(Self.text(self.refunds), forKey: .refunds)
            try container.encode(Self.text(self.net), forKey: .net)
            try container.encode(self.orders, forKey: .orders)
            try container.encode(Self.text(self.averageOrderValue), forKey: .averageOrderValue)
        }

        /// At least two decimals, trailing zeros beyond them trimmed (`Decimal` prints none).
        static func text(_ value: Decimal) -> String {
            var text = value.description
            guard let dot = text.firstIndex(of: ".") else { return text + ".00" }
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < 2 { text += String(repeating: "0", count: 2 - decimals) }
            return text
        }
    }

    /// One bucket: its first day and its figures.
    struct Bucket: Encodable, Sendable {
        let start: String
        let figures: Figures

        enum CodingKeys: String, CodingKey { case start }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.start, forKey: .start)
            try self.figures.encode(to: encoder)
        }
    }

    let currency: String
    let timezone: String
    let interval: String
    let from: String
    let to: String
    let totals: Figures
    let buckets: [Bucket]
}
