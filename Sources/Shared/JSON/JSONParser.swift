/// A strict RFC 8259 JSON parser over bytes, without Foundation: one pass, no backtracking,
/// nesting limited (a deep document must not exhaust the stack), UTF-8 validated, positions
/// reported on error.
public struct JSONParser {
    /// Arrays and objects nested deeper than this are refused.
    public static let maxDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// Parses one JSON value filling all of `bytes` (blanks around it allowed).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        parser.skipBlanks()
        let value = try parser.value(depth: 0)
        parser.skipBlanks()
        guard parser.index == bytes.count else { throw parser.failure("unexpected data after the JSON value") }
        return value
    }

    /// Parses one JSON value from `bytes`.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        let result = Array(bytes).withUnsafeBytes { raw in
            Result { () throws(JSONSyntaxError) -> JSONValue in try Self.parse(raw) }
        }
        return try result.get()
    }

    private var current: UInt8? { self.index < self.bytes.count ? self.bytes[self.index] : nil }

    private mutating func skipBlanks() {
        while let byte = self.current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 {
            self.index += 1
        }
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard let byte = self.current else { throw self.failure("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try self.object(depth: depth + 1)
        case UInt8(ascii: "["): return try self.array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try self.string())
        case UInt8(ascii: "t"): return try self.literal("true", .bool(true))
        case UInt8(ascii: "f"): return try self.literal("false", .bool(false))
        case UInt8(ascii: "n"): return try self.literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try self.number())
        default: throw self.failure("unexpected character, expected a value")
        }
    }

    private mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maxDepth else { throw self.failure("nested deeper than \(Self.maxDepth) levels") }
        self.index += 1
        var members: [JSONMember] = []
        self.skipBlanks()
        if self.current == UInt8(ascii: "}") {
            self.index += 1
            return .object(members)
        }
        while true {
            self.skipBlanks()
            guard self.current == UInt8(ascii: "\"") else { throw self.failure("expected a string key") }
            let key = try self.string()
            self.skipBlanks()
            guard self.current == UInt8(ascii: ":") else { throw self.failure("expected ':'") }
            self.index += 1
            self.skipBlanks()
            members.append(JSONMember(key: key, value: try self.value(depth: depth)))
            self.skipBlanks()
            switch self.current {
            case UInt8(ascii: ","): self.index += 1
            case UInt8(ascii: "}"):
                self.index += 1
                return .object(members)
            default: throw self.failure("expected ',' or '}'")
            }
        }
    }

    private mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth <= Self.maxDepth else { throw self.failure("nested deeper than \(Self.maxDepth) levels") }
        self.index += 1
        var elements: [JSONValue] = []
        self.skipBlanks()
        if self.current == UInt8(ascii: "]") {
            self.index += 1
            return .array(elements)
        }
        while true {
            self.skipBlanks()
            elements.append(try self.value(depth: depth))
            self.skipBlanks()
            switch self.current {
            case UInt8(ascii: ","): self.index += 1
            case UInt8(ascii: "]"):
                self.index += 1
                return .array(elements)
            default: throw self.failure("expected ',' or ']'")
            }
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONSyntaxError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard self.index + count <= self.bytes.count else { throw self.failure("invalid literal") }
        for offset in 0..<count where self.bytes[self.index + offset] != word.utf8Start[offset] {
            self.index += offset
            throw self.failure("invalid literal")
        }
        self.index += count
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, returned as its text.
    private mutating func number() throws(JSONSyntaxError) -> String {
        let start = self.index
        if self.current == UInt8(ascii: "-") { self.index += 1 }
        if self.current == UInt8(ascii: "0") {
            self.index += 1
        } else {
            guard self.digits() > 0 else { throw self.failure("invalid number") }
        }
        if self.current == UInt8(ascii: ".") {
            self.index += 1
            guard self.digits() > 0 else { throw self.failure("invalid number: digits expected after '.'") }
        }
        if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
            self.index += 1
            if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") { self.index += 1 }
            guard self.digits() > 0 else { throw self.failure("invalid number: digits expected in the exponent") }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.index]), as: UTF8.self)
    }

    private mutating func digits() -> Int {
        let start = self.index
        while let byte = self.current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { self.index += 1 }
        return self.index - start
    }

    private mutating func string() throws(JSONSyntaxError) -> String {
        self.index += 1
        let start = self.index
        // Fast path: no escapes, one validated copy.
        while let byte = self.current, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"), byte >= 0x20 {
            self.index += 1
        }
        if self.current == UInt8(ascii: "\"") {
            let slice = UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.index])
            guard let text = String(validating: slice, as: UTF8.self) else {
                self.index = start
                throw self.failure("invalid UTF-8 in a string")
            }
            self.index += 1
            return text
        }
        var buffer = Array(UnsafeRawBufferPointer(rebasing: self.bytes[start..<self.index]))
        while true {
            guard let byte = self.current else { throw self.failure("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                self.index += 1
                guard let text = String(validating: buffer, as: UTF8.self) else {
                    self.index = start
                    throw self.failure("invalid UTF-8 in a string")
                }
                return text
            case UInt8(ascii: "\\"):
                self.index += 1
                try self.escape(into: &buffer)
            case 0..<0x20:
                throw self.failure("control character in a string (escape it)")
            default:
                buffer.append(byte)
                self.index += 1
            }
        }
    }

    private mutating func escape(into buffer: inout [UInt8]) throws(JSONSyntaxError) {
        guard let byte = self.current else { throw self.failure("unterminated string") }
        self.index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try self.hex4()
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by `\u` and a low one.
                guard self.current == UInt8(ascii: "\\"), self.index + 1 < self.bytes.count,
                    self.bytes[self.index + 1] == UInt8(ascii: "u")
                else { throw self.failure("unpaired surrogate in a \\u escape") }
                self.index += 2
                let low = try self.hex4()
                guard (0xDC00..<0xE000).contains(low) else { throw self.failure("unpaired surrogate in a \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw self.failure("unpaired surrogate in a \\u escape")
            }
            UTF8.encode(Unicode.Scalar(scalar)!) { buffer.append($0) }
        default:
            self.index -= 1
            throw self.failure("invalid escape")
        }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = self.current else { throw self.failure("unterminated \\u escape") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw self.failure("invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            self.index += 1
        }
        return value
    }

    /// An error at the current position, with its line and column.
    private func failure(_ reason: String) -> JSONSyntaxError {
        var line = 1
        var lineStart = 0
        for offset in 0..<min(self.index, self.bytes.count) where self.bytes[offset] == 0x0A {
            line += 1
            lineStart = offset + 1
        }
        return JSONSyntaxError(offset: self.index, line: line, column: self.index - lineStart + 1, reason: reason)
    }
}
