/// The `Decoder` of one JSON value (or of an absent one: `value == nil`) at `codingPath`.
/// `silent` decoders build placeholders and record nothing.
struct ValueDecoder: Decoder {
    let value: JSONValue?
    let codingPath: [any CodingKey]
    let session: DecodingSession
    let silent: Bool

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func child(_ value: JSONValue?, _ key: any CodingKey) -> ValueDecoder {
        ValueDecoder(value: value, codingPath: self.codingPath + [key], session: self.session, silent: self.silent)
    }

    /// Records `message` for this value unless silent; an absent value is `is required` and a
    /// `null` one `must not be null` whatever was expected.
    func fail(_ message: String) {
        guard !self.silent else { return }
        switch self.value {
        case nil: self.session.record(self.codingPath, "is required")
        case .null?: self.session.record(self.codingPath, "must not be null")
        default: self.session.record(self.codingPath, message)
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        if case .object(let members)? = self.value {
            let usage = self.silent ? nil : self.session.usage(at: self.codingPath, members: members)
            return KeyedDecodingContainer(KeyedContainer<Key>(members: members, decoder: self, usage: usage))
        }
        self.fail("must be an object")
        let placeholder = ValueDecoder(value: nil, codingPath: self.codingPath, session: self.session, silent: true)
        return KeyedDecodingContainer(KeyedContainer<Key>(members: [], decoder: placeholder, usage: nil))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        if case .array(let elements)? = self.value {
            return UnkeyedContainer(elements: elements, decoder: self)
        }
        self.fail("must be an array")
        let placeholder = ValueDecoder(value: nil, codingPath: self.codingPath, session: self.session, silent: true)
        return UnkeyedContainer(elements: [], decoder: placeholder)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueContainer(decoder: self)
    }

    /// Decodes a `T` here: primitives and the shared value types directly, anything else through
    /// its `init(from:)`, followed by its rules. Never throws for a failing field (it records it
    /// and returns a placeholder) unless no placeholder can be built.
    func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if let primitive = self.primitive(type) { return primitive }
        let before = self.session.errors.count
        do {
            let value = try T(from: self)
            if !self.silent, let rules = value as? any Validatable {
                self.session.validate(rules, at: self.codingPath)
            }
            return value
        } catch let error as DecodingError {
            if !self.silent && self.session.errors.count == before {
                self.session.record(Self.codingPath(of: error) ?? self.codingPath, Self.message(for: error))
            }
            return try self.placeholder(type)
        }
    }

    /// A stand-in `T` after a failure: the type's own, or one built from an absent value.
    func placeholder<T: Decodable>(_ type: T.Type) throws -> T {
        if let known = type as? any JSONPlaceholder.Type, let value = known.jsonPlaceholder as? T { return value }
        let absent = ValueDecoder(value: nil, codingPath: self.codingPath, session: self.session, silent: true)
        do {
            return try T(from: absent)
        } catch {
            throw DecodingAborted()
        }
    }

    private static func codingPath(of error: DecodingError) -> [any CodingKey]? {
        switch error {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            context.codingPath
        case .keyNotFound(let key, let context):
            context.codingPath + [key]
        @unknown default:
            nil
        }
    }

    /// A custom type's `dataCorrupted` description is written for users (as `UUID`'s is); other
    /// cases get generic words.
    private static func message(for error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context): context.debugDescription
        case .keyNotFound: "is required"
        case .valueNotFound: "must not be null"
        case .typeMismatch: "has the wrong type"
        @unknown default: "is invalid"
        }
    }
}
