import Foundation
import PostgresNIO

/// A saved chart as the contract prints it: snake_case keys, `null` for absent optional fields
/// (synthesized `Encodable` would leave them out), timestamps as RFC 3339 strings, UUIDs in lower case (Foundation's
/// `UUID` encodes upper case).
struct Chart: Encodable, Sendable {
    let id: UUID
    let title: String
    let description: String?
    let specFormat: String
    let spec: JSONValue
    let querySQL: String
    let queryParams: JSONValue
    let pinned: Bool
    let position: Int?
    let conversationId: UUID?
    let messageId: UUID?
    let createdBy: String?
    let createdAt: String
    let updatedAt: String

    /// The select list, saas-api's, in the order `init(row:)` reads it.
    static let columns = """
        id, title, description, spec_format, spec, query_sql, query_params, pinned, position, \
        conversation_id, message_id, created_by, created_at, updated_at
        """

    /// A row of `columns`.
    init(row: PostgresRow) throws {
        typealias Columns = (
            UUID, String, String?, String, JSONValue, String, JSONValue, Bool, Int32?, UUID?, UUID?, String?, Date, Date
        )
        let columns = try row.decode(Columns.self)
        self.id = columns.0
        self.title = columns.1
        self.description = columns.2
        self.specFormat = columns.3
        self.spec = columns.4
        self.querySQL = columns.5
        self.queryParams = columns.6
        self.pinned = columns.7
        self.position = columns.8.map(Int.init)
        self.conversationId = columns.9
        self.messageId = columns.10
        self.createdBy = columns.11
        self.createdAt = Timestamp.string(columns.12)
        self.updatedAt = Timestamp.string(columns.13)
    }

    enum CodingKeys: String, CodingKey {
        case id, title, description, spec, pinned, position
        case specFormat = "spec_format"
        case querySQL = "query_sql"
        case queryParams = "query_params"
        case conversationId = "conversation_id"
        case messageId = "message_id"
        case createdBy = "created_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id.uuidString.lowercased(), forKey: .id)
        try container.encode(self.title, forKey: .title)
        try container.encode(self.description, forKey: .description)
        try container.encode(self.specFormat, forKey: .specFormat)
        try container.encode(self.spec, forKey: .spec)
        try container.encode(self.querySQL, forKey: .querySQL)
        try container.encode(self.queryParams, forKey: .queryParams)
        try container.encode(self.pinned, forKey: .pinned)
        try container.encode(self.position, forKey: .position)
        try container.encode(self.conversationId?.uuidString.lowercased(), forKey: .conversationId)
        try container.encode(self.messageId?.uuidString.lowercased(), forKey: .messageId)
        try container.encode(self.createdBy, forKey: .createdBy)
        try container.encode(self.createdAt, forKey: .createdAt)
        try container.encode(self.updatedAt, forKey: .updatedAt)
    }
}
