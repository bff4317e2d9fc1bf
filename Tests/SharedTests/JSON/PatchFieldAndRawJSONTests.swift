import Testing

@testable import Shared

/// The JSON kit's field kinds for partial updates and free-form JSON.
@Suite("JSON kit: PatchField and RawJSON")
struct PatchFieldAndRawJSONTests {
    struct Patch: Decodable, Validatable {
        var title: PatchField<String>
        var note: PatchField<String>
        var count: PatchField<Int>
        var extra: PatchField<RawJSON>

        func validate(_ check: inout Validation) {
            check.field("title", self.title, nullable: false, .length(1...5))
            check.field("note", self.note, nullable: true, .codePoints(0...3))
            check.field("count", self.count, nullable: true, .min(0))
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws(JSONBodyError) -> T {
        try JSONBodyDecoder.decode(type, from: try! JSONParser.parse(Array(text.utf8)))
    }

    @Test("tells a missing key, null and a value apart")
    func decodesThreeStates() throws {
        let patch = try Self.decode(Patch.self, #"{"note":null,"count":3,"extra":{"b":[1,"x\n"],"a":null}}"#)
        #expect(patch.title == .absent && !patch.title.isPresent)
        #expect(patch.note == .null && patch.note.isPresent)
        #expect(patch.count == .value(3))
        #expect(patch.extra == .value(RawJSON(trusted: #"{"b":[1,"x\n"],"a":null}"#)))
    }

    @Test("checks present values, refuses null where not nullable, reports wrong types and unknown keys")
    func reportsEveryField() {
        #expect(
            throws: JSONBodyError.invalid([
                FieldError(field: "count", message: "must be an integer"),
                FieldError(field: "title", message: "must not be null"),
                FieldError(field: "note", message: "must be at most 3 characters"),
                FieldError(field: "other", message: "is not an allowed field"),
            ])
        ) {
            try Self.decode(Patch.self, #"{"title":null,"note":"abcd","count":"x","other":1}"#)
        }
        #expect(throws: JSONBodyError.invalid([FieldError(field: "count", message: "must be at least 0")])) {
            try Self.decode(Patch.self, #"{"count":-1}"#)
        }
    }

    struct Document: Codable, Validatable {
        var spec: RawJSON
        var name: String

        func validate(_ check: inout Validation) {
            check.field("spec", self.spec, .object, .noNullCharacter)
            check.field("name", self.name, .noNullCharacter)
        }
    }

    @Test("RawJSON keeps any value compactly and is written into a body as is")
    func rawJSONRoundTrips() throws {
        let document = try Self.decode(
            Document.self,
            #"{ "spec" : { "k" : [ 1.50 , true , "\u00e9\"" ] } , "name":"n"}"#
        )
        #expect(document.spec.text == #"{"k":[1.50,true,"é\""]}"#)
        #expect(document.spec.isObject)
        let out = String(decoding: try JSONBodyEncoder.encode(document), as: UTF8.self)
        #expect(out == #"{"spec":{"k":[1.50,true,"é\""]},"name":"n"}"#)
        let trusted = String(decoding: try JSONBodyEncoder.encode([RawJSON(trusted: #"{"a": 1}"#)]), as: UTF8.self)
        #expect(trusted == #"[{"a": 1}]"#)
    }

    @Test("RawJSON rules: an object, no U+0000 (escaped or in a key); a missing one is required")
    func rawJSONRules() {
        #expect(throws: JSONBodyError.invalid([FieldError(field: "spec", message: "must be an object")])) {
            try Self.decode(Document.self, #"{"spec":[],"name":"n"}"#)
        }
        #expect(throws: JSONBodyError.invalid([FieldError(field: "spec", message: "is required")])) {
            try Self.decode(Document.self, #"{"name":"n"}"#)
        }
        for spec in [#"{"a":"x\u0000"}"#, #"{"\u0000":1}"#] {
            #expect(
                throws: JSONBodyError.invalid([
                    FieldError(field: "spec", message: "must not contain the character U+0000")
                ])
            ) {
                try Self.decode(Document.self, #"{"spec":\#(spec),"name":"n"}"#)
            }
        }
        // An escaped backslash followed by "u0000" is text, not the null character.
        #expect(!RawJSON(trusted: #"{"a":"\\u0000"}"#).containsNullCharacter)
        #expect(RawJSON(trusted: #"{"a":"\\\u0000"}"#).containsNullCharacter)
        #expect(
            throws: JSONBodyError.invalid([FieldError(field: "name", message: "must not contain the character U+0000")])
        ) {
            try Self.decode(Document.self, #"{"spec":{},"name":"a\u0000"}"#)
        }
    }

    @Test("codePoints counts Unicode scalars, as JSON Schema and PostgreSQL do")
    func codePointsCountsScalars() {
        let rule = Rule<String>.codePoints(1...2)
        #expect(rule.check("e\u{301}") == nil)
        #expect(rule.check("e\u{301}e") == "must be at most 2 characters")
        #expect(Rule<String>.length(1...2).check("e\u{301}e") == nil)
        #expect(rule.check("") == "must not be empty")
    }
}
