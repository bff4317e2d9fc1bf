import NIOHTTP1
import Shared

#if canImport(Glibc)
import Glibc
#endif

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
    // Fields in this order so the small ones fill padding and the struct stays within 128
    // bytes: a larger one is copied by `memcpy` calls several times per request (callgrind).

    /// The method, target and version (its `headers` are empty: the field lines stay in the
    /// read buffer, from `fieldsStart` to the head's final CRLF, for `HeaderFields`).
    var head: HTTPRequestHead
    /// Whether the connection stays open after the response (HTTP/1.1 unless `close`,
    /// HTTP/1.0 only with `keep-alive`).
    var keepAlive: Bool
    /// The target is origin-form (`/…`) and its path has no `.` or `%`: it cannot hold a dot
    /// segment, so `RequestTarget` need not look at it.
    var isPlainOriginForm: Bool
    /// `Expect: 100-continue` was sent.
    var expectsContinue = false
    /// An `Expect` other than `100-continue` was sent.
    var hasUnknownExpectation = false
    /// Every `Host` value is a `uri-host [":" port]` in its characters.
    var hostIsValid = true
    /// How the body is delimited.
    var framing: BodyFraming
    /// Bytes of the target before its `?` (all of it without a query).
    var pathLength: Int
    /// Where the field lines start in the bytes parsed (they end at the head's final CRLF).
    var fieldsStart = 0
    /// `Content-Length`, if sent.
    var contentLength: Int?
    /// Bytes of header names and values (`MAX_HEADER_BYTES` counts these).
    var headerBytes = 0
    /// `Host` fields sent (RFC 9112 §3.2: exactly one in HTTP/1.1, at most one in 1.0).
    var hostCount = 0
    /// A client `X-Request-Id`, unvalidated.
    var requestID: String?
    /// A W3C `traceparent`, unvalidated (`TraceContext` ignores an invalid one).
    var traceparent: String?
}

/// The server's own HTTP/1.1 request-head parser (RFC 9112 §2–§5): one pass over the bytes of
/// a complete head, straight from the connection's read buffer.
///
/// Strict where leniency lets a request mean two things: every line ends in CRLF (a bare LF or
/// CR is refused), no whitespace before a field's colon, no obsolete line folding, one
/// `Content-Length` value, `Transfer-Encoding` only as `chunked` and never with
/// `Content-Length`. Empty lines before a request line are skipped (§2.2).
///
/// The end of a head is searched once per byte: a head trickling in is not rescanned.
struct HTTPRequestParser {
    /// The outcome of `parse`.
    enum Outcome {
        /// The head is not complete yet.
        case incomplete
        /// A head of `length` bytes (leading empty lines included).
        case complete(ParsedHead, length: Int)
        /// The bytes are not a request this server accepts: answer this and close.
        case invalid(APIError)
    }

    let limits: HTTPLimits
    /// Bytes already searched for the end of the head.
    private var scanned = 0
    /// The longest head the server buffers: the request line and every field at their limits.
    private let maxHeadLength: Int

    init(limits: HTTPLimits) {
        self.limits = limits
        self.maxHeadLength = limits.maxURLLength + limits.maxHeaderBytes + 4 * (limits.maxHeaderCount + 1) + 32
    }

    /// Forgets the search position (the head was consumed).
    mutating func reset() {
        self.scanned = 0
    }

    /// Parses the head at the start of `bytes`, if it is complete.
    mutating func parse(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        let count = bytes.count
        guard let base = bytes.baseAddress, count > 0 else { return .incomplete }
        let p = base.assumingMemoryBound(to: UInt8.self)
        var start = 0
        while start + 1 < count && p[start] == .cr && p[start + 1] == .lf { start += 2 }
        var from = max(self.scanned, start)
        while from < count {
            guard let found = memchr(p + from, Int32(UInt8.lf), count - from) else { break }
            let lf = p.distance(to: found.assumingMemoryBound(to: UInt8.self))
            guard lf > start, p[lf - 1] == .cr else {
                self.scanned = 0
                return .invalid(APIError(.badRequest, "A line of the request head does not end in CRLF"))
            }
            if lf >= start + 3 && p[lf - 2] == .lf {
                self.scanned = 0
                return self.parseHead(p, start, lf - 1)
            }
            from = lf + 1
        }
        self.scanned = count
        // Empty lines before the request line count toward the limit: a stream of CRLF is
        // refused once it is longer than any head could be, not buffered without end.
        if count > self.maxHeadLength {
            if start + 1 >= count {
                return .invalid(APIError(.badRequest, "The request line did not arrive"))
            }
            if memchr(p + start, Int32(UInt8.lf), count - start) == nil {
                return .invalid(APIError(.uriTooLong, "The request URL exceeds \(self.limits.maxURLLength) bytes"))
            }
            return .invalid(Self.headTooLarge(self.limits))
        }
        return .incomplete
    }

