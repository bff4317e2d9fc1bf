import CLibPQ

/// A statement's result read in place, in libpq's memory: what `queryAsTenant(…decode:)` hands
/// its decoder, so a hot route builds its values straight from the bytes (no `String` per
/// value, no array per row, as `PostgresRows` needs).
///
/// Valid only during the call it is passed to (the result is freed after it): never keep it,
/// nor a buffer it lent.
public struct PostgresResult {
    @usableFromInline let result: OpaquePointer

    init(_ result: OpaquePointer) {
        self.result = result
    }

    /// The whole result copied out.
    var copiedRows: PostgresRows { PostgresConnection.copyRows(self.result) }

    /// Rows in the result.
    public var count: Int { Int(PQntuples(self.result)) }

    /// Columns of each row.
    public var columnCount: Int { Int(PQnfields(self.result)) }

    /// Whether the value at `row`, `column` is SQL NULL.
    @inlinable
    public func isNull(_ row: Int, _ column: Int) -> Bool {
        PQgetisnull(self.result, Int32(row), Int32(column)) == 1
    }

    /// The length in bytes of the value's text (0 for NULL).
    @inlinable
    public func length(_ row: Int, _ column: Int) -> Int {
        Int(PQgetlength(self.result, Int32(row), Int32(column)))
    }

    /// The value's text as UTF-8 bytes (empty for NULL: ask `isNull`), lent to `body`.
    @inlinable
    public func withBytes<T>(_ row: Int, _ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T
    {
        let length = self.length(row, column)
        let start = UnsafeRawPointer(PQgetvalue(self.result, Int32(row), Int32(column))).map {
            $0.assumingMemoryBound(to: UInt8.self)
        }
        return try body(UnsafeBufferPointer(start: start, count: length))
    }

    /// The value's text, `nil` for NULL, lent for as long as the result lives (`PostgresRowJSON`
    /// writes it out at once). NULL is asked only of an empty value: a non-empty one is not.
    func value(_ row: Int, _ column: Int) -> UnsafeBufferPointer<UInt8>? {
        let length = self.length(row, column)
        if length == 0 && self.isNull(row, column) { return nil }
        let start = UnsafeRawPointer(PQgetvalue(self.result, Int32(row), Int32(column)))
        return UnsafeBufferPointer(start: start?.assumingMemoryBound(to: UInt8.self), count: length)
    }

    /// The value at `row`, `column` as `T`; `name` (the column's) goes into the error when it
    /// is NULL or does not parse (see `PostgresDecodable`).
    @inlinable
    public func decode<T: PostgresDecodable>(_ row: Int, _ column: Int, name: String) throws(PostgresDecodingError) -> T
    {
        guard !self.isNull(row, column) else {
            throw PostgresDecodingError(column: name, expected: "\(T.self)", problem: .null)
        }
        guard let value = self.withBytes(row, column, { T(postgresBytes: $0) }) else {
            throw PostgresDecodingError(column: name, expected: "\(T.self)", problem: .invalid)
        }
        return value
    }

    /// `decode`, with SQL NULL as `nil`.
    @inlinable
    public func decodeIfPresent<T: PostgresDecodable>(
        _ row: Int,
        _ column: Int,
        name: String
    ) throws(PostgresDecodingError) -> T? {
        if self.isNull(row, column) { return nil }
        return try self.decode(row, column, name: name) as T
    }
}

extension PostgresRows {
    /// Every row of `result`, copied out (so it outlives the result).
    public init(_ result: PostgresResult) {
        self = result.copiedRows
    }
}
