/// A value that writes its own JSON text, for the hottest response bodies (a page of charts):
/// `JSONBodyEncoder` appends what `writeJSON` writes in place of the value, skipping
/// `Encodable`'s containers, existential dispatch and per-key escaping (together several times
/// the cost of the bytes themselves).
///
/// Like `RawJSON`, only the service's own encoder knows it (`encodeWritten(to:)` throws for any
/// other). The writer must produce one complete, valid JSON value; the helpers below and
/// `JSONWriter.appendQuoted` write the pieces.
public protocol JSONWritable: Encodable {
    /// Appends the value's JSON text to `bytes`.
    func writeJSON(to bytes: inout [UInt8])
}

extension JSONWritable {
    /// The `encode(to:)` of a `JSONWritable` type: writes `writeJSON`'s text into the service's
    /// encoder.
    public func encodeWritten(to encoder: any Encoder) throws {
        guard let encoder = encoder as? SinkEncoder else {
            throw EncodingError.invalidValue(
                self,
                .init(
                    codingPath: encoder.codingPath,
                    debugDescription: "\(Self.self) is encoded by JSONBodyEncoder only"
                )
            )
        }
        self.writeJSON(to: &encoder.sink.bytes)
    }
}

extension JSONWriter {
    /// Appends `"key":` for a key that needs no escaping (a literal of the caller's), with a
    /// leading comma unless it is the first.
    public static func appendKey(_ key: StaticString, first: Bool = false, to bytes: inout [UInt8]) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Appends `fragment` as it is: literal JSON punctuation and keys (`,"title":`), one copy.
    public static func appendRaw(_ fragment: StaticString, to bytes: inout [UInt8]) {
        fragment.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends `value` quoted, or `null`.
    public static func appendQuotedOrNull(_ value: String?, to bytes: inout [UInt8]) {
        guard let value else { return bytes.append(contentsOf: "null".utf8) }
        self.appendQuoted(value, to: &bytes)
    }

    /// Appends `"8-4-4-4-12"` (lowercase), as `JSONBodyEncoder` writes a `UUID`.
    public static func appendQuoted(_ value: UUID, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        value.appendCanonical(to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends the UUID quoted, or `null`.
    public static func appendQuotedOrNull(_ value: UUID?, to bytes: inout [UInt8]) {
        guard let value else { return bytes.append(contentsOf: "null".utf8) }
        self.appendQuoted(value, to: &bytes)
    }

    /// Appends the RFC 3339 UTC form quoted, as `JSONBodyEncoder` writes a `DateTime`.
    public static func appendQuoted(_ value: DateTime, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        value.appendRFC3339(to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends decimal digits, or `null`.
    public static func appendIntegerOrNull(_ value: Int?, to bytes: inout [UInt8]) {
        guard let value else { return bytes.append(contentsOf: "null".utf8) }
        bytes.append(contentsOf: String(value).utf8)  // a small string: no allocation
    }
}
