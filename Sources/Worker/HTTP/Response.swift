import NIOCore
import NIOHTTP1
import Shared

/// An HTTP response: status, extra headers and a body. `Content-Length`, `X-Request-Id` and
/// the connection headers are added by the server.
struct Response: Sendable {
    /// The status.
    var status: HTTPResponseStatus
    /// Headers beyond the ones the server adds.
    var headers: HTTPHeaders {
        didSet { self.encodedHeaders = nil }
    }
    /// The body.
    var body: ByteBuffer
    /// `headers` exactly as the server writes them, when they are a set the server built
    /// itself (a JSON response's `Content-Type`): written with one copy, not checked and
    /// written field by field (~450 instructions a response). Any change to `headers`
    /// clears it.
    private(set) var encodedHeaders: StaticString?

    /// Creates a response.
    init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response with `bytes` as the body.
    static func json(_ status: HTTPResponseStatus, _ bytes: some Collection<UInt8>) -> Response {
        Response(json: status, body: ByteBuffer(bytes: bytes))
    }

    /// A JSON response with a pre-encoded body (no copy per request).
    static func json(_ status: HTTPResponseStatus, buffer: ByteBuffer) -> Response {
        Response(json: status, body: buffer)
    }

    /// `value` encoded as JSON (see `JSONBodyEncoder` for the formats), `200` unless told.
    static func json(_ value: some Encodable, status: HTTPResponseStatus = .ok) throws -> Response {
        let bytes = try JSONBodyEncoder.encode(value)
        return Response(json: status, body: ByteBuffer(bytes: bytes))
    }

    private init(json status: HTTPResponseStatus, body: ByteBuffer) {
        self.init(status: status, headers: Self.jsonHeaders, body: body)
        self.encodedHeaders = "Content-Type: application/json\r\n"
    }

    /// `Content-Type: application/json`, built once and shared (copy on write).
    private static let jsonHeaders = HTTPHeaders([("Content-Type", "application/json")])

    /// The error envelope for `error`, with the headers its status needs.
    static func error(_ error: APIError) -> Response {
        var response = Response.json(HTTPResponseStatus(statusCode: error.status), error.envelope)
        for (name, value) in error.headers { response.headers.add(name: name, value: value) }
        return response
    }
}
