import Database
import Shared

/// A saved chart as the API shows it: a row of `app.saved_charts` without the result snapshot.
///
/// Every key is always present, `null` when the column is (the API's contract; the shared
/// encoder would leave out a `nil`). `spec` and `query_params` go from the `jsonb` column's
/// text to the response without being parsed.
struct Chart: Encodable, Sendable {
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

    /// The select list of every statement that returns charts, in the order `init(row:)` reads
    /// it (by position: a name lookup per column and row would cost more than the parsing).
    static let columns = """
        id, title, description, spec_format, spec, query_sql, query_params, pinned, position, \
        conversation_id, message_id, created_by, created_at, updated_at
        """

    /// A chart from the values of one row of `columns`.
    init(row values: [String?]) throws(PostgresDecodingError) {
        guard values.count == 14 else {
            throw PostgresDecodingError(column: "*", expected: "the chart columns", problem: .missing)
        }
        self.id = try Self.value(values, 0, "id")
        self.title = try Self.value(values, 1, "title")
        self.description = try Self.optional(values, 2, "description")
        self.specFormat = try Self.value(values, 3, "spec_format")
        self.spec = RawJSON(trusted: try Self.value(values, 4, "spec"))
        self.querySQL = try Self.value(values, 5, "query_sql")
        self.queryParams = RawJSON(trusted: try Self.value(values, 6, "query_params"))
        self.pinned = try Self.value(values, 7, "pinned")
        self.position = try Self.optional(values, 8, "position")
        self.conversationId = try Self.optional(values, 9, "conversation_id")
        self.messageId = try Self.optional(values, 10, "message_id")
        self.createdBy = try Self.optional(values, 11, "created_by")
        self.createdAt = try Self.value(values, 12, "created_at")
        self.updatedAt = try Self.value(values, 13, "updated_at")
    }

    /// The strong validator of this version (`ETag`): `updated_at` in microseconds, which the
    /// table's trigger moves on every real change (see `ChartVersion`).
    var etag: String { ChartVersion.etag(updatedAt: self.updatedAt) }

    /// `/v1/charts/{id}`.
    var location: String { "/v1/charts/\(self.id)" }

    enum CodingKeys: String, CodingKey {
        case id, title, description
        case specFormat = "spec_format"
        case spec
        case querySQL = "query_sql"
        case queryParams = "query_params"
        case pinned, position
        case conversationId = "conversation_id"
        case messageId = "message_id"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.title, forKey: .title)
        try container.encodeOrNull(self.description, forKey: .description)
        try container.encode(self.specFormat, forKey: .specFormat)
        try container.encode(self.spec, forKey: .spec)
        try container.encode(self.querySQL, forKey: .querySQL)
        try container.encode(self.queryParams, forKey: .queryParams)
        try container.encode(self.pinned, forKey: .pinned)
        try container.encodeOrNull(self.position, forKey: .position)
        try container.encodeOrNull(self.conversationId, forKey: .conversationId)
        try container.encodeOrNull(self.messageId, forKey: .messageId)
        try container.encodeOrNull(self.createdBy, forKey: .createdBy)
        try container.encode(self.createdAt, forKey: .createdAt)
        try container.encode(self.updatedAt, forKey: .updatedAt)
    }

    private static func value<T: PostgresDecodable>(
        _ values: [String?],
        _ index: Int,
        _ column: String
    ) throws(PostgresDecodingError) -> T {
        guard let text = values[index] else {
            throw PostgresDecodingError(column: column, expected: "\(T.self)", problem: .null)
        }
        guard let value = T(postgresText: text) else {
            throw PostgresDecodingError(column: column, expected: "\(T.self)", problem: .invalid)
        }
        return value
    }

    private static func optional<T: PostgresDecodable>(
        _ values: [String?],
        _ index: Int,
        _ column: String
    ) throws(PostgresDecodingError) -> T? {
        guard values[index] != nil else { return nil }
        return try self.value(values, index, column) as T
    }
}

extension KeyedEncodingContainer {
    /// `value`, or an explicit `null` (the synthesized `encodeIfPresent` would leave the key out).
    fileprivate mutating func encodeOrNull<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value {
            try self.encode(value, forKey: key)
        } else {
            try self.encodeNil(forKey: key)
        }
    }
}
