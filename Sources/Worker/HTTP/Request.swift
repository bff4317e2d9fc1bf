import NIOCore
import NIOHTTP1
import Shared

/// An HTTP request as handlers see it: method, target and version, the header fields, the path
/// split from the query, the matched route's parameters, and the body (already bounded by
/// `MAX_BODY_SIZE`).
struct Request: Sendable {
    /// The method, target and version.
    private let line: HTTPRequestHead
    /// The header fields (read from the head's bytes when asked: `HeaderFields`).
    let headers: HeaderFields
    /// The path without the query string, e.g. `/health` (also for an absolute-form target).
    let path: Substring
    /// The query string without `?`, if any.
    let query: Substring?
    /// The body, if one was sent.
    let body: ByteBuffer?
    /// The path parameters of the matched route (set by the server after routing).
    var parameters = Parameters()

    /// A request whose origin-form target (`/…`) has its path in the first `pathLength`
    /// bytes, as the parser found: no second scan of the target. `line` carries the method,
    /// target and version (its own headers are not read).
    init(head line: HTTPRequestHead, fields: HeaderFields, body: ByteBuffer?, pathLength: Int) {
        let uri = Substring(line.uri)
        let mark = uri.utf8.index(uri.startIndex, offsetBy: pathLength)
        let queryMark = mark == uri.endIndex ? nil : mark
        self.line = line
        self.headers = fields
        self.body = body
        var path = queryMark.map { uri[..<$0] } ?? uri
        self.query = queryMark.map { uri[uri.utf8.index(after: $0)...] }
        if path.utf8.first != UInt8(ascii: "/") {
            // absolute-form (`http://host/path`): route on its path.
            path = RequestTarget.path(of: line.uri) ?? path
        }
        self.path = path
    }

    /// A request built in process (not parsed): `head`'s headers become its fields.
    init(head: HTTPRequestHead, body: ByteBuffer?, pathLength: Int) {
        self.init(head: head, fields: HeaderFields(head.headers), body: body, pathLength: pathLength)
    }

    /// The method.
    var method: HTTPMethod { self.line.method }
    /// The request target as sent (path and query).
    var uri: String { self.line.uri }
    /// The HTTP version.
    var version: HTTPVersion { self.line.version }

    /// The query string, parsed (on each access: read it once into a local).
    var queryParameters: QueryParameters { QueryParameters(self.query) }

    /// The JSON body decoded as a `T`, its `Validatable` rules checked.
    ///
    /// - `415 UNSUPPORTED_MEDIA_TYPE` unless `Content-Type` is `application/json`;
    /// - `400 BAD_REQUEST` for a missing body or malformed JSON (the message says where);
    /// - `422 VALIDATION_ERROR` listing every missing, mistyped, unknown or rule-breaking field.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard let contentType = self.headers.first(name: "content-type"), Self.isJSON(contentType) else {
            throw APIError(.unsupportedMediaType, "Content-Type must be application/json")
        }
        guard let body = self.body, body.readableBytes > 0 else {
            throw APIError(.badRequest, "A JSON body is required")
        }
        let result = body.withUnsafeReadableBytes { bytes in
            Result { () throws(JSONBodyError) -> T in try JSONBodyDecoder.decode(type, from: bytes) }
        }
        switch result {
        case .success(let value):
            return value
        case .failure(.malformed(let error)):
            throw APIError(.badRequest, "Malformed JSON at \(error)")
        case .failure(.invalid(let fields)):
            throw APIError(.validationError, "The request body failed validation", details: fields)
        }
    }

    /// `application/json`, any case, parameters (`; charset=utf-8`) allowed.
    static func isJSON(_ contentType: String) -> Bool {
        let whole = Substring(contentType)
        let mediaType = whole.firstIndex(of: ";").map { whole[..<$0] } ?? whole
        let trimmed = mediaType.trimmingBlanks
        return trimmed.utf8.count == 16 && trimmed.lowercased() == "application/json"
    }
}

extension Substring {
    fileprivate var trimmingBlanks: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
