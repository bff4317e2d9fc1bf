import Shared
import TestSupport
import Testing

@testable import Database

/// Typed reading of text values by column name (pure: no server).
@Suite("Typed rows")
struct PostgresRowTests {
    private let rows = PostgresRows(
        columns: ["id", "total_amount", "placed_at", "is_test", "quantity", "note", "spec", "paid_at"],
        rows: [
            [
                "0b4f2b0e-5d2a-4c1e-9a57-6f1d7a1c2b3d", "1234.500000", "2024-05-01 12:00:00.25+02", "t", "-7",
                "hello", #"{"mark": "bar"}"#, nil,
            ]
        ],
        affectedRows: 0
    )

    @Test func readsEveryTypeByColumnName() throws {
        let row = try #require(self.rows.first)
        #expect(try row.uuid("id").description == "0b4f2b0e-5d2a-4c1e-9a57-6f1d7a1c2b3d")
        #expect(try row.decimal("total_amount").text == "1234.500000")
        #expect(try row.dateTime("placed_at").description == "2024-05-01T10:00:00.250Z")
        #expect(try row.bool("is_test") == true)
        #expect(try row.int("quantity") == -7)
        #expect(try row.string("note") == "hello")
        #expect(try row.jsonb("spec").bytes == Array(#"{"mark": "bar"}"#.utf8))
        #expect(try row.decode("paid_at", as: DateTime?.self) == nil)
        #expect(try row.decode("note", as: String?.self) == "hello")
        #expect(self.rows.count == 1)
    }

    @Test func mismatchesNameTheColumnAndNeverTheValue() throws {
        let row = try #require(self.rows.first)
        #expect(throws: PostgresDecodingError(column: "note", expected: "UUID", problem: .invalid)) {
            try row.uuid("note")
        }
        #expect(throws: PostgresDecodingError(column: "paid_at", expected: "DateTime", problem: .null)) {
            try row.dateTime("paid_at")
        }
        #expect(throws: PostgresDecodingError(column: "nope", expected: "a column", problem: .missing)) {
            try row.int("nope")
        }
        #expect(throws: PostgresDecodingError.self) { try row.bool("note") }
        #expect(throws: PostgresDecodingError.self) { try row.int("total_amount") }
        #expect(throws: PostgresDecodingError.self) { try row.decimal("placed_at") }
        do {
            _ = try row.uuid("note")
        } catch {
            #expect(error.description == "column \"note\": value is not a valid UUID")
            #expect(!error.description.contains("hello"))
        }
    }

    @Test func parametersAreWrittenInPostgresTextFormat() {
        let id = Shared.UUID(high: 0x0b4f_2b0e_5d2a_4c1e, low: 0x9a57_6f1d_7a1c_2b3d)
        let values: [any PostgresEncodable] = [
            id, DecimalString("12.50")!, true, false, 42, "text", PostgresJSON(#"{"a":1}"#),
            DateTime(microsecondsSinceEpoch: 1_714_557_600_250_000), String?.none,
        ]
        #expect(
            values.map(\.postgresText) == [
                "0b4f2b0e-5d2a-4c1e-9a57-6f1d7a1c2b3d", "12.50", "t", "f", "42", "text", #"{"a":1}"#,
                "2024-05-01T10:00:00.250Z", nil,
            ]
        )
    }

    @Test func theBeginMessageInlinesOnlyTheParsedUUID() {
        let id = Shared.UUID(high: 0x0b4f_2b0e_5d2a_4c1e, low: 0x9a57_6f1d_7a1c_2b3d)
        #expect(
            PostgresConnection.beginScript(store: id, readOnly: true, statementTimeout: .milliseconds(1500))
                == "BEGIN READ ONLY; SELECT set_config('app.store_id', '0b4f2b0e-5d2a-4c1e-9a57-6f1d7a1c2b3d', true), "
                + "set_config('statement_timeout', '1500', true)"
        )
        #expect(
            PostgresConnection.beginScript(store: nil, readOnly: false, statementTimeout: .seconds(5))
                == "BEGIN; SELECT set_config('app.store_id', '', true), set_config('statement_timeout', '5000', true)"
        )
    }
}

/// Rows read into `Decodable` structs by column name (pure: no server).
@Suite("Decodable rows")
struct PostgresRowDecoderTests {
    private enum Status: String, Decodable {
        case paid, refunded
    }

    private struct Order: Decodable, Equatable {
        let id: Shared.UUID
        let total: DecimalString
        let placedAt: DateTime
        let paidAt: DateTime?
        let isTest: Bool
        let quantity: Int
        let status: Status
        let ratio: Double

        enum CodingKeys: String, CodingKey {
            case id, status, quantity, ratio
            case total = "total_amount"
            case placedAt = "placed_at"
            case paidAt = "paid_at"
            case isTest = "is_test"
        }
    }

    private let columns = ["id", "total_amount", "placed_at", "paid_at", "is_test", "quantity", "status", "ratio"]

    @Test func decodesEveryPropertyFromItsColumn() throws {
        let row = PostgresRow(
            columns: self.columns,
            values: [
                "0b4f2b0e-5d2a-4c1e-9a57-6f1d7a1c2b3d", "12.500000", "2024-05-01 10:00:00+00", nil, "f", "3", "paid",
                "0.5",
            ]
        )
        let order = try row.decode(Order.self)
        #expect(order.id.description == "0b4f2b0e-5d2a-4c1e-9a57-6f1d7a1c2b3d")
        #expect(order.total.text == "12.500000")
        #expect(order.placedAt.description == "2024-05-01T10:00:00.000Z")
        #expect(order.paidAt == nil && !order.isTest && order.quantity == 3 && order.status == .paid)
        #expect(order.ratio == 0.5)
    }

    @Test func aBadOrMissingColumnIsNamed() throws {
        var values: [String?] = [
            "0b4f2b0e-5d2a-4c1e-9a57-6f1d7a1c2b3d", "12.5", "2024-05-01 10:00:00+00", nil, "f", "3", "paid", "1",
        ]
        values[1] = nil
        #expect(throws: PostgresDecodingError(column: "total_amount", expected: "DecimalString", problem: .null)) {
            try PostgresRow(columns: self.columns, values: values).decode(Order.self)
        }
        values[1] = "12.5"
        values[5] = "three"
        #expect(throws: PostgresDecodingError(column: "quantity", expected: "Int", problem: .invalid)) {
            try PostgresRow(columns: self.columns, values: values).decode(Order.self)
        }
        values[5] = "3"
        #expect(throws: PostgresDecodingError(column: "ratio", expected: "a column", problem: .missing)) {
            try PostgresRow(columns: Array(self.columns.dropLast()), values: Array(values.dropLast())).decode(
                Order.self
            )
        }
    }
}
