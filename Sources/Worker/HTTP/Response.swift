import NIOCore
import NIOHTTP1
import Shared

/// An HTTP response: status, extra headers and a body. `Content-Length`, `X-Request-Id` and
/// the connection headers are added by the server.
public struct Response: Sendable {
    /// The status.
    public var status: HTTPResponseStatus
    /// Headers beyond the ones the server adds.
    public var headers: HTTPHeaders
    /// The body.
    public var body: ByteBuffer

    /// Creates a response.
    public init(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response with `bytes` as the body.
    public static func json(_ status: HTTPResponseStatus, _ bytes: some Collection<UInt8>) -> Response {
        Response(status: status, headers: Self.jsonHeaders, body: ByteBuffer(bytes: bytes))
    }

    /// A JSON response with a pre-encoded body (no copy per request).
    public static func json(_ status: HTTPResponseStatus, buffer: ByteBuffer) -> Response {
        Response(status: status, headers: Self.jsonHeaders, body: buffer)
    }

    /// `Content-Type: application/json`, built once and shared (copy on write).
    private static let jsonHeaders = HTTPHeaders([("Content-Type", "application/json")])

    /// The error envelope for `error`, with the headers its status needs.
    public static func error(_ error: APIError) -> Response {
        var response = Response.json(HTTPResponseStatus(statusCode: error.status), error.envelope)
        for (name, value) in error.headers { response.headers.add(name: name, value: value) }
        return response
    }
}
