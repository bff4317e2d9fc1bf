/// A minimal, allocation-conscious JSON writer for the shapes this service emits (flat objects
/// of strings and numbers): log records and error envelopes. No Foundation on the hot path.
public struct JSONWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]
    private var needsComma = false

    /// Starts an object (`{`), reserving `capacity` bytes.
    public init(capacity: Int = 256) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
        self.bytes.append(UInt8(ascii: "{"))
    }

    /// Appends `"key":"value"` with the value escaped.
    public mutating func field(_ key: StaticString, _ value: String) {
        self.key(key)
        Self.appendQuoted(value, to: &self.bytes)
    }

    /// Appends `"key":"value"` for a key known only at run time.
    public mutating func field(dynamicKey key: String, _ value: String) {
        self.comma()
        Self.appendQuoted(key, to: &self.bytes)
        self.bytes.append(UInt8(ascii: ":"))
        Self.appendQuoted(value, to: &self.bytes)
    }

    /// Appends `"key":` and `rawJSON` for a key known only at run time.
    public mutating func field(dynamicKey key: String, rawJSON: String) {
        self.comma()
        Self.appendQuoted(key, to: &self.bytes)
        self.bytes.append(UInt8(ascii: ":"))
        self.bytes.append(contentsOf: rawJSON.utf8)
    }

    /// Appends `"key":123`.
    public mutating func field(_ key: StaticString, _ value: Int) {
        self.key(key)
        self.bytes.append(contentsOf: String(value).utf8)
    }

    /// Appends `"key":` followed by `rawJSON` as is (the caller guarantees it is valid JSON).
    public mutating func field(_ key: StaticString, rawJSON: String) {
        self.key(key)
        self.bytes.append(contentsOf: rawJSON.utf8)
    }

    /// Closes the object and returns its bytes.
    public mutating func finish() -> [UInt8] {
        self.bytes.append(UInt8(ascii: "}"))
        return self.bytes
    }

    /// Closes the object and returns it as a string.
    public mutating func finishString() -> String {
        String(decoding: self.finish(), as: UTF8.self)
    }

    private mutating func key(_ key: StaticString) {
        self.comma()
        self.bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { self.bytes.append(contentsOf: $0) }
        self.bytes.append(UInt8(ascii: "\""))
        self.bytes.append(UInt8(ascii: ":"))
    }

    private mutating func comma() {
        if self.needsComma { self.bytes.append(UInt8(ascii: ",")) }
        self.needsComma = true
    }

    /// Appends `value` as a JSON string literal (RFC 8259 escaping; non-ASCII passes through as
    /// UTF-8, invalid UTF-8 was already repaired by `String`).
    public static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        self.appendEscaped(Substring(value), to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends `text` escaped as inside a JSON string literal, without the quotes.
    public static func appendEscaped(_ text: Substring, to bytes: inout [UInt8]) {
        // Usually nothing needs escaping: one scan, one copy. `withUTF8` gives small strings
        // (stored inline, the common case for ids and paths) contiguous bytes too.
        var text = text
        let copied = text.withUTF8 { utf8 -> Bool in
            guard Self.needsNoEscaping(utf8) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied { return }
        text.withUTF8 { utf8 in
            // Each byte becomes at most six (`\u001f`).
            withUnsafeTemporaryAllocation(byteCount: utf8.count * 6, alignment: 1) { room in
                let written = Self.writeEscaped(utf8, to: room.baseAddress!)
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: room[..<written]))
            }
        }
    }

    /// Whether no byte of `utf8` needs escaping (a control character, `"`, `\`, DEL): eight
    /// bytes per step (SWAR), since response bodies carry long strings (a chart's SQL).
    static func needsNoEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        self.scan(utf8, asciiOnly: false)
    }

    /// `needsNoEscaping`, and no byte above 0x7F either (text that is valid UTF-8 as it is).
    static func isPlainASCII(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard utf8.count >= 64 else { return self.scan(utf8, asciiOnly: true) }
        // Long text (a chart's SQL): a loop without early exit, which the compiler turns into
        // sixteen bytes per step; for short text its set-up costs more than the eight-byte scan.
        var flags: UInt8 = 0
        for byte in utf8 {
            flags |= (byte < 0x20 ? 1 : 0) | (byte == 0x22 ? 1 : 0) | (byte == 0x5C ? 1 : 0) | (byte >= 0x7F ? 1 : 0)
        }
        return flags == 0
    }

    @inline(__always)
    private static func scan(_ utf8: UnsafeBufferPointer<UInt8>, asciiOnly: Bool) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // A byte of `x` is zero / below `n` (n ≤ 0x80) exactly when some high bit survives.
        func hasZero(_ x: UInt64) -> UInt64 { (x &- ones) & ~x & highs }
        func clean(_ word: UInt64) -> Bool {
            if asciiOnly {
                // Any byte above 0x7E sets its high bit here or in `word + 1`; with none, no
                // subtraction below borrows, so a high bit means a byte below 0x20 or equal.
                let flags =
                    word | (word &+ ones) | (word &- ones &* 0x20) | ((word ^ (ones &* 0x22)) &- ones)
                    | ((word ^ (ones &* 0x5C)) &- ones)
                return flags & highs == 0
            }
            let below = (word &- ones &* 0x20) & ~word & highs
            let special =
                hasZero(word ^ (ones &* 0x22)) | hasZero(word ^ (ones &* 0x5C)) | hasZero(word ^ (ones &* 0x7F))
            return below | special == 0
        }
        guard let base = utf8.baseAddress, utf8.count >= 8 else {
            for byte in utf8
            where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte >= 0x7F && (byte == 0x7F || asciiOnly) {
                return false
            }
            return true
        }
        var index = 0
        while index + 8 <= utf8.count {
            guard clean(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) else { return false }
            index += 8
        }
        // The last bytes as one more word, overlapping ones already checked: no byte loop.
        return index == utf8.count || clean(UnsafeRawPointer(base + utf8.count - 8).loadUnaligned(as: UInt64.self))
    }
}
