import Database
import Shared

/// The body of `POST /v1/charts` and its rules; every failing field is reported at once
/// (`422`), unknown fields included.
///
/// Lengths count Unicode code points, as JSON Schema's `maxLength` and PostgreSQL's
/// `char_length` (the `title` CHECK) do. Text and JSON may not contain U+0000, which PostgreSQL
/// cannot store. Fields with a default (`spec_format`, `query_params`, `pinned`) may be left out
/// but not `null`; the nullable ones (`description`, `position`, `conversation_id`,
/// `message_id`, `created_by`) may be either.
struct ChartDraft: Decodable, Validatable, Sendable {
    var title: String
    var description: String?
    var spec: RawJSON
    var specFormat: PatchField<SpecFormat>
    var querySQL: String
    var queryParams: PatchField<RawJSON>
    var pinned: PatchField<Bool>
    var position: Int?
    var conversationId: UUID?
    var messageId: UUID?
    var createdBy: String?

    enum CodingKeys: String, CodingKey {
        case title, description, spec
        case specFormat = "spec_format"
        case querySQL = "query_sql"
        case queryParams = "query_params"
        case pinned, position
        case conversationId = "conversation_id"
        case messageId = "message_id"
        case createdBy = "created_by"
    }

    func validate(_ check: inout Validation) {
        check.field("title", self.title, Rules.title, .noNullCharacter)
        check.field("description", self.description, Rules.description, .noNullCharacter)
        check.field("spec", self.spec, .object, .noNullCharacter)
        check.field("spec_format", self.specFormat, nullable: false)
        check.field("query_sql", self.querySQL, Rules.querySQL, .noNullCharacter)
        check.field("query_params", self.queryParams, nullable: false, .object, .noNullCharacter)
        check.field("pinned", self.pinned, nullable: false)
        check.field("position", self.position, Rules.position)
        check.field("created_by", self.createdBy, Rules.createdBy, .noNullCharacter)
    }

    /// The `INSERT` returning the new chart (`$1` the store).
    static let insert = """
        INSERT INTO app.saved_charts (store_id, title, description, spec_format, spec, query_sql, query_params, \
        pinned, position, conversation_id, message_id, created_by) \
        VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::jsonb, $8, $9, $10, $11, $12) \
        RETURNING \(Chart.columns)
        """

    /// The parameters of `insert` for `store`, defaults filled in.
    func parameters(store: UUID) -> [any PostgresEncodable] {
        var format = SpecFormat.vegaLite
        if case .value(let given) = self.specFormat { format = given }
        var params = "{}"
        if case .value(let given) = self.queryParams { params = given.text }
        var pinned = false
        if case .value(let given) = self.pinned { pinned = given }
        return [
            store, self.title, self.description, format.rawValue, self.spec.text, self.querySQL, params, pinned,
            self.position, self.conversationId, self.messageId, self.createdBy,
        ]
    }

    /// The chart formats the API accepts (the only one for now).
    enum SpecFormat: String, JSONEnum {
        case vegaLite = "vega-lite"
    }

    /// The field rules `POST` and `PATCH` share (the contract's limits).
    enum Rules {
        static var title: Rule<String> { .codePoints(1...200) }
        static var description: Rule<String> { .codePoints(0...2000) }
        static var querySQL: Rule<String> { .codePoints(1...100_000) }
        /// `position` is an `integer` column.
        static var position: Rule<Int> { .range(0...Int(Int32.max)) }
        static var createdBy: Rule<String> { .codePoints(0...200) }
    }
}
