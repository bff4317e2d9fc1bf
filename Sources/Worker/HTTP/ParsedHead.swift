import NIOHTTP1

/// How the body of a request is delimited (RFC 9112 §6.3).
enum BodyFraming: Equatable {
    /// No body.
    case none
    /// Exactly this many bytes (`Content-Length`).
    case length(Int)
    /// `Transfer-Encoding: chunked`.
    case chunked
}

/// A request head and what the server takes from its headers, gathered in the pass that
/// parsed them.
struct ParsedHead {
    /// The head handlers see.
    var head: HTTPRequestHead
    /// How the body is delimited.
    var framing: BodyFraming
    /// Whether the connection stays open after the response (HTTP/1.1 unless `close`,
    /// HTTP/1.0 only with `keep-alive`).
    var keepAlive: Bool
    /// Bytes of the target before its `?` (all of it without a query).
    var pathLength: Int
    /// The target is origin-form (`/…`) and its path has no `.` or `%`: it cannot hold a dot
    /// segment, so `RequestTarget` need not look at it.
    var isPlainOriginForm: Bool
    /// A client `X-Request-Id`, unvalidated.
    var requestID: String?
    /// `Expect: 100-continue` was sent.
    var expectsContinue = false
    /// An `Expect` other than `100-continue` was sent.
    var hasUnknownExpectation = false
    /// `Content-Length`, if sent.
    var contentLength: Int?
    /// Bytes of header names and values (`MAX_HEADER_BYTES` counts these).
    var headerBytes = 0
    /// `Host` fields sent (RFC 9112 §3.2: exactly one in HTTP/1.1, at most one in 1.0).
    var hostCount = 0
    /// Every `Host` value is a `uri-host [":" port]` in its characters.
    var hostIsValid = true
}
