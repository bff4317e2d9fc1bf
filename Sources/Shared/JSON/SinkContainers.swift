/// An object being written by `JSONBodyEncoder`.
struct SinkKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let sink: EncodingSink
    let level: Int

    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws {
        self.sink.writeKey(key, at: self.level)
        self.sink.writeNull()
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        self.sink.writeKey(key, at: self.level)
        try self.sink.encodeValue(value, level: self.level)
    }

    mutating func encode(_ value: String, forKey key: Key) throws {
        self.sink.writeKey(key, at: self.level)
        self.sink.write(value)
    }

    mutating func encode(_ value: Bool, forKey key: Key) throws {
        self.sink.writeKey(key, at: self.level)
        self.sink.write(value)
    }

    mutating func encode(_ value: Double, forKey key: Key) throws {
        self.sink.writeKey(key, at: self.level)
        try self.sink.write(value)
    }

    mutating func encode(_ value: Float, forKey key: Key) throws {
        self.sink.writeKey(key, at: self.level)
        try self.sink.write(value)
    }

    mutating func encode(_ value: Int, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { self.integer(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { self.integer(value, key) }

    private func integer(_ value: some FixedWidthInteger, _ key: Key) {
        self.sink.writeKey(key, at: self.level)
        self.sink.write(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        self.sink.writeKey(key, at: self.level)
        return SinkEncoder(sink: self.sink, level: self.level).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        self.sink.writeKey(key, at: self.level)
        return SinkEncoder(sink: self.sink, level: self.level).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        self.sink.writeKey(NamedKey("super"), at: self.level)
        return SinkEncoder(sink: self.sink, level: self.level)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        self.sink.writeKey(key, at: self.level)
        return SinkEncoder(sink: self.sink, level: self.level)
    }
}

/// An array being written by `JSONBodyEncoder`.
struct SinkUnkeyedContainer: UnkeyedEncodingContainer {
    let sink: EncodingSink
    let level: Int
    private(set) var count = 0

    init(sink: EncodingSink, level: Int) {
        self.sink = sink
        self.level = level
    }

    var codingPath: [any CodingKey] { [] }

    private mutating func begin() {
        self.sink.beginElement(at: self.level)
        self.count += 1
    }

    mutating func encodeNil() throws {
        self.begin()
        self.sink.writeNull()
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        self.begin()
        try self.sink.encodeValue(value, level: self.level)
    }

    mutating func encode(_ value: String) throws {
        self.begin()
        self.sink.write(value)
    }

    mutating func encode(_ value: Bool) throws {
        self.begin()
        self.sink.write(value)
    }

    mutating func encode(_ value: Double) throws {
        self.begin()
        try self.sink.write(value)
    }

    mutating func encode(_ value: Float) throws {
        self.begin()
        try self.sink.write(value)
    }

    mutating func encode(_ value: Int) throws { self.integer(value) }
    mutating func encode(_ value: Int8) throws { self.integer(value) }
    mutating func encode(_ value: Int16) throws { self.integer(value) }
    mutating func encode(_ value: Int32) throws { self.integer(value) }
    mutating func encode(_ value: Int64) throws { self.integer(value) }
    mutating func encode(_ value: UInt) throws { self.integer(value) }
    mutating func encode(_ value: UInt8) throws { self.integer(value) }
    mutating func encode(_ value: UInt16) throws { self.integer(value) }
    mutating func encode(_ value: UInt32) throws { self.integer(value) }
    mutating func encode(_ value: UInt64) throws { self.integer(value) }

    private mutating func integer(_ value: some FixedWidthInteger) {
        self.begin()
        self.sink.write(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        self.begin()
        return SinkEncoder(sink: self.sink, level: self.level).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        self.begin()
        return SinkEncoder(sink: self.sink, level: self.level).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        self.begin()
        return SinkEncoder(sink: self.sink, level: self.level)
    }
}

/// One value written in place by `JSONBodyEncoder`.
struct SinkSingleValueContainer: SingleValueEncodingContainer {
    let sink: EncodingSink
    let level: Int

    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { self.sink.writeNull() }
    mutating func encode<T: Encodable>(_ value: T) throws { try self.sink.encodeValue(value, level: self.level) }
    mutating func encode(_ value: String) throws { self.sink.write(value) }
    mutating func encode(_ value: Bool) throws { self.sink.write(value) }
    mutating func encode(_ value: Double) throws { try self.sink.write(value) }
    mutating func encode(_ value: Float) throws { try self.sink.write(value) }
    mutating func encode(_ value: Int) throws { self.sink.write(value) }
    mutating func encode(_ value: Int8) throws { self.sink.write(value) }
    mutating func encode(_ value: Int16) throws { self.sink.write(value) }
    mutating func encode(_ value: Int32) throws { self.sink.write(value) }
    mutating func encode(_ value: Int64) throws { self.sink.write(value) }
    mutating func encode(_ value: UInt) throws { self.sink.write(value) }
    mutating func encode(_ value: UInt8) throws { self.sink.write(value) }
    mutating func encode(_ value: UInt16) throws { self.sink.write(value) }
    mutating func encode(_ value: UInt32) throws { self.sink.write(value) }
    mutating func encode(_ value: UInt64) throws { self.sink.write(value) }
}
