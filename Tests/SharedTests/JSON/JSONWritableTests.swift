import Testing

@testable import Shared

/// `JSONWritable` and the writers it uses: the same bytes as `JSONBodyEncoder`'s `Encodable`
/// path, and escaping that finds every special byte wherever it sits in a long string.
@Suite("JSON writable values and escaping")
struct JSONWritableTests {
    struct Item: JSONWritable {
        let id: UUID
        let name: String?
        let at: DateTime
        let rank: Int?

        func encode(to encoder: any Encoder) throws { try self.encodeWritten(to: encoder) }

        func writeJSON(to bytes: inout [UInt8]) {
            bytes.append(UInt8(ascii: "{"))
            JSONWriter.appendKey("id", first: true, to: &bytes)
            JSONWriter.appendQuoted(self.id, to: &bytes)
            JSONWriter.appendKey("name", to: &bytes)
            JSONWriter.appendQuotedOrNull(self.name, to: &bytes)
            JSONWriter.appendKey("at", to: &bytes)
            JSONWriter.appendQuoted(self.at, to: &bytes)
            JSONWriter.appendKey("rank", to: &bytes)
            JSONWriter.appendIntegerOrNull(self.rank, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }
    }

    struct Wrapper: Encodable {
        let items: [Item]
        let label: String
    }

    @Test func aWritableValueIsWrittenInPlaceInsideEncodableContainers() throws {
        let id = try #require(UUID("0F8FAD5B-D9CB-469F-A165-70867728950E"))
        let at = DateTime(microsecondsSinceEpoch: 1_714_557_600_123_456)
        let wrapper = Wrapper(
            items: [Item(id: id, name: "a \"b\"\n", at: at, rank: -42), Item(id: id, name: nil, at: at, rank: nil)],
            label: "x"
        )
        let text = String(decoding: try JSONBodyEncoder.encode(wrapper), as: UTF8.self)
        let item =
            #"{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","name":"a \"b\"\n","at":"2024-05-01T10:00:00.123456Z","rank":-42}"#
        let empty =
            #"{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","name":null,"at":"2024-05-01T10:00:00.123456Z","rank":null}"#
        #expect(text == #"{"items":["# + item + "," + empty + #"],"label":"x"}"#)
    }

    @Test func theDirectWritersMatchTheDescriptions() throws {
        let id = try #require(UUID("00000000-0000-4000-8000-00000000000a"))
        var bytes: [UInt8] = [UInt8(ascii: "x")]
        id.appendCanonical(to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "x" + id.description)
        for micros: Int64 in [0, 1_714_557_600_000_000, 1_714_557_600_123_000, -1, 253_402_300_799_999_999] {
            let time = DateTime(microsecondsSinceEpoch: micros)
            var written: [UInt8] = []
            time.appendRFC3339(to: &written)
            #expect(String(decoding: written, as: UTF8.self) == time.description)
        }
    }

    @Test func escapingFindsEverySpecialByteAtEveryPosition() {
        let specials: [UInt8] = [0x00, 0x09, 0x0A, 0x1F, 0x22, 0x5C, 0x7F]
        let plain: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7E, 0xC3, 0xA9]  // é as UTF-8 too
        for length in 1...24 {
            for position in 0..<length {
                for special in specials {
                    var input = (0..<length).map { plain[$0 % 6] }
                    input[position] = special
                    #expect(
                        !input.withUnsafeBufferPointer(JSONWriter.needsNoEscaping),
                        "\(special) at \(position)/\(length)"
                    )
                }
            }
            let clean = (0..<length).map { plain[$0 % plain.count] }
            #expect(clean.withUnsafeBufferPointer(JSONWriter.needsNoEscaping), "clean \(length)")
        }
        var bytes: [UInt8] = []
        JSONWriter.appendQuoted("select 'x' as \"a\\b\"\t\u{1}\u{7F} from t", to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #""select 'x' as \"a\\b\"\t\u0001\u007f from t""#)
    }
}
