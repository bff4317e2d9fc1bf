import NIOCore
import NIOHTTP1

/// Serialises response heads straight into the connection's output buffer: the status line
/// from a table, the handler's headers (checked, so a handler cannot split a response), then
/// the server's own. No intermediate `HTTPHeaders`, no per-response string building.
enum HTTPResponseEncoding {
    /// Writes a handler's headers as `name: value` lines, checking each as it is copied: a
    /// token name and a value without control characters (a CR or LF would let a handler
    /// inject headers or a second response). Returns `false` at the first unsafe one, with
    /// part of the headers written.
    static func writeHeaders(_ headers: HTTPHeaders, to buffer: inout ByteBuffer) -> Bool {
        for (name, value) in headers {
            var name = name
            var value = value
            let safe = name.withUTF8 { name in
                value.withUTF8 { value in
                    guard !name.isEmpty, name.allSatisfy(\.isTokenCharacter),
                        value.allSatisfy({ $0 == UInt8(ascii: "\t") || ($0 >= 0x20 && $0 != 0x7F) })
                    else { return false }
                    buffer.writeBytes(name)
                    buffer.writeStaticString(": ")
                    buffer.writeBytes(value)
                    buffer.writeStaticString("\r\n")
                    return true
                }
            }
            guard safe else { return false }
        }
        return true
    }

    /// Whether a response with `status` carries no body and no `Content-Length` (RFC 9110
    /// §8.6: 1xx and 204; 304 describes a representation it does not send).
    static func isBodiless(_ status: HTTPResponseStatus) -> Bool {
        let code = status.code
        return code < 200 || code == 204 || code == 304
    }

    /// Writes `HTTP/1.1 <code> <reason>` and CRLF.
    static func writeStatusLine(_ status: HTTPResponseStatus, to buffer: inout ByteBuffer) {
        switch status.code {
        case 200: buffer.writeStaticString("HTTP/1.1 200 OK\r\n")
        case 400: buffer.writeStaticString("HTTP/1.1 400 Bad Request\r\n")
        case 404: buffer.writeStaticString("HTTP/1.1 404 Not Found\r\n")
        case 405: buffer.writeStaticString("HTTP/1.1 405 Method Not Allowed\r\n")
        case 503: buffer.writeStaticString("HTTP/1.1 503 Service Unavailable\r\n")
        default:
            buffer.writeStaticString("HTTP/1.1 ")
            Self.writeDecimal(Int(status.code), to: &buffer)
            buffer.writeStaticString(" ")
            buffer.writeString(status.reasonPhrase)
            buffer.writeStaticString("\r\n")
        }
    }

    /// Writes `value` in decimal.
    static func writeDecimal(_ value: Int, to buffer: inout ByteBuffer) {
        precondition(value >= 0)
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: digits) { bytes in
            var remaining = value
            for index in stride(from: digits - 1, through: 0, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            }
            return digits
        }
    }
}
