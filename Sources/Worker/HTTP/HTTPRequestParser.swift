import NIOCore
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
    /// A W3C `traceparent`, unvalidated (`TraceContext` ignores an invalid one).
    var traceparent: String?
    /// `Expect: 100-continue` was sent.
    var expectsContinue = false
    /// An `Expect` other than `100-continue` was sent.
    var hasUnknownExpectation = false
    /// `Content-Length`, if sent.
    var contentLength: Int?
    /// Bytes of header names and values (`MAX_HEADER_BYTES` counts these).
    var headerBytes = 0
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
        if count - start > self.maxHeadLength {
            if memchr(p + start, Int32(UInt8.lf), count - start) == nil {
                return .invalid(APIError(.uriTooLong, "The request URL exceeds \(self.limits.maxURLLength) bytes"))
            }
            return .invalid(Self.headTooLarge(self.limits))
        }
        return .incomplete
    }

    static func headTooLarge(_ limits: HTTPLimits) -> APIError {
        APIError(
            .headersTooLarge,
            "The request head exceeds \(limits.maxURLLength + limits.maxHeaderBytes) bytes"
                + " or \(limits.maxHeaderCount) header fields"
        )
    }

    /// Parses the head in `p[start..<end]`, where `end` is the CR of the final empty line.
    private func parseHead(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int) -> Outcome {
        // Request line: method SP request-target SP HTTP-version CRLF.
        var index = start
        while index < end && p[index].isTokenCharacter { index += 1 }
        let methodEnd = index
        guard methodEnd > start, p[index] == .space else {
            // No method token before the first space: no method this server implements.
            return .invalid(APIError(.notImplemented, "The request method is not supported"))
        }
        index += 1
        let targetStart = index
        // The target's visible ASCII; on the way, where its query starts and whether its path
        // needs the dot-segment check.
        var queryMark = -1
        var pathHasDotOrPercent = false
        while p[index] > 0x20 && p[index] < 0x7F {
            if queryMark < 0 {
                if p[index] == UInt8(ascii: "?") {
                    queryMark = index
                } else if p[index] == UInt8(ascii: ".") || p[index] == UInt8(ascii: "%") {
                    pathHasDotOrPercent = true
                }
            }
            index += 1
        }
        let targetEnd = index
        guard targetEnd > targetStart, p[index] == .space || p[index] == .cr else {
            return .invalid(APIError(.badRequest, "The request target is not valid"))
        }
        // `GET /path CRLF` (HTTP/0.9) and every version but 1.0 and 1.1 are refused alike.
        guard p[index] == .space, index + 9 < end + 2, p[index + 9] == .cr, p[index + 10] == .lf,
            let version = Self.version(p + index + 1)
        else {
            return .invalid(APIError(.httpVersionNotSupported))
        }
        index += 11  // SP "HTTP/1.x" CRLF

        var parsed = ParsedHead(
            head: HTTPRequestHead(version: version, method: .GET, uri: ""),
            framing: .none,
            keepAlive: version.minor == 1,
            pathLength: (queryMark < 0 ? targetEnd : queryMark) - targetStart,
            isPlainOriginForm: p[targetStart] == UInt8(ascii: "/") && !pathHasDotOrPercent
        )
        var fields: [(String, String)] = []
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
            if fields.count == self.limits.maxHeaderCount { return .invalid(Self.headTooLarge(self.limits)) }
            let name = UnsafeRawBufferPointer(start: p + nameStart, count: nameEnd - nameStart)
            let value = UnsafeRawBufferPointer(start: p + valueStart, count: valueEnd - valueStart)
            parsed.headerBytes &+= name.count &+ value.count
            let valueString = String(decoding: value, as: UTF8.self)
            switch name.count {
            case 4 where name.equalsLowercase("host"):
                break
            case 6 where name.equalsLowercase("expect"):
                if value.equalsLowercase("100-continue") {
                    parsed.expectsContinue = true
                } else {
                    parsed.hasUnknownExpectation = true
                }
            case 10 where name.equalsLowercase("connection"):
                Self.connectionOptions(value, close: &sawClose, keepAlive: &sawKeepAlive)
            case 11 where name.equalsLowercase("traceparent"):
                parsed.traceparent = valueString
            case 12 where name.equalsLowercase("x-request-id"):
                parsed.requestID = valueString
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
            fields.append((String(decoding: name, as: UTF8.self), valueString))
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
        parsed.head = HTTPRequestHead(version: version, method: method, uri: uri, headers: HTTPHeaders(fields))
        return .complete(parsed, length: end + 2)
    }

    /// `HTTP/1.1` or `HTTP/1.0` at `p`, else `nil`.
    private static func version(_ p: UnsafePointer<UInt8>) -> HTTPVersion? {
        guard p[0] == UInt8(ascii: "H"), p[1] == UInt8(ascii: "T"), p[2] == UInt8(ascii: "T"),
            p[3] == UInt8(ascii: "P"), p[4] == UInt8(ascii: "/"), p[5] == UInt8(ascii: "1"),
            p[6] == UInt8(ascii: ".")
        else { return nil }
        switch p[7] {
        case UInt8(ascii: "1"): return .http1_1
        case UInt8(ascii: "0"): return .http1_0
        default: return nil
        }
    }

    /// The method; the ones the server implements without an allocation.
    private static func method(_ bytes: UnsafeRawBufferPointer) -> HTTPMethod {
        switch bytes.count {
        case 3 where bytes.elementsEqual("GET".utf8): return .GET
        case 3 where bytes.elementsEqual("PUT".utf8): return .PUT
        case 4 where bytes.elementsEqual("HEAD".utf8): return .HEAD
        case 4 where bytes.elementsEqual("POST".utf8): return .POST
        case 5 where bytes.elementsEqual("PATCH".utf8): return .PATCH
        case 6 where bytes.elementsEqual("DELETE".utf8): return .DELETE
        case 7 where bytes.elementsEqual("OPTIONS".utf8): return .OPTIONS
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

/// Decodes a chunked body (RFC 9112 §7.1) as its bytes arrive, into one buffer, holding it to
/// `MAX_BODY_SIZE` before a chunk is read. Chunk extensions are skipped, trailer fields read
/// and dropped (bounded by `MAX_HEADER_BYTES`).
struct ChunkedBodyDecoder {
    /// The outcome of `decode`.
    enum Outcome: Equatable {
        /// Needs more bytes.
        case incomplete
        /// The last chunk and the trailer section were read.
        case complete
        /// Not a valid chunked body, or too large: answer this and close.
        case invalid(APIError)
    }

    private enum State {
        case size(value: Int, digits: Int)
        case sizeExtension(value: Int, length: Int)
        case sizeLF(value: Int)
        case data(remaining: Int)
        case dataCR
        case dataLF
        case trailerLineStart
        case trailerLine
        case trailerLineLF
        case endLF
    }

    private var state = State.size(value: 0, digits: 0)
    private var trailerBytes = 0
    let maxBodySize: Int
    let maxTrailerBytes: Int

    init(limits: HTTPLimits) {
        self.maxBodySize = limits.maxBodySize
        self.maxTrailerBytes = limits.maxHeaderBytes
    }

    /// Consumes what it can of `input` into `body`.
    mutating func decode(_ input: inout ByteBuffer, into body: inout ByteBuffer?) -> Outcome {
        while input.readableBytes > 0 {
            if case .data(let remaining) = self.state {
                let take = min(remaining, input.readableBytes)
                var slice = input.readSlice(length: take)!
                if body == nil {
                    body = slice
                } else {
                    body!.writeBuffer(&slice)
                }
                self.state = take == remaining ? .dataCR : .data(remaining: remaining - take)
                continue
            }
            let byte = input.readInteger(as: UInt8.self)!
            switch self.state {
            case .size(let value, let digits):
                if let digit = byte.hexDigitValue {
                    guard digits < 15 else { return .invalid(Self.invalidChunk) }
                    self.state = .size(value: value << 4 | digit, digits: digits + 1)
                } else if digits > 0 && (byte == UInt8(ascii: ";") || byte == .space || byte == .tab) {
                    self.state = .sizeExtension(value: value, length: 0)
                } else if digits > 0 && byte == .cr {
                    self.state = .sizeLF(value: value)
                } else {
                    return .invalid(Self.invalidChunk)
                }
            case .sizeExtension(let value, let length):
                if byte == .cr {
                    self.state = .sizeLF(value: value)
                } else if byte == .lf || length >= 1024 {
                    return .invalid(Self.invalidChunk)
                } else {
                    self.state = .sizeExtension(value: value, length: length + 1)
                }
            case .sizeLF(let value):
                guard byte == .lf else { return .invalid(Self.invalidChunk) }
                if case .invalid(let error) = self.checkSize(value, body) { return .invalid(error) }
                self.state = value == 0 ? .trailerLineStart : .data(remaining: value)
            case .data:
                preconditionFailure("handled above")
            case .dataCR:
                guard byte == .cr else { return .invalid(Self.invalidChunk) }
                self.state = .dataLF
            case .dataLF:
                guard byte == .lf else { return .invalid(Self.invalidChunk) }
                self.state = .size(value: 0, digits: 0)
            case .trailerLineStart:
                self.state = byte == .cr ? .endLF : .trailerLine
                if byte != .cr, case .invalid(let error) = self.countTrailer(byte) { return .invalid(error) }
            case .trailerLine:
                if byte == .cr {
                    self.state = .trailerLineLF
                } else if case .invalid(let error) = self.countTrailer(byte) {
                    return .invalid(error)
                }
            case .trailerLineLF:
                guard byte == .lf else { return .invalid(Self.invalidChunk) }
                self.state = .trailerLineStart
            case .endLF:
                guard byte == .lf else { return .invalid(Self.invalidChunk) }
                return .complete
            }
        }
        return .incomplete
    }

    private func checkSize(_ size: Int, _ body: ByteBuffer?) -> Outcome {
        if (body?.readableBytes ?? 0) + size > self.maxBodySize {
            return .invalid(APIError(.payloadTooLarge, "The request body exceeds \(self.maxBodySize) bytes"))
        }
        return .incomplete
    }

    private mutating func countTrailer(_ byte: UInt8) -> Outcome {
        self.trailerBytes += 1
        guard byte == .tab || (byte >= 0x20 && byte != 0x7F) else { return .invalid(Self.invalidChunk) }
        guard self.trailerBytes <= self.maxTrailerBytes else {
            return .invalid(APIError(.headersTooLarge, "The trailer fields exceed \(self.maxTrailerBytes) bytes"))
        }
        return .incomplete
    }

    private static let invalidChunk = APIError(.badRequest, "The chunked body is not valid")
}

extension UInt8 {
    fileprivate static let cr = UInt8(ascii: "\r")
    fileprivate static let lf = UInt8(ascii: "\n")
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let tab = UInt8(ascii: "\t")
    fileprivate static let colon = UInt8(ascii: ":")

    /// `tchar` of RFC 9110 §5.6.2.
    var isTokenCharacter: Bool { Self.tokenTable[Int(self)] }

    private static let tokenTable: [Bool] = (0...255).map { (byte: Int) -> Bool in
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(UInt8(byte))
        }
    }

    /// The value of a hexadecimal digit.
    fileprivate var hexDigitValue: Int? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(self - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(self - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(self - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}

extension UnsafeRawBufferPointer {
    /// ASCII case-insensitive equality with a lowercase literal.
    fileprivate func equalsLowercase(_ lowercase: StaticString) -> Bool {
        guard self.count == lowercase.utf8CodeUnitCount else { return false }
        let other = lowercase.utf8Start
        for index in 0..<self.count {
            let byte = self[index]
            let expected = other[index]
            guard byte == expected || (byte | 0x20 == expected && expected >= 0x61 && expected <= 0x7A) else {
                return false
            }
        }
        return true
    }
}