    /// The head a `ParsedHead` holds until its own is built.
    private static let placeholderHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: "")

    static func headTooLarge(_ limits: HTTPLimits) -> APIError {
        APIError(
            .headersTooLarge,
            "The request head exceeds \(limits.maxURLLength + limits.maxHeaderBytes) bytes"
                + " or \(limits.maxHeaderCount) header fields"
        )
    }

    /// Parses the head in `p[start..<end]`, where `end` is the CR of the final empty line.
    private func parseHead(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Outcome {
        // Request line: method SP request-target SP HTTP-version CRLF, single spaces only.
        var index = start
        while index < end && p[index].isTokenCharacter { index += 1 }
        let methodEnd = index
        guard methodEnd > start, p[index] == .space else { return .invalid(Self.malformedRequestLine) }
        index += 1
        let targetStart = index
        // The target's visible ASCII; on the way, where its query starts, whether its path
        // needs the dot-segment check, and whether it carries a fragment (never sent, §3.2).
        var queryMark = -1
        var pathHasDotOrPercent = false
        var hasFragment = false
        while p[index] > 0x20 && p[index] < 0x7F {
            if queryMark < 0 {
                if p[index] == UInt8(ascii: "?") {
                    queryMark = index
                } else if p[index] == UInt8(ascii: ".") || p[index] == UInt8(ascii: "%") {
                    pathHasDotOrPercent = true
                }
            }
            hasFragment = hasFragment || p[index] == UInt8(ascii: "#")
            index += 1
        }
        let targetEnd = index
        guard targetEnd > targetStart, !hasFragment, p[index] == .space || p[index] == .cr else {
            return .invalid(APIError(.badRequest, "The request target is not valid"))
        }
        if p[index] == .cr {
            // `GET /path CRLF` is HTTP/0.9, a version the server does not speak; a bare CR
            // inside the line is malformed.
            return .invalid(p[index + 1] == .lf ? APIError(.httpVersionNotSupported) : Self.malformedRequestLine)
        }
        // SP "HTTP/" DIGIT "." DIGIT CRLF, the CRLF within the head.
        guard index + 10 <= end + 1, p[index + 9] == .cr, p[index + 10] == .lf else {
            return .invalid(Self.malformedRequestLine)
        }
        let version: HTTPVersion
        switch Self.version(p + index + 1) {
        case .malformed: return .invalid(Self.malformedRequestLine)
        case .unsupported: return .invalid(APIError(.httpVersionNotSupported))
        case .supported(let supported): version = supported
        }
        index += 11  // SP "HTTP/x.y" CRLF

        var parsed = ParsedHead(
            head: Self.placeholderHead,  // replaced below; a shared one costs no allocation
            keepAlive: version.minor == 1,
            isPlainOriginForm: p[targetStart] == UInt8(ascii: "/") && !pathHasDotOrPercent,
            framing: .none,
            pathLength: (queryMark < 0 ? targetEnd : queryMark) - targetStart
        )
        // The field lines stay in the read buffer (`HeaderFields`): no string per name and
        // value, no array.
        parsed.fieldsStart = index
        var fieldCount = 0
        var sawClose = false
        var sawKeepAlive = false
        var chunked = false
        var sawTransferEncoding = false

        // Fields: name ":" OWS value OWS CRLF, up to the empty line at `end`.
        while index < end {
            let nameStart = index
            while p[index].isTokenCharacter { index += 1 }
            let nameEnd = index
            guard nameEnd > nameStart, p[index] == .colon else {
                // Covers whitespace before the colon, a line without one, and obs-fold.
                return .invalid(APIError(.badRequest, "A header field is not valid"))
            }
            index += 1
            while p[index] == .space || p[index] == .tab { index += 1 }
            let valueStart = index
            var valueEnd = index
            while true {
                let byte = p[index]
                if byte == .cr { break }
                guard byte >= 0x20 && byte != 0x7F || byte == .tab else {
                    return .invalid(APIError(.badRequest, "A header value holds a control character"))
                }
                index += 1
                if byte != .space && byte != .tab { valueEnd = index }
            }
            guard p[index + 1] == .lf else {
                return .invalid(APIError(.badRequest, "A line of the request head does not end in CRLF"))
            }
            index += 2
            if fieldCount == self.limits.maxHeaderCount { return .invalid(Self.headTooLarge(self.limits)) }
            fieldCount += 1
            let name = UnsafeRawBufferPointer(start: p + nameStart, count: nameEnd - nameStart)
            let value = UnsafeRawBufferPointer(start: p + valueStart, count: valueEnd - valueStart)
            parsed.headerBytes &+= name.count &+ value.count
            switch name.count {
            case 4 where name.equalsLowercase("host"):
                parsed.hostCount += 1
                for byte in value where !byte.isHostCharacter { parsed.hostIsValid = false }
            case 6 where name.equalsLowercase("expect"):
                if value.equalsLowercase("100-continue") {
                    parsed.expectsContinue = true
                } else {
                    parsed.hasUnknownExpectation = true
                }
            case 10 where name.equalsLowercase("connection"):
                Self.connectionOptions(value, close: &sawClose, keepAlive: &sawKeepAlive)
            case 11 where name.equalsLowercase("traceparent"):
                parsed.traceparent = String(decoding: value, as: UTF8.self)
            case 12 where name.equalsLowercase("x-request-id"):
                parsed.requestID = String(decoding: value, as: UTF8.self)
            case 14 where name.equalsLowercase("content-length"):
                guard let length = Self.decimal(value), parsed.contentLength == nil || parsed.contentLength == length
                else {
                    return .invalid(APIError(.badRequest, "The Content-Length header is not valid"))
                }
                parsed.contentLength = length
            case 17 where name.equalsLowercase("transfer-encoding"):
                // Only `chunked`, once: any other coding would have to be decoded first.
                guard !sawTransferEncoding, value.equalsLowercase("chunked") else {
                    return .invalid(APIError(.badRequest, "Only Transfer-Encoding: chunked is supported"))
                }
                sawTransferEncoding = true
                chunked = true
            default:
                break
            }
        }

        if chunked {
            guard parsed.contentLength == nil else {
                return .invalid(APIError(.badRequest, "Content-Length and Transfer-Encoding were both sent"))
            }
            guard version.minor == 1 else {
                return .invalid(APIError(.badRequest, "Transfer-Encoding is not allowed in an HTTP/1.0 request"))
            }
            parsed.framing = .chunked
        } else if let length = parsed.contentLength, length > 0 {
            parsed.framing = .length(length)
        }
        parsed.keepAlive = !sawClose && (version.minor == 1 || sawKeepAlive)
        let uri = String(
            decoding: UnsafeRawBufferPointer(start: p + targetStart, count: targetEnd - targetStart),
            as: UTF8.self
        )
        let method = Self.method(UnsafeRawBufferPointer(start: p + start, count: methodEnd - start))
        parsed.head = HTTPRequestHead(version: version, method: method, uri: uri, headers: HTTPHeaders())
        return .complete(parsed, length: end + 2)
    }

    /// What an `HTTP-version` (RFC 9112 §2.3) says.
    private enum VersionOutcome {
        /// Not `HTTP/` DIGIT `.` DIGIT.
        case malformed
        /// Well-formed, but not HTTP/1.x.
        case unsupported
        /// HTTP/1.0, or HTTP/1.1 (which also serves a higher 1.x minor version, §2.3).
        case supported(HTTPVersion)
    }

    /// The version in the 8 bytes at `p`.
    private static func version(_ p: UnsafePointer<UInt8>) -> VersionOutcome {
        guard p[0] == UInt8(ascii: "H"), p[1] == UInt8(ascii: "T"), p[2] == UInt8(ascii: "T"),
            p[3] == UInt8(ascii: "P"), p[4] == UInt8(ascii: "/"), p[5].isDigit, p[6] == UInt8(ascii: "."), p[7].isDigit
        else { return .malformed }
        guard p[5] == UInt8(ascii: "1") else { return .unsupported }
        return .supported(p[7] == UInt8(ascii: "0") ? .http1_0 : .http1_1)
    }

    private static let malformedRequestLine = APIError(.badRequest, "The request line is not valid")

    /// The method; the ones the server implements without an allocation, matched byte by
    /// byte (a generic `elementsEqual` against a `String` cost ~250 instructions).
    private static func method(_ bytes: UnsafeRawBufferPointer) -> HTTPMethod {
        func matches(_ text: StaticString) -> Bool {
            text.utf8CodeUnitCount == bytes.count && memcmp(text.utf8Start, bytes.baseAddress!, bytes.count) == 0
        }
        switch bytes.count {
        case 3 where matches("GET"): return .GET
        case 3 where matches("PUT"): return .PUT
        case 4 where matches("HEAD"): return .HEAD
        case 4 where matches("POST"): return .POST
        case 5 where matches("PATCH"): return .PATCH
        case 6 where matches("DELETE"): return .DELETE
        case 7 where matches("OPTIONS"): return .OPTIONS
        default: return HTTPMethod(rawValue: String(decoding: bytes, as: UTF8.self))
        }
    }

    /// A `Content-Length` value: digits only, at most 18 of them (no sign, no list).
    private static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// The `close` and `keep-alive` options of a `Connection` value (a comma-separated list).
    private static func connectionOptions(_ value: UnsafeRawBufferPointer, close: inout Bool, keepAlive: inout Bool) {
        for option in value.split(separator: UInt8(ascii: ",")) {
            var lower = option.startIndex
            var upper = option.endIndex
            while lower < upper && (value[lower] == .space || value[lower] == .tab) { lower += 1 }
            while upper > lower && (value[upper - 1] == .space || value[upper - 1] == .tab) { upper -= 1 }
            let token = UnsafeRawBufferPointer(rebasing: value[lower..<upper])
            if token.equalsLowercase("close") {
                close = true
            } else if token.equalsLowercase("keep-alive") {
                keepAlive = true
            }
        }
    }
}
