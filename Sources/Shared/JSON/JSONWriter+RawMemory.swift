extension JSONWriter {
    /// The most bytes `writeQuoted` writes for `count` bytes of text: the quotes, and six per
    /// byte (`\u001f`; an invalid UTF-8 byte repaired becomes three).
    public static func quotedBound(_ count: Int) -> Int { 2 + 6 * count }

    /// Writes the UTF-8 text `utf8` as a JSON string literal at `out`, which has room for
    /// `quotedBound(utf8.count)` bytes; returns the bytes written. The same bytes as
    /// `appendQuoted(String(decoding: utf8, as: UTF8.self), to:)` (invalid UTF-8 repaired
    /// alike), without the `String` when the text is plain ASCII: a database value written
    /// straight from its buffer (`PostgresRowJSON`).
    public static func writeQuoted(_ utf8: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableRawPointer) -> Int {
        out.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        var count = 1
        if Self.isPlainASCII(utf8) {
            if let base = utf8.baseAddress { (out + 1).copyMemory(from: base, byteCount: utf8.count) }
            count += utf8.count
        } else if Self.isValidUTF8(utf8) {
            // Escapes (a query's line breaks), or non-ASCII text: escaped from the bytes.
            count += Self.writeEscaped(utf8, to: out + 1)
        } else {
            // Invalid UTF-8 (not from PostgreSQL): repaired by `String`, as everywhere else.
            var text = String(decoding: utf8, as: UTF8.self)
            count += text.withUTF8 { Self.writeEscaped($0, to: out + 1) }
        }
        out.storeBytes(of: UInt8(ascii: "\""), toByteOffset: count, as: UInt8.self)
        return count + 1
    }

    /// Writes `utf8` escaped as inside a JSON string literal at `out` (room for six bytes per
    /// byte); returns the bytes written.
    static func writeEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableRawPointer) -> Int {
        var count = 0
        func put(_ byte: UInt8) {
            out.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
            count += 1
        }
        let hex = Self.hexDigits
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                put(0x5C)
                put(byte)
            case 0x0A:
                put(0x5C)
                put(UInt8(ascii: "n"))
            case 0x0D:
                put(0x5C)
                put(UInt8(ascii: "r"))
            case 0x09:
                put(0x5C)
                put(UInt8(ascii: "t"))
            case 0..<0x20, 0x7F:
                put(0x5C)
                put(UInt8(ascii: "u"))
                put(UInt8(ascii: "0"))
                put(UInt8(ascii: "0"))
                put(hex[Int(byte >> 4)])
                put(hex[Int(byte & 0xF)])
            default: put(byte)
            }
        }
        return count
    }

    /// Whether `bytes` is well-formed UTF-8 as `String` reads it: no stray or missing
    /// continuation byte, no overlong form, no surrogate, nothing above U+10FFFF.
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            // The sequence's length and the range its second byte must fall in (RFC 3629 §4),
            // which rules out overlong forms, surrogates and values above U+10FFFF.
            let length: Int
            var second: ClosedRange<UInt8> = 0x80...0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                second = 0xA0...0xBF
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                second = 0x80...0x9F
            case 0xF0:
                length = 4
                second = 0x90...0xBF
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                second = 0x80...0x8F
            default: return false
            }
            guard index + length <= bytes.count, second.contains(bytes[index + 1]) else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }

    private static let hexDigits: StaticString = "0123456789abcdef"
}

extension StaticString {
    /// The byte at `index` (an ASCII table's entry).
    fileprivate subscript(index: Int) -> UInt8 { self.utf8Start[index] }
}
