import Shared
import TestSupport

/// A chart as the API must return it, decoded strictly by the service's own decoder: a key
/// missing from the response or one it does not name fails the test, and `PatchField` tells an
/// explicit `null` (required for nullable fields) from a missing key.
struct ChartBody: Decodable, Equatable {
    let id: UUID
    let title: String
    let description: PatchField<String>
    let specFormat: String
    let spec: RawJSON
    let querySQL: String
    let queryParams: RawJSON
    let pinned: Bool
    let position: PatchField<Int>
    let conversationId: PatchField<UUID>
    let messageId: PatchField<UUID>
    let createdBy: PatchField<String>
    let createdAt: DateTime
    let updatedAt: DateTime

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

    /// `spec` parsed (PostgreSQL normalises `jsonb` text: compare values, not text).
    var specValue: JSONValue { get throws { try JSONParser.parse(Array(self.spec.text.utf8)) } }

    /// `query_params` parsed.
    var queryParamsValue: JSONValue { get throws { try JSONParser.parse(Array(self.queryParams.text.utf8)) } }
}

/// `{"data":[…],"next_cursor":…}`.
struct ChartPageBody: Decodable {
    let data: [ChartBody]
    let nextCursor: PatchField<String>

    enum CodingKeys: String, CodingKey {
        case data
        case nextCursor = "next_cursor"
    }

    /// The cursor, `nil` when the body has `null` (a missing key fails the test).
    var cursor: String? {
        get throws {
            switch self.nextCursor {
            case .value(let text): return text
            case .null: return nil
            case .absent: throw MissingKey()
            }
        }
    }

    struct MissingKey: Error {}
}

extension TestResponse {
    /// The body as a chart.
    var chart: ChartBody { get throws { try self.decode(ChartBody.self) } }

    /// The body as a page of charts.
    var page: ChartPageBody { get throws { try self.decode(ChartPageBody.self) } }
}

/// `JSONValue` literals for expectations.
extension JSONValue {
    /// `{"key": "value"}`.
    static func object(_ key: String, _ value: String) -> JSONValue {
        .object([JSONMember(key: key, value: .string(value))])
    }
}
