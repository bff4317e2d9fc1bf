import Shared

/// One row of a result, read by column name into typed values.
///
/// ```swift
/// for row in rows {
///     let id = try row.uuid("id")
///     let total = try row.decimal("total_amount")
///     let paidAt = try row.decode("paid_at", as: DateTime?.self)
/// }
/// ```
/// A missing column, an unexpected NULL or a value of another type throws
/// `PostgresDecodingError`, which names the column and the expected type, never the value.
public struct PostgresRow: Sendable {
    /// Column names of the result, in order.
    public let columns: [String]
    /// The row's values in text format; `nil` is SQL NULL.
    public let values: [String?]

    /// A row of `columns`.
    public init(columns: [String], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// The raw text of `column` (`nil` for NULL).
    public func text(_ column: String) throws(PostgresDecodingError) -> String? {
        guard let index = self.columns.firstIndex(of: column), index < self.values.count else {
            throw PostgresDecodingError(column: column, expected: "a column", problem: .missing)
        }
        return self.values[index]
    }

    /// The value of `column` as `type`; NULL is an error.
    public func decode<T: PostgresDecodable>(
        _ column: String,
        as type: T.Type = T.self
    )
        throws(PostgresDecodingError) -> T
    {
        guard let text = try self.text(column) else {
            throw PostgresDecodingError(column: column, expected: "\(T.self)", problem: .null)
        }
        return try Self.parse(text, column: column, as: type)
    }

    /// The value of `column` as `type`, or `nil` for NULL.
    public func decode<T: PostgresDecodable>(
        _ column: String,
        as type: T?.Type
    )
        throws(PostgresDecodingError) -> T?
    {
        guard let text = try self.text(column) else { return nil }
        return try Self.parse(text, column: column, as: T.self)
    }

    /// A `uuid` column.
    public func uuid(_ column: String) throws(PostgresDecodingError) -> UUID { try self.decode(column) }

    /// A `numeric` column as an exact decimal string.
    public func decimal(_ column: String) throws(PostgresDecodingError) -> DecimalString { try self.decode(column) }

    /// A `timestamptz` column.
    public func dateTime(_ column: String) throws(PostgresDecodingError) -> DateTime { try self.decode(column) }

    /// A `boolean` column.
    public func bool(_ column: String) throws(PostgresDecodingError) -> Bool { try self.decode(column) }

    /// An integer column.
    public func int(_ column: String) throws(PostgresDecodingError) -> Int { try self.decode(column) }

    /// A text column.
    public func string(_ column: String) throws(PostgresDecodingError) -> String { try self.decode(column) }

    /// A `json` / `jsonb` column as raw JSON bytes.
    public func jsonb(_ column: String) throws(PostgresDecodingError) -> PostgresJSON { try self.decode(column) }

    private static func parse<T: PostgresDecodable>(
        _ text: String,
        column: String,
        as type: T.Type
    )
        throws(PostgresDecodingError) -> T
    {
        guard let value = T(postgresText: text) else {
            throw PostgresDecodingError(column: column, expected: "\(T.self)", problem: .invalid)
        }
        return value
    }
}

/// A column could not be read as the type the code expects: a bug in the query or the code,
/// answered as `500` (its description is for logs; it names the column, never the value).
public struct PostgresDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong with the column.
    public enum Problem: String, Sendable {
        /// The result has no column of that name.
        case missing
        /// The value is NULL but the code expects a value.
        case null
        /// The value does not parse as the expected type.
        case invalid
    }

    /// The column's name.
    public let column: String
    /// The Swift type the code asked for.
    public let expected: String
    /// What was wrong.
    public let problem: Problem

    /// Creates an error.
    public init(column: String, expected: String, problem: Problem) {
        self.column = column
        self.expected = expected
        self.problem = problem
    }

    /// `column "total_amount": NULL where DecimalString was expected`.
    public var description: String {
        switch self.problem {
        case .missing: "column \"\(self.column)\": not in the result"
        case .null: "column \"\(self.column)\": NULL where \(self.expected) was expected"
        case .invalid: "column \"\(self.column)\": value is not a valid \(self.expected)"
        }
    }
}
