/// Encodes an `Encodable` value as compact JSON bytes, without Foundation, streaming straight
/// into one byte array (no intermediate tree, no per-field allocation for keys or integers).
///
/// Formats: `UUID` lowercase canonical, `DateTime` RFC 3339 UTC, `DecimalString` a JSON string;
/// `nil` optional properties are left out (as `JSONEncoder` does), `nil` in an array is `null`;
/// non-finite floating-point values are an error. Keys come out in the order the type encodes
/// them. Containers must be filled in order (a nested container is closed when its parent
/// writes its next element), which every synthesized `Encodable` does.
public enum JSONBodyEncoder {
    /// The JSON for `value`.
    public static func encode<T: Encodable>(_ value: T, capacity: Int = 256) throws -> [UInt8] {
        let sink = EncodingSink(capacity: capacity)
        try sink.encodeValue(value, level: 0)
        return sink.bytes
    }
}

/// The output and the stack of open containers.
final class EncodingSink {
    var bytes: [UInt8]
    /// Per open container: its closing byte and whether it has an element yet.
    private var open: [(closer: UInt8, hasElements: Bool)] = []

    init(capacity: Int) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
    }

    /// Opens a container one level below `level`; returns the container's level.
    func openContainer(_ opener: UInt8, _ closer: UInt8, below level: Int) -> Int {
        self.close(above: level)
        self.bytes.append(opener)
        self.open.append((closer, false))
        return self.open.count
    }

    /// Closes every container deeper than `level`.
    func close(above level: Int) {
        while self.open.count > level {
            self.bytes.append(self.open.removeLast().closer)
        }
    }

    /// Prepares an element of the container at `level`: closes nested ones, adds the comma.
    func beginElement(at level: Int) {
        self.close(above: level)
        if self.open[level - 1].hasElements {
            self.bytes.append(UInt8(ascii: ","))
        } else {
            self.open[level - 1].hasElements = true
        }
    }

    func writeKey(_ key: some CodingKey, at level: Int) {
        self.beginElement(at: level)
        JSONWriter.appendQuoted(key.stringValue, to: &self.bytes)
        self.bytes.append(UInt8(ascii: ":"))
    }

    /// Writes `value` as a whole value, in a container at `level` (0: the document).
    func encodeValue<T: Encodable>(_ value: T, level: Int) throws {
        let start = self.bytes.count
        try value.encode(to: SinkEncoder(sink: self, level: level))
        self.close(above: level)
        // A type that encoded nothing is an empty object, as with Foundation's encoder.
        if self.bytes.count == start { self.bytes += [UInt8(ascii: "{"), UInt8(ascii: "}")] }
    }

    func write(_ value: String) { JSONWriter.appendQuoted(value, to: &self.bytes) }
    func write(_ value: Bool) { self.bytes.append(contentsOf: (value ? "true" : "false").utf8) }
    func writeNull() { self.bytes.append(contentsOf: "null".utf8) }

    /// Decimal digits, without building a `String`.
    func write<I: FixedWidthInteger>(_ value: I) {
        if value == 0 {
            self.bytes.append(UInt8(ascii: "0"))
            return
        }
        if value < 0 { self.bytes.append(UInt8(ascii: "-")) }
        let start = self.bytes.count
        var rest = value.magnitude
        while rest > 0 {
            self.bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10))
            rest /= 10
        }
        self.bytes[start...].reverse()
    }

    func write<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "not a finite number"))
        }
        self.bytes += value.description.utf8
    }
}

/// The `Encoder` handed to a value's `encode(to:)`: `level` is the container it writes into.
/// `codingPath` is not tracked (it would cost an allocation per level).
struct SinkEncoder: Encoder {
    let sink: EncodingSink
    let level: Int

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let level = self.sink.openContainer(UInt8(ascii: "{"), UInt8(ascii: "}"), below: self.level)
        return KeyedEncodingContainer(SinkKeyedContainer<Key>(sink: self.sink, level: level))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let level = self.sink.openContainer(UInt8(ascii: "["), UInt8(ascii: "]"), below: self.level)
        return SinkUnkeyedContainer(sink: self.sink, level: level)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SinkSingleValueContainer(sink: self.sink, level: self.level)
    }
}
