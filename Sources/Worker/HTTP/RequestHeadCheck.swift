import NIOHTTP1
import Shared

/// The checks a decoded request head must pass before routing, and the facts the server needs
/// from its headers, gathered in one pass (no allocation for a well-formed request).
///
/// The decoder has already rejected what is not HTTP/1.x; this adds the server's own rules:
/// limits, the methods it implements, the request-target form, dot segments, `Expect`, and a
/// `Content-Length` above `MAX_BODY_SIZE` (refused before the body is read).
struct RequestHeadCheck {
    /// What the server takes from the headers.
    struct Facts {
        /// `Content-Length`, if sent (`Int.max` when it does not fit an `Int`).
        var contentLength: Int?
        /// A client `X-Request-Id`, unvalidated.
        var requestID: String?
        /// Whether `Expect: 100-continue` was sent.
        var expectsContinue = false
        /// Whether `Transfer-Encoding` was sent (a chunked body follows).
        var isChunked = false
        /// An `Expect` other than `100-continue`.
        var hasUnknownExpectation = false
        /// Bytes of header names and values, as the decoder counts them.
        var headerBytes = 0
    }

    /// The check's outcome.
    enum Verdict {
        /// Route it.
        case accept(Facts)
        /// Answer with this error and close.
        case reject(APIError, Facts)
    }

    let limits: HTTPLimits

    /// Checks `head`.
    func check(_ head: HTTPRequestHead) -> Verdict {
        let facts = Self.facts(of: head.headers)
        if facts.headerBytes > self.limits.maxHeaderBytes {
            return .reject(
                APIError(.headersTooLarge, "The request headers exceed \(self.limits.maxHeaderBytes) bytes"),
                facts
            )
        }
        if head.uri.utf8.count > self.limits.maxURLLength {
            return .reject(APIError(.uriTooLong, "The request URL exceeds \(self.limits.maxURLLength) bytes"), facts)
        }
        guard Self.isImplemented(head.method) else {
            return .reject(
                APIError(.notImplemented, "Method \(APIError.printable(head.method.rawValue)) is not supported"),
                facts
            )
        }
        guard RequestTarget.isAcceptable(head.uri) else {
            return .reject(APIError(.badRequest, "The request target is not valid"), facts)
        }
        if facts.hasUnknownExpectation {
            return .reject(APIError(.expectationFailed), facts)
        }
        if let length = facts.contentLength, length > self.limits.maxBodySize {
            return .reject(
                APIError(.payloadTooLarge, "The request body exceeds \(self.limits.maxBodySize) bytes"),
                facts
            )
        }
        return .accept(facts)
    }

    /// The methods this server implements; others are 501 (RFC 9110 §9.1). An implemented
    /// method a route does not serve is 405 with `Allow`.
    static func isImplemented(_ method: HTTPMethod) -> Bool {
        switch method {
        case .GET, .HEAD, .POST, .PUT, .PATCH, .DELETE, .OPTIONS: true
        default: false
        }
    }

    /// One pass over the headers; names are compared only when their length matches.
    static func facts(of headers: HTTPHeaders) -> Facts {
        var facts = Facts()
        for (name, value) in headers {
            facts.headerBytes &+= name.utf8.count &+ value.utf8.count
            switch name.utf8.count {
            case 6 where name.isEqualCaseInsensitiveASCII("expect"):
                if value.isEqualCaseInsensitiveASCII("100-continue") {
                    facts.expectsContinue = true
                } else {
                    facts.hasUnknownExpectation = true
                }
            case 12 where name.isEqualCaseInsensitiveASCII("x-request-id"):
                facts.requestID = value
            case 14 where name.isEqualCaseInsensitiveASCII("content-length"):
                // The decoder validated the digits; a value beyond Int is simply too large.
                facts.contentLength = Int(value) ?? Int.max
            case 17 where name.isEqualCaseInsensitiveASCII("transfer-encoding"):
                facts.isChunked = true
            default:
                break
            }
        }
        return facts
    }
}

extension String {
    /// ASCII case-insensitive equality with a lowercase literal.
    fileprivate func isEqualCaseInsensitiveASCII(_ lowercase: StaticString) -> Bool {
        let other = UnsafeRawBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        guard self.utf8.count == other.count else { return false }
        return zip(self.utf8, other).allSatisfy { $0 == $1 || ($0 &+ 0x20 == $1 && $1 >= 0x61 && $1 <= 0x7A) }
    }
}
