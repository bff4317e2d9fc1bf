import Testing

@testable import Shared

@Suite("JSON parser")
struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    func failure(_ text: String) -> JSONSyntaxError? {
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test("parses every kind of value, keeping numbers as their text")
    func values() throws {
        let value = try self.parse(#" {"a":[1,-2.50,3e-2,true,false,null],"b":{"c":"d"},"e":""} "#)
        #expect(
            value
                == .object([
                    JSONMember(
                        key: "a",
                        value: .array([
                            .number("1"), .number("-2.50"), .number("3e-2"), .bool(true), .bool(false), .null,
                        ])
                    ),
                    JSONMember(key: "b", value: .object([JSONMember(key: "c", value: .string("d"))])),
                    JSONMember(key: "e", value: .string("")),
                ])
        )
    }

    @Test("unescapes strings, including surrogate pairs; passes UTF-8 through")
    func escapes() throws {
        #expect(try self.parse(#""q\"b\\s\/n\nt\tu\u00e9\ud83d\ude00 é""#) == .string("q\"b\\s/n\nt\tué😀 é"))
    }

    @Test("reports where malformed JSON breaks: line, column and offset")
    func positions() throws {
        let error = try #require(self.failure("{\n  \"a\": 1\n  \"b\": 2\n}"))
        #expect(error.line == 3)
        #expect(error.column == 3)
        #expect(error.offset == 13)
        #expect(error.reason == "expected ',' or '}'")
        #expect(error.description == "line 3, column 3: expected ',' or '}'")
    }

    @Test(
        "refuses what RFC 8259 does not allow",
        arguments: [
            ("", "unexpected end of input, expected a value"),
            ("{\"a\":1,}", "expected a string key"),
            ("[1,]", "unexpected character, expected a value"),
            ("01", "unexpected data after the JSON value"),
            ("1.", "invalid number: digits expected after '.'"),
            ("-", "invalid number"),
            ("1e", "invalid number: digits expected in the exponent"),
            ("tru", "invalid literal"),
            ("\"a", "unterminated string"),
            ("\"\u{1}\"", "control character in a string (escape it)"),
            ("\"\\x\"", "invalid escape"),
            ("\"\\ud800\"", "unpaired surrogate in a \\u escape"),
            ("\"\\udc00\"", "unpaired surrogate in a \\u escape"),
            ("{1:2}", "expected a string key"),
            ("{\"a\" 1}", "expected ':'"),
            ("[1 2]", "expected ',' or ']'"),
            ("{} {}", "unexpected data after the JSON value"),
        ]
    )
    func refuses(text: String, reason: String) {
        #expect(self.failure(text)?.reason == reason, "\(text)")
    }

    @Test("refuses invalid UTF-8 and nesting deeper than the limit")
    func limits() throws {
        let invalid: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(invalid) }
        let deep =
            String(repeating: "[", count: JSONParser.maxDepth + 1)
            + String(repeating: "]", count: JSONParser.maxDepth + 1)
        #expect(self.failure(deep)?.reason == "nested deeper than \(JSONParser.maxDepth) levels")
        let ok = String(repeating: "[", count: JSONParser.maxDepth) + String(repeating: "]", count: JSONParser.maxDepth)
        #expect(self.failure(ok) == nil)
    }
}
