import NIOCore
import NIOHTTP1
import Shared

/// An HTTP response: status, extra headers and a body. `Content-Length`, `X-Request-Id` and
/// the connection headers are added by the server.
struct Response: Sendable {
    /// The status.
    var status: HTTPResponseStatus
    /// Headers beyond the ones the server adds.
    var headers: HTTPHeaders
    /// The body.
    var body: ByteBuffer

    /// Creates a response.
    init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response with `bytes` as the body.
    static func json(_ status: HTTPResponseStatus, _ bytes: some Collection<UInt8>) -> Response {
        Response(status: status, headers: Self.jsonHeaders, body: ByteBuffer(bytes: bytes))
    }

    /// A JSON response with a pre-encoded body (no copy per request).
    static func json(_ status: HTTPResponseStatus, buffer: ByteBuffer) -> Response {
        Response(status: status, headers: Self.jsonHeaders, body: buffer)
    }

    /// `value` encoded as JSON (see `JSONBodyEncoder` for the formats), `200` unless told.
    static func json(_ value: some Encodable, status: HTTPResponseStatus = .ok) throws -> Response {
        let bytes = try JSONBodyEncoder.encode(value)
        return Response(status: status, headers: Self.jsonHeaders, body: ByteBuffer(bytes: bytes))
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
