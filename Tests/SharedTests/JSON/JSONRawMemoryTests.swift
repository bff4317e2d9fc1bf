import Testing

@testable import Shared

/// The writers into raw memory (`PostgresRowJSON`'s): the same bytes as the array writers, and
/// never past the room they ask for.
@Suite("JSON writers into raw memory")
struct JSONRawMemoryTests {
    /// `writeQuoted` over `utf8`, in room of exactly `quotedBound` bytes.
    private static func quoted(_ utf8: [UInt8]) -> [UInt8] {
        let bound = JSONWriter.quotedBound(utf8.count)
        return [UInt8](unsafeUninitializedCapacity: bound) { room, count in
            count = utf8.withUnsafeBufferPointer {
                JSONWriter.writeQuoted($0, to: UnsafeMutableRawPointer(room.baseAddress!))
            }
            #expect(count <= bound)
        }
    }

    private static func appended(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        JSONWriter.appendQuoted(text, to: &bytes)
        return bytes
    }

    @Test func quotedTextFromBytesIsWhatTheStringWriterWrites() {
        let texts = [
            "", "plain", "SELECT day, revenue FROM daily_revenue WHERE store_id = $1", "quote \" and \\ back",
            "line\nfeed\rtab\t", "\u{01}\u{1F}\u{7F}", "Umsätze 日本 😀", "ends with escape\"",
            String(repeating: "long text without specials ", count: 20) + "\u{08}",
        ]
        for text in texts {
            #expect(Self.quoted(Array(text.utf8)) == Self.appended(text), "\(text)")
        }
    }

    @Test func invalidUTF8IsRepairedAsStringRepairsIt() {
        let samples: [[UInt8]] = [
            [0xFF], [0x41, 0xC3], [0xE6, 0x97, 0x41, 0x22], Array(repeating: 0x80, count: 9),
            [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xF0, 0x80, 0x80, 0x80],
            [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x28, 0xA1], [0xF0, 0x9F, 0x98],
            [0x22, 0xC3, 0xA9, 0x0A, 0xE2, 0x82], [0xC3, 0xA9, 0xC3],
        ]
        for bytes in samples {
            #expect(Self.quoted(bytes) == Self.appended(String(decoding: bytes, as: UTF8.self)), "\(bytes)")
        }
    }

    @Test func utf8ValidityIsStringsOwn() {
        // Every one- and two-byte sequence, and three- and four-byte ones around each boundary.
        var samples: [[UInt8]] = (0...255).map { [UInt8($0)] }
        for first in 0x80...0xFF {
            for second in [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF] {
                samples.append([UInt8(first), UInt8(second)])
                samples.append([UInt8(first), UInt8(second), 0x80])
                samples.append([UInt8(first), UInt8(second), 0x80, 0x80])
                samples.append([UInt8(first), UInt8(second), 0x80, 0x41])
            }
        }
        for bytes in samples {
            let valid = bytes.withUnsafeBufferPointer(JSONWriter.isValidUTF8)
            #expect(valid == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
        }
    }

    @Test func everySpecialByteIsEscapedAtEveryPosition() {
        // Short text is scanned eight bytes at a time (the last eight overlapping), long text
        // (64 and more) sixteen.
        for special: UInt8 in [0x00, 0x0A, 0x1F, 0x22, 0x5C, 0x7F, 0xC3] {
            for length in [1, 7, 8, 9, 17, 64, 71] {
                for position in 0..<length {
                    var bytes = Array(repeating: UInt8(ascii: "a"), count: length)
                    bytes[position] = special
                    #expect(Self.quoted(bytes) == Self.appended(String(decoding: bytes, as: UTF8.self)))
                }
            }
        }
    }

    @Test func rfc3339IntoRawMemoryIsTheDescription() {
        let instants: [Int64] = [0, 1, 999, 1000, 123_456, 1_714_557_600_000_000, -1, -62_135_596_800_000_000]
        for micros in instants {
            let instant = DateTime(microsecondsSinceEpoch: micros)
            let bytes = [UInt8](unsafeUninitializedCapacity: DateTime.maxRFC3339Length) { room, count in
                count = instant.writeRFC3339(to: UnsafeMutableRawPointer(room.baseAddress!))
            }
            #expect(String(decoding: bytes, as: UTF8.self) == instant.description)
            var appended: [UInt8] = [UInt8(ascii: "x")]
            instant.appendRFC3339(to: &appended)
            #expect(appended == [UInt8(ascii: "x")] + bytes)
        }
        #expect(DateTime(microsecondsSinceEpoch: 123_456).description == "1970-01-01T00:00:00.123456Z")
        #expect(DateTime(microsecondsSinceEpoch: -1000).description == "1969-12-31T23:59:59.999Z")
    }
}
