import NIOCore
import NIOHTTP1
import Shared
import Testing

@testable import Worker

/// The response serialiser: the exact bytes of a head and an inline body, written in one
/// piece, and a handler's unsafe header refused with nothing written.
@Suite("HTTP response encoding")
struct HTTPResponseEncodingTests {
    static let trace = TraceDigits(
        TraceContext(traceHigh: 0x0123_4567_89AB_CDEF, traceLow: 0xFEDC_BA98_7654_3210, spanID: 0x1122_3344_5566_7788)
    )

    static func fields(
        length: Int? = 15,
        connection: HTTPResponseEncoding.Connection = .implicit
    ) -> HTTPResponseEncoding.ServerFields {
        .init(
            contentLength: length,
            requestID: "abc-1",
            trace: Self.trace,
            date: "Tue, 01 Dec 2026 03:38:23 GMT",
            connection: connection
        )
    }

    static func text(_ buffer: ByteBuffer) -> String {
        String(decoding: buffer.readableBytesView, as: UTF8.self)
    }

    @Test func headAndBodyInOnePiece() {
        var buffer = ByteBuffer(string: "previous response|")
        let written = HTTPResponseEncoding.write(
            status: .ok,
            headers: ["Content-Type": "application/json"],
            fields: Self.fields(),
            body: ByteBuffer(string: #"{"status":"ok"}"#),
            to: &buffer
        )
        #expect(written)
        #expect(
            Self.text(buffer)
                == "previous response|HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n"
                + "X-Request-Id: abc-1\r\ntraceparent: 00-0123456789abcdeffedcba9876543210-1122334455667788-01\r\n"
                + "X-Content-Type-Options: nosniff\r\nDate: Tue, 01 Dec 2026 03:38:23 GMT\r\n\r\n"
                + #"{"status":"ok"}"#
        )
    }

    @Test func connectionFieldsAndStatusesOutsideTheTable() {
        var buffer = ByteBuffer()
        #expect(
            HTTPResponseEncoding.write(
                status: .init(statusCode: 418),
                headers: [:],
                fields: Self.fields(length: 0, connection: .close),
                body: nil,
                to: &buffer
            )
        )
        let closing = Self.text(buffer)
        #expect(closing.hasPrefix("HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\nX-Request-Id: abc-1\r\n"))
        #expect(closing.hasSuffix("GMT\r\nConnection: close\r\n\r\n"))
        buffer.clear()
        #expect(
            HTTPResponseEncoding.write(
                status: .noContent,
                headers: [:],
                fields: Self.fields(length: nil, connection: .keepAlive),
                body: nil,
                to: &buffer
            )
        )
        let bodiless = Self.text(buffer)
        #expect(bodiless.hasPrefix("HTTP/1.1 204 No Content\r\nX-Request-Id: abc-1\r\n"))
        #expect(!bodiless.contains("Content-Length"))
        #expect(bodiless.hasSuffix("GMT\r\nConnection: keep-alive\r\n\r\n"))
    }

    @Test func unsafeHandlerHeaderWritesNothing() {
        for headers: HTTPHeaders in [
            ["X-Ok": "1", "X-Split": "a\r\nSet-Cookie: b"], ["Bad Name": "v"], ["X-Nul": "a\u{0}b"], ["": "v"],
        ] {
            var buffer = ByteBuffer(string: "kept")
            let written = HTTPResponseEncoding.write(
                status: .ok,
                headers: headers,
                fields: Self.fields(),
                body: ByteBuffer(string: "body"),
                to: &buffer
            )
            #expect(!written)
            #expect(Self.text(buffer) == "kept")
        }
    }

    @Test func largeHeadersAndBodyFitTheReservation() {
        var buffer = ByteBuffer()
        let value = String(repeating: "v", count: 5000)
        let body = ByteBuffer(repeating: UInt8(ascii: "b"), count: HTTPServerHandler.inlineBodyLimit)
        #expect(
            HTTPResponseEncoding.write(
                status: .ok,
                headers: ["X-A": value, "X-B": value],
                fields: Self.fields(length: body.readableBytes),
                body: body,
                to: &buffer
            )
        )
        let text = Self.text(buffer)
        #expect(text.contains("X-A: \(value)\r\nX-B: \(value)\r\nContent-Length: 16384\r\n"))
        #expect(text.hasSuffix("\r\n\r\n" + String(repeating: "b", count: 16384)))
    }

    /// A JSON response's `Content-Type` goes out from its serialised form, the same bytes as
    /// the field by field path; headers a handler adds drop that form, so they are checked.
    @Test func serverBuiltHeadersAreWrittenAsTheyAreAndChangesAreChecked() {
        let json = Response.json(.ok, buffer: ByteBuffer(string: #"{"status":"ok"}"#))
        #expect(json.encodedHeaders != nil)
        var fast = ByteBuffer()
        var checked = ByteBuffer()
        #expect(
            HTTPResponseEncoding.write(
                status: json.status,
                headers: json.headers,
                encodedHeaders: json.encodedHeaders,
                fields: Self.fields(),
                body: json.body,
                to: &fast
            )
        )
        #expect(
            HTTPResponseEncoding.write(
                status: json.status,
                headers: json.headers,
                fields: Self.fields(),
                body: json.body,
                to: &checked
            )
        )
        #expect(Self.text(fast) == Self.text(checked))
        #expect(
            Self.text(fast).hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n")
        )

        var changed = json
        changed.headers.add(name: "X-Split", value: "a\r\nSet-Cookie: b")
        #expect(changed.encodedHeaders == nil)
        var refused = ByteBuffer(string: "kept")
        #expect(
            !HTTPResponseEncoding.write(
                status: changed.status,
                headers: changed.headers,
                encodedHeaders: changed.encodedHeaders,
                fields: Self.fields(),
                body: changed.body,
                to: &refused
            )
        )
        #expect(Self.text(refused) == "kept")
        var replaced = json
        replaced.headers = ["Content-Type": "text/plain"]
        #expect(replaced.encodedHeaders == nil)
        #expect(Response(status: .ok, body: ByteBuffer()).encodedHeaders == nil)
        #expect(Response.error(APIError(.methodNotAllowed, headers: [("Allow", "GET")])).encodedHeaders == nil)
    }
}
