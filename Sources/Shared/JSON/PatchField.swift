/// A body field with three states an `Optional` cannot tell apart: left out, `null`, or a
/// value. A partial update (`PATCH`) needs them (keep the stored value, clear it, set it); so
/// does a create body whose field has a default but is not nullable (left out: the default,
/// `null`: refused).
///
/// ```swift
/// struct ChartPatch: Decodable, Validatable {
///     var title: PatchField<String>         // `null` refused below: the column is NOT NULL
///     var description: PatchField<String>   // `null` clears it
///     func validate(_ check: inout Validation) {
///         check.field("title", self.title, nullable: false, .length(1...200))
///         check.field("description", self.description, nullable: true, .length(0...2000))
///     }
/// }
/// ```
/// A present value is decoded (and checked) like any other field; a wrong type is reported
/// at the field's path. Declare the property without a default: the decoder gives `.absent`
/// for a missing key.
public enum PatchField<Value: Decodable>: Decodable {
    /// The key is not in the body.
    case absent
    /// The key is there with `null`.
    case null
    /// The key is there with a value.
    case value(Value)

    public init(from decoder: any Decoder) throws {
        if let decoder = decoder as? ValueDecoder {
            switch decoder.value {
            case nil: self = .absent
            case .null?: self = .null
            default: self = .value(try decoder.decodeValue(Value.self))
            }
            return
        }
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .null : .value(try container.decode(Value.self))
    }

    /// Whether the body mentions the field at all.
    public var isPresent: Bool {
        if case .absent = self { return false }
        return true
    }
}

extension PatchField: Sendable where Value: Sendable {}

extension PatchField: Equatable where Value: Equatable {}

extension KeyedDecodingContainer {
    /// A missing key is `.absent` rather than an error; the synthesized `init(from:)` of a type
    /// with `PatchField` properties calls this.
    public func decode<Value>(_ type: PatchField<Value>.Type, forKey key: Key) throws -> PatchField<Value> {
        guard self.contains(key) else { return .absent }
        return try PatchField(from: try self.superDecoder(forKey: key))
    }
}

extension Validation {
    /// Checks `rules` on a patch field's value when one is given; `null` is reported unless the
    /// field is `nullable`.
    public mutating func field<Value>(
        _ name: String,
        _ patch: PatchField<Value>,
        nullable: Bool,
        _ rules: Rule<Value>...
    ) {
        switch patch {
        case .absent:
            return
        case .null:
            if !nullable { self.fail(name, "must not be null") }
        case .value(let value):
            for rule in rules {
                if let message = rule.check(value) {
                    self.fail(name, message)
                    return
                }
            }
        }
    }
}
