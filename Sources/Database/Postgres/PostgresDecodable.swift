import Shared

/// A type a column's text value can be read as (see `PostgresRow.decode(_:as:)`).
///
/// Conversions are strict: a value that does not parse is an error naming the column, never a
/// silent default. `Optional` reads SQL NULL as `nil`; every other type refuses NULL.
public protocol PostgresDecodable {
    /// The value parsed from PostgreSQL's text output, or `nil` when `text` is not one.
    init?(postgresText text: String)
}

extension PostgresDecodable where Self: LosslessStringConvertible {
    /// PostgreSQL's text output is the type's own text form.
    public init?(postgresText text: String) {
        self.init(text)
    }
}

/// Any text.
extension String: PostgresDecodable {}

/// `smallint`, `int`, `bigint`.
extension Int: PostgresDecodable {}

/// `uuid`.
extension UUID: PostgresDecodable {}

/// `numeric` (and integers), exactly as PostgreSQL printed it. `NaN` and infinities are
/// refused: money is never one of them.
extension DecimalString: PostgresDecodable {}

/// `timestamptz`, in whatever `TimeZone` the session prints it (`DateStyle=ISO`).
extension DateTime: PostgresDecodable {}

extension Bool: PostgresDecodable {
    /// `boolean` prints as `t` / `f`.
    public init?(postgresText text: String) {
        switch text {
        case "t": self = true
        case "f": self = false
        default: return nil
        }
    }
}

extension PostgresJSON: PostgresDecodable {
    /// `json` / `jsonb` as raw bytes, to be embedded in a response without re-encoding.
    public init?(postgresText text: String) {
        self.init(bytes: Array(text.utf8))
    }
}
