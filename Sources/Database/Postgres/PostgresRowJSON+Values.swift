import Shared

/// One column value's JSON from PostgreSQL's text output, for `PostgresRowJSON`: the bytes
/// `JSONBodyEncoder` writes for the value the text decodes to (`PostgresDecodable`), or `nil`
/// when the text is not one (the decoder would refuse it too).
enum PostgresJSONValue {
    /// Writes the JSON of `text` (a non-NULL value) as `kind` at `out`, which has room for what
    /// `PostgresRowJSON.bound` counts; returns the bytes written, or `nil` for a bad value.
    static func write(
        _ kind: PostgresRowJSON.Column.Kind,
        _ text: UnsafeBufferPointer<UInt8>,
        to out: UnsafeMutableRawPointer
    ) -> Int? {
        switch kind {
        case .text: return JSONWriter.writeQuoted(text, to: out)
        case .json:
            // PostgreSQL's own output of a `json`/`jsonb` value: `RawJSON(trusted:)` as is.
            if let base = text.baseAddress { out.copyMemory(from: base, byteCount: text.count) }
            return text.count
        case .uuid: return self.writeUUID(text, to: out)
        case .timestamp: return self.writeTimestamp(text, to: out)
        case .boolean:
            guard let flag = Bool(postgresBytes: text) else { return nil }
            return self.copy(flag ? "true" : "false", to: out)
        case .integer: return self.writeInteger(text, to: out)
        }
    }

    /// `null`.
    static func writeNull(to out: UnsafeMutableRawPointer) -> Int { self.copy("null", to: out) }

    /// `uuid` prints the canonical lowercase form, which is the JSON's between quotes: checked
    /// (lowercase hex digits, hyphens where `UUID` wants them) and copied; any other text is
    /// parsed and printed.
    private static func writeUUID(_ text: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableRawPointer) -> Int? {
        guard text.count == 36 else { return nil }
        // Lowercase hex digits and exactly four hyphens, at 8, 13, 18 and 23. No early exit: the
        // compiler turns the loop into sixteen bytes per step.
        var invalid: UInt8 = 0
        var hyphens: UInt8 = 0
        for byte in text {
            let hyphen: UInt8 = byte == UInt8(ascii: "-") ? 1 : 0
            let hex: UInt8 = (byte &- UInt8(ascii: "0") < 10 ? 1 : 0) | (byte &- UInt8(ascii: "a") < 6 ? 1 : 0)
            hyphens &+= hyphen
            invalid |= (hex | hyphen) ^ 1
        }
        let canonical =
            invalid == 0 && hyphens == 4 && text[8] == UInt8(ascii: "-") && text[13] == UInt8(ascii: "-")
            && text[18] == UInt8(ascii: "-") && text[23] == UInt8(ascii: "-")
        out.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        if canonical {
            (out + 1).copyMemory(from: text.baseAddress!, byteCount: 36)
        } else {
            guard let id = UUID(utf8: text) else { return nil }
            var printed = id.description
            printed.withUTF8 { (out + 1).copyMemory(from: $0.baseAddress!, byteCount: 36) }
        }
        out.storeBytes(of: UInt8(ascii: "\""), toByteOffset: 37, as: UInt8.self)
        return 38
    }

    /// A `timestamptz` quoted in RFC 3339 UTC. In a UTC session PostgreSQL prints
    /// `2026-11-30 10:00:00.12+00`, which is rewritten in place (`2026-11-30T10:00:00.120Z`:
    /// the fraction padded to milliseconds, or microseconds when it has them, as `DateTime`
    /// prints); any other shape (another session time zone) is parsed and printed.
    private static func writeTimestamp(_ text: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableRawPointer) -> Int? {
        out.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
        var count: Int
        if let written = self.rewriteUTC(text, to: out + 1) {
            count = written
        } else {
            guard let instant = DateTime(utf8: text) else { return nil }
            count = instant.writeRFC3339(to: out + 1)
        }
        count += 1
        out.storeBytes(of: UInt8(ascii: "\""), toByteOffset: count, as: UInt8.self)
        return count + 1
    }

