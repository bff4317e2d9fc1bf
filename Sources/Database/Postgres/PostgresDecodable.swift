import Shared

/// A type a column's text value can be read as (see `PostgresRow.decode(_:as:)`).
///
/// Conversions are strict: a value that does not parse is an error naming the column, never a
/// silent default. `Optional` reads SQL NULL as `nil`; every other type refuses NULL.
public protocol PostgresDecodable {
    /// The value parsed from PostgreSQL's text output, or `nil` when `text` is not one.
    init?(postgresText text: String)

    /// The same from the text's UTF-8 bytes in libpq's result (`PostgresResult`): types that
    /// parse bytes (UUID, timestamps, booleans) skip building a `String` first.
    init?(postgresBytes bytes: UnsafeBufferPointer<UInt8>)
}

extension PostgresDecodable {
    /// By default, through the text.
    public init?(postgresBytes bytes: UnsafeBufferPointer<UInt8>) {
        self.init(postgresText: String(decoding: bytes, as: UTF8.self))
    }
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
extension UUID: PostgresDecodable {
    public init?(postgresBytes bytes: UnsafeBufferPointer<UInt8>) {
        self.init(utf8: bytes)
    }
}

/// `numeric` (and integers), exactly as PostgreSQL printed it. `NaN` and infinities are
/// refused: money is never one of them.
extension DecimalString: PostgresDecodable {}

/// `timestamptz`, in whatever `TimeZone` the session prints it (`DateStyle=ISO`).
extension DateTime: PostgresDecodable {
    public init?(postgresBytes bytes: UnsafeBufferPointer<UInt8>) {
        self.init(utf8: bytes)
    }
}

extension Bool: PostgresDecodable {
    /// `boolean` prints as `t` / `f`.
    public init?(postgresText text: String) {
        switch text {
        case "t": self = true
        case "f": self = false
        default: return nil
        }
    }

    public init?(postgresBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 1 else { return nil }
        switch bytes[0] {
        case UInt8(ascii: "t"): self = true
        case UInt8(ascii: "f"): self = false
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
