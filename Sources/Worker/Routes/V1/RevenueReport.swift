import Database
import Shared

/// The JSON body of `GET /v1/analytics/revenue`, written straight from the statement's rows
/// (the totals row first, then one row per bucket, in order): no intermediate model, one
/// byte array sized up front.
///
/// ```json
/// {"currency":"EUR","timezone":"Europe/Paris","interval":"day","from":"2026-01-01","to":"2026-01-31",
///  "totals":{"gross":"1234.50","refunds":"10.00","net":"1224.50","orders":12,"average_order_value":"102.88"},
///  "buckets":[{"start":"2026-01-01","gross":"0.00",…},…]}
/// ```
/// Amounts are exact decimal strings with at least two decimals, trailing zeros beyond two
/// trimmed (`1234.500000` → `1234.50`, `0` → `0.00`, `0.125000` → `0.125`).
enum RevenueReport {
    /// The body for `rows` (see `RevenueRoutes.sql`). Throws `PostgresDecodingError` (a bug:
    /// 500) when the rows do not have the expected shape.
    static func json(
        _ rows: PostgresRows,
        query: RevenueQuery,
        timezone: String,
        currency: String
    ) throws -> [UInt8] {
        guard let totals = rows.first, try totals.decode("start", as: String?.self) == nil else {
            throw PostgresDecodingError(column: "start", expected: "a totals row first", problem: .invalid)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(320 + rows.count * 128)
        Self.appendLiteral(#"{"currency":"#, to: &bytes)
        JSONWriter.appendQuoted(currency, to: &bytes)
        Self.appendLiteral(#","timezone":"#, to: &bytes)
        JSONWriter.appendQuoted(timezone, to: &bytes)
        Self.appendLiteral(#","interval":""#, to: &bytes)
        Self.append(query.interval.rawValue, to: &bytes)
        Self.appendLiteral(#"","from":""#, to: &bytes)
        Self.append(query.from.description, to: &bytes)
        Self.appendLiteral(#"","to":""#, to: &bytes)
        Self.append(query.to.description, to: &bytes)
        Self.appendLiteral(#"","totals":"#, to: &bytes)
        try Self.appendFigures(of: totals, to: &bytes)
        Self.appendLiteral(#","buckets":["#, to: &bytes)
        for index in rows.indices.dropFirst() {
            let row = rows[index]
            // The start is a date PostgreSQL printed with to_char: digits and hyphens only.
            let start = try row.string("start")
            Self.appendLiteral(index == 1 ? #"{"start":""# : #",{"start":""#, to: &bytes)
            Self.append(start, to: &bytes)
            bytes.append(UInt8(ascii: "\""))
            bytes.append(UInt8(ascii: ","))
            try Self.appendFigures(of: row, to: &bytes, opened: true)
        }
        Self.appendLiteral("]}", to: &bytes)
        return bytes
    }

    /// `{"gross":"…","refunds":"…","net":"…","orders":N,"average_order_value":"…"}`; with
    /// `opened`, the `{` is already written.
    private static func appendFigures(of row: PostgresRow, to bytes: inout [UInt8], opened: Bool = false) throws {
        Self.appendLiteral(opened ? #""gross":"# : #"{"gross":"#, to: &bytes)
        Self.appendAmount(try row.decimal("gross"), to: &bytes)
        Self.appendLiteral(#","refunds":"#, to: &bytes)
        Self.appendAmount(try row.decimal("refunds"), to: &bytes)
        Self.appendLiteral(#","net":"#, to: &bytes)
        Self.appendAmount(try row.decimal("net"), to: &bytes)
        Self.appendLiteral(#","orders":"#, to: &bytes)
        Self.append(String(try row.int("orders")), to: &bytes)
        Self.appendLiteral(#","average_order_value":"#, to: &bytes)
        Self.appendAmount(try row.decimal("average_order_value"), to: &bytes)
        bytes.append(UInt8(ascii: "}"))
    }

    /// `amount` as a JSON string with at least two decimals and no trailing zeros beyond them.
    static func appendAmount(_ amount: DecimalString, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = amount.text
        text.withUTF8 { digits in
            guard let point = digits.firstIndex(of: UInt8(ascii: ".")) else {
                bytes.append(contentsOf: digits)
                bytes.append(contentsOf: [UInt8(ascii: "."), UInt8(ascii: "0"), UInt8(ascii: "0")])
                return
            }
            var end = digits.count
            while end - point - 1 > 2, digits[end - 1] == UInt8(ascii: "0") { end -= 1 }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[..<end]))
            for _ in 0..<max(0, 2 - (end - point - 1)) { bytes.append(UInt8(ascii: "0")) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends text known to need no JSON escaping (dates, digits).
    private static func append(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends a literal known to need no JSON escaping (keys, punctuation).
    private static func appendLiteral(_ text: StaticString, to bytes: inout [UInt8]) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }
}