    /// `YYYY-MM-DD HH:MM:SS[.f{1,6}]+00` as `YYYY-MM-DDTHH:MM:SS.fff[fff]Z`, or `nil` for any
    /// other shape or an instant `DateTime` refuses (a day that does not exist, hour 24).
    static func rewriteUTC(_ text: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableRawPointer) -> Int? {
        let length = text.count
        guard length >= 22, length <= 29, length != 23 else { return nil }
        func digit(_ index: Int) -> Bool { text[index] &- UInt8(ascii: "0") < 10 }
        func byte(_ index: Int, _ expected: Unicode.Scalar) -> Bool { text[index] == UInt8(ascii: expected) }
        // `YYYY-MM-`, `DD HH:MM` and `HH:MM:SS` as three words (little-endian: the first byte is
        // the lowest), each with its digit places and its separators.
        let base = UnsafeRawPointer(text.baseAddress!)
        let shaped =
            self.matches(
                base.loadUnaligned(as: UInt64.self),
                digits: 0x00FF_FF00_FFFF_FFFF,
                separators: 0x2D00_002D_0000_0000
            )
            && self.matches(
                base.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
                digits: 0xFFFF_00FF_FF00_FFFF,
                separators: 0x0000_3A00_0020_0000
            )
            && self.matches(
                base.loadUnaligned(fromByteOffset: 11, as: UInt64.self),
                digits: 0xFFFF_00FF_FF00_FFFF,
                separators: 0x0000_3A00_003A_0000
            )
            && byte(length - 3, "+") && byte(length - 2, "0") && byte(length - 1, "0")
        guard shaped else { return nil }
        // A day that exists and a time of day, as `DateTime` insists (years 1-9999).
        func two(_ index: Int) -> Int { Int(text[index] &- 48) * 10 + Int(text[index + 1] &- 48) }
        let (year, month, day) = (two(0) * 100 + two(2), two(5), two(8))
        guard year >= 1, (1...12).contains(month), day >= 1, two(11) < 24, text[14] < UInt8(ascii: "6"),
            text[17] < UInt8(ascii: "6")
        else { return nil }
        if day > 28 {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let days = month == 2 ? (leap ? 29 : 28) : month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31
            guard day <= days else { return nil }
        }
        // The fraction's significant digits (PostgreSQL drops trailing zeros; so does this).
        var digits = 0
        if length > 22 {
            guard byte(19, ".") else { return nil }
            digits = length - 23
            for index in 20..<(20 + digits) where !digit(index) { return nil }
            while digits > 0 && byte(19 + digits, "0") { digits -= 1 }
        }
        let width = digits <= 3 ? 3 : 6
        // The date and time, then the fraction's digits padded with zeros, in place.
        out.copyMemory(from: text.baseAddress!, byteCount: 20 + digits)
        out.storeBytes(of: UInt8(ascii: "T"), toByteOffset: 10, as: UInt8.self)
        out.storeBytes(of: UInt8(ascii: "."), toByteOffset: 19, as: UInt8.self)
        for index in (20 + digits)..<(20 + width) {
            out.storeBytes(of: UInt8(ascii: "0"), toByteOffset: index, as: UInt8.self)
        }
        out.storeBytes(of: UInt8(ascii: "Z"), toByteOffset: 20 + width, as: UInt8.self)
        return 21 + width
    }

    /// Whether `word`'s bytes are ASCII digits where `digits` has 0xFF and `separators`' bytes
    /// elsewhere.
    @inline(__always)
    private static func matches(_ word: UInt64, digits: UInt64, separators: UInt64) -> Bool {
        // A digit's byte minus 0x30 (here: xor, the same for 0x30...0x3F) is at most 9: no high
        // nibble, and adding 6 does not carry into it.
        let values = (word ^ 0x3030_3030_3030_3030) & digits
        let inRange =
            values & 0xF0F0_F0F0_F0F0_F0F0 == 0 && (values &+ 0x0606_0606_0606_0606) & 0x1010_1010_1010_1010 == 0
        return inRange && word & ~digits == separators
    }

    /// An integer's digits. PostgreSQL prints `Int`'s own form (an optional `-`, no leading
    /// zero), copied once checked; any other text is parsed and printed.
    private static func writeInteger(_ text: UnsafeBufferPointer<UInt8>, to out: UnsafeMutableRawPointer) -> Int? {
        guard let base = text.baseAddress else { return nil }
        let digits = text.first == UInt8(ascii: "-") ? text.count - 1 : text.count
        let first = text.count - digits
        let canonical =
            digits >= 1 && digits < 19 && (text[first] != UInt8(ascii: "0") || (digits == 1 && first == 0))
            && text[first...].allSatisfy(self.isDigit)
        if canonical {
            out.copyMemory(from: base, byteCount: text.count)
            return text.count
        }
        guard let value = Int(postgresBytes: text) else { return nil }
        var printed = String(value)
        return printed.withUTF8 { utf8 in
            out.copyMemory(from: utf8.baseAddress!, byteCount: utf8.count)
            return utf8.count
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func copy(_ literal: StaticString, to out: UnsafeMutableRawPointer) -> Int {
        out.copyMemory(from: literal.utf8Start, byteCount: literal.utf8CodeUnitCount)
        return literal.utf8CodeUnitCount
    }
}
