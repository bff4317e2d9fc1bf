import Shared

/// A value that can be sent as a statement parameter, in PostgreSQL's text format.
///
/// Parameters always travel separately from the SQL text (`$1`, `$2`, …), so no value is ever
/// spliced into a statement. `nil` (an `Optional` that is empty) is SQL NULL. UUIDs, exact
/// decimals and timestamps have their own types, so a route never builds their text by hand.
public protocol PostgresEncodable: Sendable {
    /// The value in PostgreSQL's text input format, or `nil` for NULL.
    var postgresText: String? { get }
}

extension String: PostgresEncodable {
    /// The string itself (`text`, `varchar`, or any type PostgreSQL casts from text).
    public var postgresText: String? { self }
}

extension Int: PostgresEncodable {
    /// Decimal digits (`int`, `bigint`, `numeric`).
    public var postgresText: String? { String(self) }
}

extension Bool: PostgresEncodable {
    /// `t` or `f`.
    public var postgresText: String? { self ? "t" : "f" }
}

extension UUID: PostgresEncodable {
    /// The canonical lowercase form.
    public var postgresText: String? { self.description }
}

extension DecimalString: PostgresEncodable {
    /// The exact decimal text (`numeric`): never a binary float.
    public var postgresText: String? { self.text }
}

extension DateTime: PostgresEncodable {
    /// RFC 3339 in UTC with microseconds, which `timestamptz` reads in any session time zone.
    public var postgresText: String? { self.description }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    /// The wrapped value's text, or NULL.
    public var postgresText: String? { self.flatMap { $0.postgresText } }
}

/// JSON text passed through untouched (a `json` / `jsonb` parameter, or a `jsonb` column read
/// as raw bytes): the database validates and normalises it; the service never re-encodes it.
public struct PostgresJSON: PostgresEncodable, Hashable {
    /// The UTF-8 bytes of the JSON text.
    public let bytes: [UInt8]

    /// JSON from its UTF-8 bytes (e.g. a request body that was already validated).
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// JSON from text.
    public init(_ text: String) {
        self.bytes = Array(text.utf8)
    }

    /// The JSON text. Invalid UTF-8 is replaced, so PostgreSQL rejects it (`22P02`) instead of
    /// receiving other bytes than intended.
    public var postgresText: String? { String(decoding: self.bytes, as: UTF8.self) }
}
