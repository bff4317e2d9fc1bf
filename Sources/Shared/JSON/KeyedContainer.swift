/// The members of one JSON object; every key asked for is marked as known.
struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [JSONMember]
    let decoder: ValueDecoder
    let usage: ObjectUsage?

    var codingPath: [any CodingKey] { self.decoder.codingPath }

    var allKeys: [Key] {
        self.usage?.allKeysRead = true
        return self.members.compactMap { Key(stringValue: $0.key) }
    }

    private func lookup(_ key: Key) -> JSONValue? {
        let name = key.stringValue
        self.usage?.asked.insert(name)
        return self.members.first { $0.key == name }?.value
    }

    private func child(_ key: Key) -> ValueDecoder {
        self.decoder.child(self.lookup(key), key)
    }

    func contains(_ key: Key) -> Bool { self.lookup(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool {
        let value = self.lookup(key)
        return value == nil || value == .null
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try self.child(key).decodeValue(type)
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { self.child(key).bool() }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { self.child(key).string() }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { self.child(key).floatingPoint(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { self.child(key).floatingPoint(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { self.child(key).integer(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { self.child(key).integer(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { self.child(key).integer(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { self.child(key).integer(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { self.child(key).integer(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { self.child(key).integer(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { self.child(key).integer(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { self.child(key).integer(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { self.child(key).integer(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { self.child(key).integer(type) }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try self.child(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try self.child(key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        self.decoder.child(self.members.first { $0.key == "super" }?.value, NamedKey("super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { self.child(key) }
}

/// The elements of one JSON array.
struct UnkeyedContainer: UnkeyedDecodingContainer {
    let elements: [JSONValue]
    let decoder: ValueDecoder
    private(set) var currentIndex = 0

    init(elements: [JSONValue], decoder: ValueDecoder) {
        self.elements = elements
        self.decoder = decoder
    }

    var codingPath: [any CodingKey] { self.decoder.codingPath }
    var count: Int? { self.elements.count }
    var isAtEnd: Bool { self.currentIndex >= self.elements.count }

    private mutating func next() -> ValueDecoder {
        defer { self.currentIndex += 1 }
        return self.decoder.child(self.isAtEnd ? nil : self.elements[self.currentIndex], IndexKey(self.currentIndex))
    }

    mutating func decodeNil() throws -> Bool {
        guard !self.isAtEnd, self.elements[self.currentIndex] == .null else { return false }
        self.currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try self.next().decodeValue(type) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { self.next().bool() }
    mutating func decode(_ type: String.Type) throws -> String { self.next().string() }
    mutating func decode(_ type: Double.Type) throws -> Double { self.next().floatingPoint(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { self.next().floatingPoint(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { self.next().integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { self.next().integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { self.next().integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { self.next().integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { self.next().integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { self.next().integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { self.next().integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { self.next().integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { self.next().integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { self.next().integer(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try self.next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try self.next().unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { self.next() }
}

/// The decoder's own value, read as one scalar or `Decodable`.
struct SingleValueContainer: SingleValueDecodingContainer {
    let decoder: ValueDecoder

    var codingPath: [any CodingKey] { self.decoder.codingPath }

    func decodeNil() -> Bool { self.decoder.value == nil || self.decoder.value == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try self.decoder.decodeValue(type) }
    func decode(_ type: Bool.Type) throws -> Bool { self.decoder.bool() }
    func decode(_ type: String.Type) throws -> String { self.decoder.string() }
    func decode(_ type: Double.Type) throws -> Double { self.decoder.floatingPoint(type) }
    func decode(_ type: Float.Type) throws -> Float { self.decoder.floatingPoint(type) }
    func decode(_ type: Int.Type) throws -> Int { self.decoder.integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { self.decoder.integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { self.decoder.integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { self.decoder.integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { self.decoder.integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { self.decoder.integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { self.decoder.integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { self.decoder.integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { self.decoder.integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { self.decoder.integer(type) }
}
