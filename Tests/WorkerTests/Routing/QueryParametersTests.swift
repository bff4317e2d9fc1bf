import Shared
import Testing

@testable import Worker

@Suite("Query parameters and media types")
struct QueryParametersTests {
    @Test("splits, percent-decodes (+ is a space) and keeps repeated keys in order")
    func parsing() {
        let query = QueryParameters("tag=a&tag=b%2Bc&q=hello+world&flag&empty=&%C3%A9t%C3%A9=%E2%9C%93")
        #expect(query.all("tag") == ["a", "b+c"])
        #expect(query.get("q") == "hello world")
        #expect(query.get("flag") == "")
        #expect(query.get("empty") == "")
        #expect(query.get("été") == "✓")
        #expect(query.get("missing") == nil)
        #expect(QueryParameters(nil).items.isEmpty)
    }

    @Test("empty pairs are skipped; a pair splits at its first =; only & and = split")
    func splittingEdges() {
        let query = QueryParameters("&&a=1&&b==2&=v&&c&é=x=y&")
        #expect(query.items.map(\.name) == ["a", "b", "", "c", "é"])
        #expect(query.items.map(\.value) == ["1", "=2", "v", "", "x=y"])
        #expect(QueryParameters("&").items.isEmpty)
        #expect(QueryParameters("limit=20"[...]).items.map(\.value) == ["20"])
    }

    @Test("typed access: default when absent, 400 when it does not parse, 422 out of range")
    func typedAccess() throws {
        let query = QueryParameters("limit=500&page=x&size=5")
        #expect(try query.get("size", as: Int.self, default: 20, in: 1...100) == 5)
        #expect(try query.get("absent", as: Int.self, default: 20, in: 1...100) == 20)
        #expect {
            try query.get("page", as: Int.self)
        } throws: { error in
            (error as? APIError)
                == APIError(
                    .badRequest,
                    "Query parameter 'page' must be an integer",
                    details: [FieldError(field: "page", message: "must be an integer")]
                )
        }
        #expect {
            try query.get("limit", as: Int.self, default: 20, in: 1...100)
        } throws: { error in
            (error as? APIError)
                == APIError(
                    .validationError,
                    "Query parameter 'limit' must be between 1 and 100",
                    details: [FieldError(field: "limit", message: "must be between 1 and 100")]
                )
        }
        #expect(throws: APIError.self) { try query.require("absent") }
    }

    @Test("percent-decoding is lenient: a stray % stays, bad UTF-8 becomes U+FFFD")
    func lenientDecoding() {
        #expect(PercentDecoding.decode("100%", plusIsSpace: false) == "100%")
        #expect(PercentDecoding.decode("%zz%4", plusIsSpace: false) == "%zz%4")
        #expect(PercentDecoding.decode("a+b%20c", plusIsSpace: false) == "a+b c")
        #expect(PercentDecoding.decode("%FF", plusIsSpace: false) == "\u{FFFD}")
    }

    @Test(
        "application/json in any case, with parameters, is JSON; nothing else is",
        arguments: [
            ("application/json", true), ("Application/JSON; charset=utf-8", true), (" application/json ;x=y", true),
            ("application/jsonx", false), ("text/json", false), ("application/problem+json", false), ("", false),
        ]
    )
    func mediaType(contentType: String, isJSON: Bool) {
        #expect(Request.isJSON(contentType) == isJSON)
    }
}
