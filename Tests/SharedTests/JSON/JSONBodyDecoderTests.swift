import Testing

@testable import Shared

@Suite("JSON body decoder: every failing field in one pass")
struct JSONBodyDecoderTests {
    enum Kind: String, JSONEnum {
        case line, bar
    }

    struct Point: Codable, Equatable, Validatable {
        var x: Int
        var y: Int

        func validate(_ check: inout Validation) {
            check.field("x", self.x, .min(0))
        }
    }

    struct Chart: Codable, Equatable, Validatable {
        var id: UUID
        var title: String
        var kind: Kind
        var price: DecimalString
        var at: DateTime
        var small: UInt8
        var ratio: Double
        var visible: Bool
        var points: [Point]
        var note: String?
        var owner: Point?

        func validate(_ check: inout Validation) {
            check.field("title", self.title, .length(1...10))
            check.field("price", self.price, .nonNegative, .scale(atMost: 2))
            check.field("note", self.note, .notBlank)
        }
    }

    static let valid = #"""
        {"id":"6F9619FF-8B86-4011-B42D-00C04FC964FF","title":"Sales","kind":"bar","price":"12.50",
         "at":"2026-01-31T12:00:00+01:00","small":255,"ratio":0.25,"visible":true,
         "points":[{"x":1,"y":2}],"note":null}
        """#

    func decode<T: Decodable>(_ type: T.Type, _ text: String) -> Result<T, JSONBodyError> {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { raw in
            Result { () throws(JSONBodyError) -> T in try JSONBodyDecoder.decode(type, from: raw) }
        }
    }

    func errors<T: Decodable>(_ type: T.Type, _ text: String) -> [String] {
        switch self.decode(type, text) {
        case .failure(.invalid(let errors)): errors.map(\.description)
        case .failure(.malformed(let error)): ["malformed: \(error)"]
        case .success: []
        }
    }

    @Test("decodes every supported type")
    func decodesValid() throws {
        let chart = try self.decode(Chart.self, Self.valid).get()
        #expect(chart.id.description == "6f9619ff-8b86-4011-b42d-00c04fc964ff")
        #expect(chart.kind == .bar)
        #expect(chart.price.text == "12.50")
        #expect(chart.at.description == "2026-01-31T11:00:00.000Z")
        #expect(chart.small == 255 && chart.ratio == 0.25 && chart.visible)
        #expect(chart.points == [Point(x: 1, y: 2)])
        #expect(chart.note == nil && chart.owner == nil)
    }

    @Test("lists every missing, mistyped, unknown and rule-breaking field, with paths")
    func listsEveryField() {
        let body = #"""
            {"id":"nope","title":"","kind":"pie","price":"-1.234","at":"yesterday","small":256,"ratio":"x",
             "visible":null,"points":[{"x":-1,"y":2},{"x":"1","z":3},7],"note":"  ","owner":{"x":1},"extra":[1]}
            """#
        #expect(
            self.errors(Chart.self, body) == [
                "id: must be a UUID",
                "kind: must be one of: line, bar",
                "at: must be an RFC 3339 date-time, e.g. \"2026-01-31T12:00:00Z\"",
                "small: must be between 0 and 255",
                "ratio: must be a number",
                "visible: must not be null",
                "points[0].x: must be at least 0",
                "points[1].x: must be an integer",
                "points[1].y: is required",
                "points[2]: must be an object",
                "owner.y: is required",
                "title: must not be empty",
                "price: must not be negative",
                "note: must not be blank",
                "extra: is not an allowed field",
                "points[1].z: is not an allowed field",
            ]
        )
    }

    @Test("a key given twice is reported once, and its rules are not checked on either value")
    func duplicateKeys() {
        #expect(self.errors(Point.self, #"{"x":-5,"y":1,"x":2}"#) == ["x: is given more than once"])
    }

    @Test("a body of the wrong shape and an empty object: every required field named")
    func wrongShape() {
        #expect(self.errors(Point.self, "[1]") == [": must be an object"])
        #expect(self.errors(Point.self, "{}") == ["x: is required", "y: is required"])
        #expect(self.errors([Point].self, #"[{"x":1,"y":1},{"x":1}]"#) == ["[1].y: is required"])
    }

    @Test("integers must be integral and in range; floats are not integers")
    func integers() {
        struct Numbers: Decodable {
            var a: Int
            var b: Int8
            var c: Int
        }
        #expect(
            self.errors(Numbers.self, #"{"a":1.5,"b":-129,"c":1e3}"#) == [
                "a: must be an integer", "b: must be between -128 and 127", "c: must be an integer",
            ]
        )
    }

    @Test("malformed JSON is not a validation error")
    func malformed() {
        guard case .failure(.malformed(let error)) = self.decode(Point.self, #"{"x":1,"#) else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(error.line == 1 && error.column == 8)
    }

    @Test("a dictionary accepts any key; optionals accept null and absence")
    func dictionariesAndOptionals() throws {
        struct Tags: Decodable {
            var tags: [String: Int]
            var maybe: Int?
        }
        let tags = try self.decode(Tags.self, #"{"tags":{"a":1,"b":2},"maybe":null}"#).get()
        #expect(tags.tags == ["a": 1, "b": 2] && tags.maybe == nil)
        #expect(self.errors(Tags.self, #"{"tags":{"a":"1"}}"#) == ["tags.a: must be an integer"])
    }

    @Test("a custom type that throws with no placeholder still reports what was found before it")
    func customThrowingType() {
        struct Odd: Decodable {
            init(from decoder: any Decoder) throws {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "is odd"))
            }
        }
        struct Holder: Decodable {
            var a: Int
            var odd: Odd
            var b: Int
        }
        #expect(self.errors(Holder.self, #"{"a":"x","odd":1,"b":"y"}"#) == ["a: must be an integer", "odd: is odd"])
    }

    @Test("errors are capped so a hostile body cannot make a huge answer")
    func capped() {
        let members = (0..<500).map { "\"k\($0)\":1" }.joined(separator: ",")
        #expect(self.errors(Point.self, "{\(members)}").count == JSONBodyDecoder.maxErrors)
    }
}
