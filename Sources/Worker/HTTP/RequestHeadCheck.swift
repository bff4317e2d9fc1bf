import NIOHTTP1
import Shared

/// The server's own rules for a parsed request head, checked before routing: limits, the
/// methods it implements, the request-target form, dot segments, `Expect`, a
/// `Content-Length` above `MAX_BODY_SIZE` (refused before the body is read), and `Host`.
///
/// The parser has already refused what is not HTTP/1.x and gathered the facts these rules
/// need in its one pass over the head.
struct RequestHeadCheck {
    let limits: HTTPLimits

    /// The error to answer `parsed` with (then close), or `nil` to route it.
    func check(_ parsed: ParsedHead) -> APIError? {
        let head = parsed.head
        if parsed.headerBytes > self.limits.maxHeaderBytes {
            return APIError(.headersTooLarge, "The request headers exceed \(self.limits.maxHeaderBytes) bytes")
        }
        if head.uri.utf8.count > self.limits.maxURLLength {
            return APIError(.uriTooLong, "The request URL exceeds \(self.limits.maxURLLength) bytes")
        }
        guard Self.isImplemented(head.method) else {
            return APIError(.notImplemented, "Method \(APIError.printable(head.method.rawValue)) is not supported")
        }
        guard parsed.isPlainOriginForm || RequestTarget.isAcceptable(head.uri) else {
            return APIError(.badRequest, "The request target is not valid")
        }
        if parsed.hasUnknownExpectation {
            return APIError(.expectationFailed)
        }
        if let length = parsed.contentLength, length > self.limits.maxBodySize {
            return APIError(.payloadTooLarge, "The request body exceeds \(self.limits.maxBodySize) bytes")
        }
        // RFC 9112 §3.2: one valid Host, required in HTTP/1.1.
        guard parsed.hostIsValid, parsed.hostCount == 1 || (parsed.hostCount == 0 && head.version.minor == 0) else {
            return APIError(.badRequest, "The request needs exactly one valid Host header")
        }
        return nil
    }

    /// The methods this server implements; others are 501 (RFC 9110 §9.1). An implemented
    /// method a route does not serve is 405 with `Allow`.
    static func isImplemented(_ method: HTTPMethod) -> Bool {
        switch method {
        case .GET, .HEAD, .POST, .PUT, .PATCH, .DELETE, .OPTIONS: true
        default: false
        }
    }
}
