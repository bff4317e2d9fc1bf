import NIOCore
import NIOHTTP1

/// Serialises a response straight into the connection's output buffer: the status line from a
/// table, the handler's headers (checked, so a handler cannot split a response), the server's
/// own fields and a small body, all in **one** `ByteBuffer` write.
///
/// One write, because each separate one costs about 200 instructions before a byte is copied:
/// swift-nio is built with run-time exclusivity checks (only our own targets drop them,
/// Package.swift), and every `ByteBuffer` write begins and ends an access on its storage. A
/// response written piece by piece took 13 of them (callgrind: 2,600 of a `/health/live`
/// request's 28,900 instructions).
enum HTTPResponseEncoding {
    /// The server's own part of a response head, written after the handler's headers.
    struct ServerFields {
        /// `Content-Length`, `nil` for a status without a body (`isBodiless`).
        var contentLength: Int?
        /// `X-Request-Id`.
        var requestID: String
        /// `traceparent`.
        var trace: TraceDigits
        /// `Date`.
        var date: String
        /// What ends the head.
        var connection: Connection
    }

    /// The connection field that ends a head.
    enum Connection {
        /// None: HTTP/1.1 keeps the connection open by default.
        case implicit
        /// `Connection: keep-alive` (an HTTP/1.0 client asked for it).
        case keepAlive
        /// `Connection: close`.
        case close
    }

    /// Writes the head of a response with `status`, the handler's `headers` and `fields`,
    /// followed by `body` when given, into `buffer` in one write. Returns `false`, having
    /// written nothing, when a handler header is unsafe: a name that is not a token or a
    /// value with a control character (a CR or LF would let a handler inject headers or a
    /// second response). `encodedHeaders`, when given, are `headers` as the server built and
    /// serialised them itself (`Response.encodedHeaders`), written as they are.
    static func write(
        status: HTTPResponseStatus,
        headers: HTTPHeaders,
        encodedHeaders: StaticString? = nil,
        fields: ServerFields,
        body: ByteBuffer?,
        to buffer: inout ByteBuffer
    ) -> Bool {
        // An upper bound of what follows; the fixed parts are counted generously.
        var bound = 256 + fields.requestID.utf8.count + fields.date.utf8.count + (body?.readableBytes ?? 0)
        if Self.statusLine(status.code) == nil { bound += status.reasonPhrase.utf8.count }
        if let encodedHeaders {
            bound += encodedHeaders.utf8CodeUnitCount
        } else {
            for (name, value) in headers { bound += name.utf8.count + value.utf8.count + 4 }
        }
        var safe = true
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { raw in
            var out = RawOutput(base: raw.baseAddress!)
            if let line = Self.statusLine(status.code) {
                out.append(line)
            } else {
                out.append("HTTP/1.1 ")
                out.appendDecimal(Int(status.code))
                out.append(" ")
                out.append(string: status.reasonPhrase)
                out.append("\r\n")
            }
            if let encodedHeaders {
                out.append(encodedHeaders)
            } else {
                for (name, value) in headers {
                    guard out.appendHeader(name: name, value: value) else {
                        safe = false
                        return 0
                    }
                }
            }
            if let length = fields.contentLength {
                out.append("Content-Length: ")
                out.appendDecimal(length)
                out.append("\r\n")
            }
            out.append("X-Request-Id: ")
            out.append(string: fields.requestID)
            out.count += fields.trace.storeHeader(at: out.count, in: raw)
            out.append("\r\nX-Content-Type-Options: nosniff\r\nDate: ")
            out.append(string: fields.date)
            switch fields.connection {
            case .implicit: out.append("\r\n\r\n")
            case .keepAlive: out.append("\r\nConnection: keep-alive\r\n\r\n")
            case .close: out.append("\r\nConnection: close\r\n\r\n")
            }
            body?.withUnsafeReadableBytes { out.append($0) }
            precondition(out.count <= raw.count, "response head over its bound")
            return out.count
        }
        return safe
    }

    /// Whether a response with `status` carries no body and no `Content-Length` (RFC 9110
    /// §8.6: 1xx and 204; 304 describes a representation it does not send).
    static func isBodiless(_ status: HTTPResponseStatus) -> Bool {
        let code = status.code
        return code < 200 || code == 204 || code == 304
    }

    /// The status lines sent most, as constants.
    private static func statusLine(_ code: UInt) -> StaticString? {
        switch code {
        case 200: "HTTP/1.1 200 OK\r\n"
        case 400: "HTTP/1.1 400 Bad Request\r\n"
        case 404: "HTTP/1.1 404 Not Found\r\n"
        case 405: "HTTP/1.1 405 Method Not Allowed\r\n"
        case 503: "HTTP/1.1 503 Service Unavailable\r\n"
        default: nil
        }
    }
}
