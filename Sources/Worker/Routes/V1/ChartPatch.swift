import Database
import Shared

/// The body of `PATCH /v1/charts/{chartId}`: the fields of `ChartDraft`, each optional. A field
/// left out keeps its value, `null` clears a nullable one (`description`, `position`,
/// `conversation_id`, `message_id`, `created_by`) and is refused on the others; the rules are
/// `ChartDraft`'s.
struct ChartPatch: Decodable, Validatable, Sendable {
    var title: PatchField<String>
    var description: PatchField<String>
    var spec: PatchField<RawJSON>
    var specFormat: PatchField<ChartDraft.SpecFormat>
    var querySQL: PatchField<String>
    var queryParams: PatchField<RawJSON>
    var pinned: PatchField<Bool>
    var position: PatchField<Int>
    var conversationId: PatchField<UUID>
    var messageId: PatchField<UUID>
    var createdBy: PatchField<String>

    typealias CodingKeys = ChartDraft.CodingKeys

    func validate(_ check: inout Validation) {
        typealias Rules = ChartDraft.Rules
        check.field("title", self.title, nullable: false, Rules.title, .noNullCharacter)
        check.field("description", self.description, nullable: true, Rules.description, .noNullCharacter)
        check.field("spec", self.spec, nullable: false, .object, .noNullCharacter)
        check.field("spec_format", self.specFormat, nullable: false)
        check.field("query_sql", self.querySQL, nullable: false, Rules.querySQL, .noNullCharacter)
        check.field("query_params", self.queryParams, nullable: false, .object, .noNullCharacter)
        check.field("pinned", self.pinned, nullable: false)
        check.field("position", self.position, nullable: true, Rules.position)
        check.field("conversation_id", self.conversationId, nullable: true)
        check.field("message_id", self.messageId, nullable: true)
        check.field("created_by", self.createdBy, nullable: true, Rules.createdBy, .noNullCharacter)
    }

    /// The one statement that applies the patch to chart `id` of `store` if its version is
    /// accepted, returning the chart; no row when it does not exist (for this tenant) or the
    /// version does not match. An empty patch reads the chart under the same conditions.
    func statement(store: UUID, id: UUID, version: ChartVersion) -> (sql: String, parameters: [any PostgresEncodable]) {
        var parameters: [any PostgresEncodable] = [store, id]
        var assignments: [String] = []
        func set(_ column: String, _ field: PatchField<some PostgresEncodable>, cast: String = "") {
            switch field {
            case .absent:
                return
            case .null:
                assignments.append("\(column) = NULL")
            case .value(let value):
                parameters.append(value)
                assignments.append("\(column) = $\(parameters.count)\(cast)")
            }
        }
        set("title", self.title)
        set("description", self.description)
        set("spec", self.spec.map(\.text), cast: "::jsonb")
        set("spec_format", self.specFormat.map(\.rawValue))
        set("query_sql", self.querySQL)
        set("query_params", self.queryParams.map(\.text), cast: "::jsonb")
        set("pinned", self.pinned)
        set("position", self.position)
        set("conversation_id", self.conversationId)
        set("message_id", self.messageId)
        set("created_by", self.createdBy)
        var condition = "store_id = $1 AND id = $2"
        if let versionCondition = version.condition(parameter: parameters.count + 1) {
            parameters.append(version.parameter)
            condition += " AND " + versionCondition
        }
        let sql =
            assignments.isEmpty
            ? "SELECT \(Chart.columns) FROM app.saved_charts WHERE \(condition)"
            : "UPDATE app.saved_charts SET \(assignments.joined(separator: ", ")) WHERE \(condition) "
                + "RETURNING \(Chart.columns)"
        return (sql, parameters)
    }
}

extension PatchField {
    /// The same state with the value transformed.
    fileprivate func map<T>(_ transform: (Value) -> T) -> PatchField<T> {
        switch self {
        case .absent: .absent
        case .null: .null
        case .value(let value): .value(transform(value))
        }
    }
}
