import Database
import Shared

/// A saved chart as the API shows it: a row of `app.saved_charts` without the result snapshot.
///
/// Every key is always present, `null` when the column is (the API's contract; the shared
/// encoder would leave out a `nil`). `spec` and `query_params` go from the `jsonb` column's
/// text to the response without being parsed. It writes its own JSON (`JSONWritable`): a page
/// of charts is the hottest body of the API, and `Encodable`'s containers cost several times
/// the bytes.
struct Chart: JSONWritable, Sendable {
    let id: UUID
    let title: String
    let description: String?
    let specFormat: String
    let spec: RawJSON
    let querySQL: String
    let queryParams: RawJSON
    let pinned: Bool
    let position: Int?
    let conversationId: UUID?
    let messageId: UUID?
    let createdBy: String?
    let createdAt: DateTime
    let updatedAt: DateTime

    /// The chart object written straight from a result row of `columns` (a page of the list:
    /// no `Chart` per row), the same bytes as `writeJSON` (a test compares them on real rows).
    static let json = PostgresRowJSON([
        .uuid("id"), .text("title"), .text("description", nullable: true), .text("spec_format"), .json("spec"),
        .text("query_sql"), .json("query_params"), .boolean("pinned"), .integer("position", nullable: true),
        .uuid("conversation_id", nullable: true), .uuid("message_id", nullable: true),
        .text("created_by", nullable: true), .timestamp("created_at"), .timestamp("updated_at"),
    ])

    /// The select list of every statement that returns charts, in the order `init(row:)` reads
    /// it (by position: a name lookup per column and row would cost more than the parsing).
    static let columns = json.selectList

    /// A chart from the values of one row of `columns` (read by position: a name lookup per
    /// column would cost more than the parsing).
    init(row values: [String?]) throws(PostgresDecodingError) {
        guard values.count == 14 else {
            throw PostgresDecodingError(column: "*", expected: "the chart columns", problem: .missing)
        }
        func value<T: PostgresDecodable>(_ index: Int, _ column: String) throws(PostgresDecodingError) -> T {
            guard let text = values[index] else {
                throw PostgresDecodingError(column: column, expected: "\(T.self)", problem: .null)
            }
            guard let value = T(postgresText: text) else {
                throw PostgresDecodingError(column: column, expected: "\(T.self)", problem: .invalid)
            }
            return value
        }
        func optional<T: PostgresDecodable>(_ index: Int, _ column: String) throws(PostgresDecodingError) -> T? {
            guard values[index] != nil else { return nil }
            return try value(index, column) as T
        }
        self.id = try value(0, "id")
        self.title = try value(1, "title")
        self.description = try optional(2, "description")
        self.specFormat = try value(3, "spec_format")
        self.spec = RawJSON(trusted: try value(4, "spec"))
        self.querySQL = try value(5, "query_sql")
        self.queryParams = RawJSON(trusted: try value(6, "query_params"))
        self.pinned = try value(7, "pinned")
        self.position = try optional(8, "position")
        self.conversationId = try optional(9, "conversation_id")
        self.messageId = try optional(10, "message_id")
        self.createdBy = try optional(11, "created_by")
        self.createdAt = try value(12, "created_at")
        self.updatedAt = try value(13, "updated_at")
    }

    /// The strong validator of this version (`ETag`): `updated_at` in microseconds, which the
    /// table's trigger moves on every real change (see `ChartVersion`).
    var etag: String { ChartVersion.etag(updatedAt: self.updatedAt) }

    /// `/v1/charts/{id}`.
    var location: String { "/v1/charts/\(self.id)" }

    func encode(to encoder: any Encoder) throws {
        try self.encodeWritten(to: encoder)
    }

    /// The chart object of the API (docs/openapi.yaml `Chart`): every key, `null` where the
    /// column is; `spec` and `query_params` as the `jsonb` text they are.
    func writeJSON(to bytes: inout [UInt8]) {
        JSONWriter.appendRaw(#"{"id":"#, to: &bytes)
        JSONWriter.appendQuoted(self.id, to: &bytes)
        JSONWriter.appendRaw(#","title":"#, to: &bytes)
        JSONWriter.appendQuoted(self.title, to: &bytes)
        JSONWriter.appendRaw(#","description":"#, to: &bytes)
        JSONWriter.appendQuotedOrNull(self.description, to: &bytes)
        JSONWriter.appendRaw(#","spec_format":"#, to: &bytes)
        JSONWriter.appendQuoted(self.specFormat, to: &bytes)
        JSONWriter.appendRaw(#","spec":"#, to: &bytes)
        bytes.append(contentsOf: self.spec.text.utf8)
        JSONWriter.appendRaw(#","query_sql":"#, to: &bytes)
        JSONWriter.appendQuoted(self.querySQL, to: &bytes)
        JSONWriter.appendRaw(#","query_params":"#, to: &bytes)
        bytes.append(contentsOf: self.queryParams.text.utf8)
        JSONWriter.appendRaw(#","pinned":"#, to: &bytes)
        bytes.append(contentsOf: (self.pinned ? "true" : "false").utf8)
        JSONWriter.appendRaw(#","position":"#, to: &bytes)
        JSONWriter.appendIntegerOrNull(self.position, to: &bytes)
        JSONWriter.appendRaw(#","conversation_id":"#, to: &bytes)
        JSONWriter.appendQuotedOrNull(self.conversationId, to: &bytes)
        JSONWriter.appendRaw(#","message_id":"#, to: &bytes)
        JSONWriter.appendQuotedOrNull(self.messageId, to: &bytes)
        JSONWriter.appendRaw(#","created_by":"#, to: &bytes)
        JSONWriter.appendQuotedOrNull(self.createdBy, to: &bytes)
        JSONWriter.appendRaw(#","created_at":"#, to: &bytes)
        JSONWriter.appendQuoted(self.createdAt, to: &bytes)
        JSONWriter.appendRaw(#","updated_at":"#, to: &bytes)
        JSONWriter.appendQuoted(self.updatedAt, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
    }
}
