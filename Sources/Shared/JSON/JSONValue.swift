/// A parsed JSON document, as `JSONParser` builds it for `JSONBodyDecoder`.
///
/// Numbers keep their literal text, so an integer is read exactly and nothing ever goes
/// through `Double` unless a field asks for one.
public indirect enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number's literal text, e.g. `-12.5e3`.
    case number(String)
    /// A string, unescaped.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object's members in document order (duplicates kept; the decoder reports them).
    case object([JSONMember])

    /// What the value is, for messages: `a string`, `an object`, ….
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// One `"key": value` of a JSON object.
public struct JSONMember: Sendable, Equatable {
    /// The key, unescaped.
    public let key: String
    /// The value.
    public let value: JSONValue

    /// A member.
    public init(key: String, value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// Malformed JSON: where (byte offset, 1-based line and column) and what was expected.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bytes before the offending one.
    public let offset: Int
    /// 1-based line of the offending byte.
    public let line: Int
    /// 1-based column (in bytes) of the offending byte.
    public let column: Int
    /// What is wrong, e.g. `expected ',' or '}'`.
    public let reason: String

    /// `line 3, column 7: expected ',' or '}'`
    public var description: String { "line \(self.line), column \(self.column): \(self.reason)" }
}
