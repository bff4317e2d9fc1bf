/// Reads a row into a `Decodable` type, each stored property from the column of the same name
/// (or its `CodingKeys` raw value):
///
/// ```swift
/// struct Order: Decodable {
///     let id: UUID
///     let total_amount: DecimalString
///     let paid_at: DateTime?
/// }
/// let orders = try rows.map { try $0.decode(Order.self) }
/// ```
/// Column types follow `PostgresDecodable`; any other `Decodable` (e.g. a `String` enum) is
/// read from the column's text. A missing column, an unexpected NULL or a bad value throws
/// `PostgresDecodingError` naming the column.
struct PostgresRowDecoder: Decoder {
    let row: PostgresRow

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Columns<Key>(row: self.row))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw PostgresDecodingError(column: "*", expected: "a keyed type (a struct)", problem: .invalid)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw PostgresDecodingError(column: "*", expected: "a keyed type (a struct)", problem: .invalid)
    }

    /// The row's columns as a keyed container.
    private struct Columns<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let row: PostgresRow

        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { self.row.columns.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { self.row.columns.contains(key.stringValue) }

        func decodeNil(forKey key: Key) throws -> Bool { try self.row.text(key.stringValue) == nil }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try self.value(type, forKey: key)
        }

        private func value<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let column = key.stringValue
            if let decodable = T.self as? any PostgresDecodable.Type {
                guard let text = try self.row.text(column) else {
                    throw PostgresDecodingError(column: column, expected: "\(T.self)", problem: .null)
                }
                guard let value = decodable.init(postgresText: text) as? T else {
                    throw PostgresDecodingError(column: column, expected: "\(T.self)", problem: .invalid)
                }
                return value
            }
            guard let text = try self.row.text(column) else {
                throw PostgresDecodingError(column: column, expected: "\(T.self)", problem: .null)
            }
            return try T(from: ColumnText(column: column, text: text))
        }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try self.value(type, forKey: key) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try self.value(type, forKey: key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try self.value(type, forKey: key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try self.parse(key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try self.parse(key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try self.parse(key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try self.parse(key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try self.parse(key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try self.parse(key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try self.parse(key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try self.parse(key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try self.parse(key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try self.parse(key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try self.parse(key) }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type,
            forKey key: Key
        ) throws -> KeyedDecodingContainer<NestedKey> {
            throw PostgresDecodingError(column: key.stringValue, expected: "a column value", problem: .invalid)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            throw PostgresDecodingError(column: key.stringValue, expected: "a column value", problem: .invalid)
        }

        func superDecoder() throws -> any Decoder { PostgresRowDecoder(row: self.row) }

        func superDecoder(forKey key: Key) throws -> any Decoder { PostgresRowDecoder(row: self.row) }

        private func parse<T: LosslessStringConvertible>(_ key: Key) throws -> T {
            guard let text = try self.row.text(key.stringValue) else {
                throw PostgresDecodingError(column: key.stringValue, expected: "\(T.self)", problem: .null)
            }
            guard let value = T(text) else {
                throw PostgresDecodingError(column: key.stringValue, expected: "\(T.self)", problem: .invalid)
            }
            return value
        }
    }
}

/// One column's text as a single value, for `Decodable` types that are not
/// `PostgresDecodable` (a `String` raw-value enum, a wrapper struct).
private struct ColumnText: Decoder, SingleValueDecodingContainer {
    let column: String
    let text: String

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw PostgresDecodingError(column: self.column, expected: "a single value", problem: .invalid)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw PostgresDecodingError(column: self.column, expected: "a single value", problem: .invalid)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { false }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try self.value(type)
    }

    private func value<T: Decodable>(_ type: T.Type) throws -> T {
        if let decodable = T.self as? any PostgresDecodable.Type,
            let value = decodable.init(postgresText: self.text) as? T
        {
            return value
        }
        if T.self is any PostgresDecodable.Type {
            throw PostgresDecodingError(column: self.column, expected: "\(T.self)", problem: .invalid)
        }
        return try T(from: self)
    }

    func decode(_ type: Bool.Type) throws -> Bool { try self.value(type) }
    func decode(_ type: String.Type) throws -> String { try self.value(type) }
    func decode(_ type: Int.Type) throws -> Int { try self.value(type) }
    func decode(_ type: Double.Type) throws -> Double { try self.parse() }
    func decode(_ type: Float.Type) throws -> Float { try self.parse() }
    func decode(_ type: Int8.Type) throws -> Int8 { try self.parse() }
    func decode(_ type: Int16.Type) throws -> Int16 { try self.parse() }
    func decode(_ type: Int32.Type) throws -> Int32 { try self.parse() }
    func decode(_ type: Int64.Type) throws -> Int64 { try self.parse() }
    func decode(_ type: UInt.Type) throws -> UInt { try self.parse() }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try self.parse() }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try self.parse() }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try self.parse() }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try self.parse() }

    private func parse<T: LosslessStringConvertible>() throws -> T {
        guard let value = T(self.text) else {
            throw PostgresDecodingError(column: self.column, expected: "\(T.self)", problem: .invalid)
        }
        return value
    }
}

extension PostgresRow {
    /// The row as `type`, each property from the column of the same name (see
    /// `PostgresRowDecoder`).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try T(from: PostgresRowDecoder(row: self))
    }
}
