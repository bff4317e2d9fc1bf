/// Any JSON value kept as its compact text: a field whose shape the service does not model (a
/// chart's Vega-Lite `spec`, free-form parameters), passed between a request, PostgreSQL's
/// `jsonb` and a response without building a tree for it.
///
/// - In: `JSONBodyDecoder` accepts any JSON value here (`null` too) and keeps it re-serialised
///   compactly; an absent field is `is required`. Rules such as `.object` check its kind.
/// - Out: `JSONBodyEncoder` writes the text as it is, so a `jsonb` column's text reaches the
///   response without being parsed (`RawJSON(trusted:)`: the caller vouches that it is JSON).
///
/// Only the service's own coders know it: other decoders and encoders throw.
public struct RawJSON: Sendable, Hashable, Codable, JSONPlaceholder {
    /// The JSON text.
    public let text: String

    /// JSON text from a source that guarantees it is valid (PostgreSQL's `json`/`jsonb` output,
    /// a literal), embedded in responses unchecked.
    public init(trusted text: String) {
        self.text = text
    }

    /// `{}`, what a failed field decodes to while the decoder goes on.
    public static var jsonPlaceholder: RawJSON { RawJSON(trusted: "{}") }

    /// Whether the value is an object (`{…}`).
    public var isObject: Bool { self.text.utf8.first == UInt8(ascii: "{") }

    /// Whether a string or key holds U+0000 (`\u0000`), which PostgreSQL's `jsonb` refuses.
    public var containsNullCharacter: Bool {
        var bytes = self.text.utf8.makeIterator()
        while let byte = bytes.next() {
            guard byte == UInt8(ascii: "\\") else { continue }
            // An escape: `\u0000` is the null character, any other escaped byte is skipped.
            guard bytes.next() == UInt8(ascii: "u") else { continue }
            var zeros = 0
            while zeros < 4, bytes.next() == UInt8(ascii: "0") { zeros += 1 }
            if zeros == 4 { return true }
        }
        return false
    }

    public init(from decoder: any Decoder) throws {
        guard let decoder = decoder as? ValueDecoder else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "RawJSON is decoded by JSONBodyDecoder only")
            )
        }
        guard let value = decoder.value else {
            decoder.fail("is required")
            self = .jsonPlaceholder
            return
        }
        var bytes: [UInt8] = []
        Self.write(value, to: &bytes)
        self.text = String(decoding: bytes, as: UTF8.self)
    }

    public func encode(to encoder: any Encoder) throws {
        guard let encoder = encoder as? SinkEncoder else {
            throw EncodingError.invalidValue(
                self,
                .init(codingPath: encoder.codingPath, debugDescription: "RawJSON is encoded by JSONBodyEncoder only")
            )
        }
        encoder.sink.bytes.append(contentsOf: self.text.utf8)
    }

    /// `value` as compact JSON (numbers keep their literal text).
    static func write(_ value: JSONValue, to bytes: inout [UInt8]) {
        switch value {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let flag): bytes.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let literal): bytes.append(contentsOf: literal.utf8)
        case .string(let text): JSONWriter.appendQuoted(text, to: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                self.write(element, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONWriter.appendQuoted(member.key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                self.write(member.value, to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}

extension Rule where Value == RawJSON {
    /// A JSON object.
    public static var object: Rule {
        .custom("must be an object") { $0.isObject }
    }

    /// No U+0000 in any string or key (PostgreSQL's `jsonb` cannot store it).
    public static var noNullCharacter: Rule {
        .custom("must not contain the character U+0000") { !$0.containsNullCharacter }
    }
}
