import NIOCore
import NIOHTTP1
import Testing

@testable import Worker

/// Header fields read from a head's bytes: the lines as the parser passed them, looked up by
/// name without building strings for the others.
@Suite("Header fields")
struct HeaderFieldsTests {
    static func fields(_ lines: String) -> HeaderFields {
        HeaderFields(lines: ByteBuffer(string: lines))
    }

    @Test func looksUpNamesCaseInsensitivelyAndTrimsValues() {
        let fields = Self.fields(
            "Host: h\r\nX-Dup:1\r\nx-dup: \t2 \t\r\nContent-Type: application/json; charset=utf-8\r\n"
        )
        #expect(fields.first(name: "host") == "h")
        #expect(fields.first(name: "HOST") == "h")
        #expect(fields.first(name: "X-DUP") == "1")
        #expect(fields["x-dup"] == ["1", "2"])
        #expect(fields.first(name: "content-type") == "application/json; charset=utf-8")
        #expect(fields.first(name: "missing") == nil)
        #expect(fields["missing"].isEmpty)
        #expect(fields.contains(name: "Host"))
        #expect(!fields.contains(name: "Hos"))
        #expect(fields.count == 4)
        #expect(fields.map(\.name) == ["Host", "X-Dup", "x-dup", "Content-Type"])
        #expect(fields.map(\.value) == ["h", "1", "2", "application/json; charset=utf-8"])
        let headers = fields.httpHeaders
        #expect(headers[canonicalForm: "x-dup"] == ["1", "2"])
        #expect(headers.first(name: "Host") == "h")
    }

    @Test func emptyValuesAndNoFields() {
        let fields = Self.fields("X-Empty:\r\nX-Blank:   \r\n")
        #expect(fields.first(name: "x-empty") == "")
        #expect(fields.first(name: "x-blank") == "")
        #expect(fields.count == 2)
        #expect(HeaderFields().count == 0)
        #expect(HeaderFields().first(name: "host") == nil)
        #expect(Array(HeaderFields()).isEmpty)
    }

    @Test func fieldsBuiltInProcessRoundTripAndDropLineBreaks() {
        let fields = HeaderFields(
            HTTPHeaders([("X-A", "1"), ("X-Split", "a\r\nX-Injected: b"), ("Bad\nName", "v"), ("X-B", " 2 ")])
        )
        #expect(fields.map(\.name) == ["X-A", "X-B"])
        #expect(fields.first(name: "x-b") == "2")
        #expect(fields.first(name: "x-injected") == nil)
    }

    /// The fields a route sees are the ones sent, parsed from the wire and from a slice of the
    /// read buffer (several requests pipelined in one read).
    @Test func aParsedRequestsFieldsAreItsOwn() throws {
        let seen = SeenFields()
        let route = Router.Handler.sync { request, _ in
            seen.append(request.headers.first(name: "x-n") ?? "-", request.headers.count)
            return Response(status: .noContent, body: ByteBuffer())
        }
        let harness = try HTTPHarness(routes: { $0.on(.GET, "/fields", route) })
        try harness.send(
            "GET /fields HTTP/1.1\r\nHost: h\r\nX-N: 1\r\n\r\n"
                + "GET /fields HTTP/1.1\r\nHost: h\r\nX-Other: y\r\nX-N: 2\r\n\r\n"
                + "GET /fields HTTP/1.1\r\nHost: h\r\n\r\n"
        )
        let responses = try harness.responses()
        #expect(responses.map(\.status) == [204, 204, 204])
        #expect(seen.values == [("1", 2), ("2", 3), ("-", 1)].map { "\($0.0)/\($0.1)" })
    }
}

private final class SeenFields: @unchecked Sendable {
    private(set) var values: [String] = []
    func append(_ value: String, _ count: Int) { self.values.append("\(value)/\(count)") }
}
