import Testing

@testable import Shared

@Suite("JSON body encoder")
struct JSONBodyEncoderTests {
    struct Line: Codable, Equatable {
        var label: String
        var amount: DecimalString
        var tags: [String]
        var parent: Int?
    }

    struct Invoice: Codable, Equatable {
        var id: UUID
        var issuedAt: DateTime
        var paid: Bool
        var total: DecimalString
        var ratio: Double
        var lines: [Line]
        var notes: [String?]
        var meta: [String: Int]
        var empty: [Line]
    }

    func text(_ value: some Encodable) throws -> String {
        String(decoding: try JSONBodyEncoder.encode(value), as: UTF8.self)
    }

    static let invoice = Invoice(
        id: UUID("6F9619FF-8B86-4011-B42D-00C04FC964FF")!,
        issuedAt: DateTime("2026-01-31T12:00:00.5+01:00")!,
        paid: false,
        total: DecimalString("12345678901234567890.123456789")!,
        ratio: 0.1,
        lines: [Line(label: "a \"quoted\"\n\\ line\u{1}", amount: DecimalString("-0.10")!, tags: ["x"], parent: nil)],
        notes: ["n", nil],
        meta: ["k": 1],
        empty: []
    )

    @Test("writes nested objects, arrays, null, booleans, decimals as strings, UUIDs and dates")
    func encodesEverything() throws {
        #expect(
            try self.text(Self.invoice)
                == #"{"id":"6f9619ff-8b86-4011-b42d-00c04fc964ff","issuedAt":"2026-01-31T11:00:00.500Z","paid":false,"#
                + #""total":"12345678901234567890.123456789","ratio":0.1,"#
                + #""lines":[{"label":"a \"quoted\"\n\\ line\u0001","amount":"-0.10","tags":["x"]}],"#
                + #""notes":["n",null],"meta":{"k":1},"empty":[]}"#
        )
    }

    @Test("round-trips through the service's decoder unchanged")
    func roundTrip() throws {
        let bytes = try JSONBodyEncoder.encode(Self.invoice)
        let decoded = try bytes.withUnsafeBytes { raw in try JSONBodyDecoder.decode(Invoice.self, from: raw) }
        #expect(decoded == Self.invoice)
    }

    @Test("integers of every width and sign, top-level scalars and arrays")
    func scalars() throws {
        #expect(try self.text([Int.min, 0, Int.max]) == "[-9223372036854775808,0,9223372036854775807]")
        #expect(try self.text([UInt8.max]) == "[255]")
        #expect(try self.text(UInt64.max) == "18446744073709551615")
        #expect(try self.text("é\u{7F}") == #""é\u007f""#)
        #expect(try self.text(true) == "true")
        #expect(try self.text([[1], [], [2, 3]]) == "[[1],[],[2,3]]")
        #expect(try self.text(Optional<Int>.none) == "null")
    }

    @Test("a non-finite number is an error, not invalid JSON")
    func nonFinite() {
        #expect(throws: EncodingError.self) { try JSONBodyEncoder.encode([Double.nan]) }
        #expect(throws: EncodingError.self) { try JSONBodyEncoder.encode(Double.infinity) }
    }

    @Test("hand-written encode(to:) with nested containers closes them in order")
    func nestedContainers() throws {
        struct Custom: Encodable {
            enum Keys: String, CodingKey { case a, b, c }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Keys.self)
                var nested = container.nestedContainer(keyedBy: Keys.self, forKey: .a)
                try nested.encode(1, forKey: .b)
                var list = container.nestedUnkeyedContainer(forKey: .b)
                try list.encode("x")
                try list.encodeNil()
                try container.encode(true, forKey: .c)
            }
        }
        #expect(try self.text(Custom()) == #"{"a":{"b":1},"b":["x",null],"c":true}"#)
    }
}
