import Testing

@testable import Shared

@Suite("UUID, DecimalString and DateTime without Foundation")
struct ValueTypesTests {
    @Test("a UUID round-trips through its canonical text, printed lowercase")
    func uuidRoundTrip() throws {
        let text = "8F14E45F-CEEA-467F-A8F8-8E2B1C4D5E6F"
        let uuid = try #require(UUID(text))
        #expect(uuid.description == text.lowercased())
        #expect(UUID(uuid.description) == uuid)
        #expect(uuid.high == 0x8F14_E45F_CEEA_467F)
        #expect(uuid.low == 0xA8F8_8E2B_1C4D_5E6F)
    }

    @Test(
        "anything but the canonical UUID form is refused",
        arguments: [
            "", "8f14e45fceea467fa8f88e2b1c4d5e6f", "{8f14e45f-ceea-467f-a8f8-8e2b1c4d5e6f}",
            " 8f14e45f-ceea-467f-a8f8-8e2b1c4d5e6f", "8f14e45f-ceea-467f-a8f8-8e2b1c4d5e6",
            "8f14e45f-ceea-467f-a8f8-8e2b1c4d5e6f0",
            "8f14e45g-ceea-467f-a8f8-8e2b1c4d5e6f", "8f14e45f_ceea-467f-a8f8-8e2b1c4d5e6f", "../../etc/passwd",
        ]
    )
    func uuidRejects(text: String) {
        #expect(UUID(text) == nil)
    }

    @Test("every digit value at every place parses and prints back; every other byte is refused")
    func uuidEveryDigit() throws {
        let canonical = Array("00000000-0000-0000-0000-000000000000".utf8)
        let places = (0..<36).filter { ![8, 13, 18, 23].contains($0) }
        for (rank, place) in places.enumerated() {
            for value in 0..<16 {
                var text = canonical
                text[place] = Array("0123456789abcdef".utf8)[value]
                let uuid = try #require(UUID(String(decoding: text, as: UTF8.self)))
                let shift = UInt64(4 * (15 - rank % 16))
                #expect((rank < 16 ? uuid.high : uuid.low) == UInt64(value) << shift)
                #expect(uuid.description == String(decoding: text, as: UTF8.self))
                text[place] = Array("0123456789ABCDEF".utf8)[value]
                #expect(UUID(String(decoding: text, as: UTF8.self)) == uuid)
            }
            for byte in UInt8(0)...255 where !"0123456789abcdefABCDEF".utf8.contains(byte) {
                var text = canonical
                text[place] = byte
                #expect(text.withUnsafeBufferPointer { UUID(utf8: $0) } == nil, "\(byte) at \(place)")
            }
        }
    }

    @Test("random UUIDs are version 4, RFC variant, and differ")
    func uuidRandom() {
        let a = UUID()
        let b = UUID()
        #expect(a != b)
        #expect(a.version == 4)
        #expect(a.low >> 62 == 0b10)
    }

    @Test(
        "decimal strings keep their exact text",
        arguments: ["0", "-0.25", "1234.500000", "99999999999999.999999", "00012.10"]
    )
    func decimalAccepts(text: String) throws {
        let value = try #require(DecimalString(text))
        #expect(value.text == text)
    }

    @Test(
        "decimal strings refuse every other number form",
        arguments: [
            "", "-", ".5", "5.", "1e3", "+1", " 1", "1 ", "1,5", "NaN", "1.2.3", "--1",
            String(repeating: "9", count: 39),
        ]
    )
    func decimalRejects(text: String) {
        #expect(DecimalString(text) == nil)
    }

    @Test("decimal sign and scale")
    func decimalSignAndScale() throws {
        #expect(try #require(DecimalString("-0.00")).isNegative == false)
        #expect(try #require(DecimalString("-0.01")).isNegative)
        #expect(try #require(DecimalString("12.340")).scale == 3)
        #expect(DecimalString(42).scale == 0)
    }

    @Test(
        "date-times parse RFC 3339 and PostgreSQL text to the same instant",
        arguments: [
            "2026-11-27T08:07:49.123Z", "2026-11-27 08:07:49.123+00", "2026-11-27T09:07:49.123+01:00",
            "2026-11-27T03:07:49.123-05", "2026-11-27 09:37:49.123+0130", "2026-11-27t08:07:49.123z",
            "2026-11-27T08:07:49.123000999Z",
        ]
    )
    func dateTimeForms(text: String) throws {
        let value = try #require(DateTime(text))
        #expect(value.description == "2026-11-27T08:07:49.123Z")
    }

    @Test("date-times print microseconds only when present, and round-trip")
    func dateTimePrinting() throws {
        #expect(try #require(DateTime("2026-01-31 23:59:59+00")).description == "2026-01-31T23:59:59.000Z")
        let micro = try #require(DateTime("2024-02-29T12:00:00.000001Z"))
        #expect(micro.description == "2024-02-29T12:00:00.000001Z")
        #expect(DateTime(micro.description) == micro)
        #expect(try #require(DateTime("1969-12-31T23:59:59.5Z")).microsecondsSinceEpoch == -500_000)
        #expect(try #require(DateTime("1970-01-01T00:00:00Z")).microsecondsSinceEpoch == 0)
        let early = try #require(DateTime("0001-01-01T00:00:00Z"))
        #expect(early.description == "0001-01-01T00:00:00.000Z")
    }

    @Test(
        "impossible or malformed date-times are refused",
        arguments: [
            "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-01T24:00:00Z",
            "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z", "2026-01-01T00:00:00", "2026-01-01", "2026-1-01T00:00:00Z",
            "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+25:00", "2026-01-01T00:00:00Z ", "0000-01-01T00:00:00Z",
        ]
    )
    func dateTimeRejects(text: String) {
        #expect(DateTime(text) == nil)
    }

    @Test("calendar days round-trip across four centuries")
    func civilDays() {
        var day = DateTime.daysFromCivil(1900, 1, 1)
        let end = DateTime.daysFromCivil(2300, 1, 1)
        var mismatches = 0
        while day < end {
            let (y, m, d) = DateTime.civilFromDays(day)
            if DateTime.daysFromCivil(y, m, d) != day || d > DateTime.daysIn(month: m, year: y) { mismatches += 1 }
            day += 1
        }
        #expect(mismatches == 0)
        #expect(DateTime.daysFromCivil(1970, 1, 1) == 0)
        #expect(DateTime.daysIn(month: 2, year: 2000) == 29)
        #expect(DateTime.daysIn(month: 2, year: 1900) == 28)
    }
}
