import NIOCore
import NIOHTTP1

/// An HTTP request as handlers see it: the head, the path split from the query, and the body
/// (already bounded by `MAX_BODY_SIZE`).
public struct Request: Sendable {
    /// The request head.
    public let head: HTTPRequestHead
    /// The path without the query string, e.g. `/health` (also for an absolute-form target).
    public let path: Substring
    /// The query string without `?`, if any.
    public let query: Substring?
    /// The body, if one was sent.
    public let body: ByteBuffer?

    /// Creates a request from its head and body.
    public init(head: HTTPRequestHead, body: ByteBuffer?) {
        let uri = Substring(head.uri)
        let mark = uri.utf8.firstIndex(of: UInt8(ascii: "?"))
        self.init(head: head, body: body, uri: uri, queryMark: mark)
    }

    /// A request whose origin-form target (`/…`) has its path in the first `pathLength`
    /// bytes, as the parser found: no second scan of the target.
    init(head: HTTPRequestHead, body: ByteBuffer?, pathLength: Int) {
        let uri = Substring(head.uri)
        let mark = uri.utf8.index(uri.startIndex, offsetBy: pathLength)
        self.init(head: head, body: body, uri: uri, queryMark: mark == uri.endIndex ? nil : mark)
    }

    private init(head: HTTPRequestHead, body: ByteBuffer?, uri: Substring, queryMark: String.Index?) {
        self.head = head
        self.body = body
        var path = queryMark.map { uri[..<$0] } ?? uri
        self.query = queryMark.map { uri[uri.utf8.index(after: $0)...] }
        if path.utf8.first != UInt8(ascii: "/") {
            // absolute-form (`http://host/path`): route on its path.
            path = RequestTarget.path(of: head.uri) ?? path
        }
        self.path = path
    }

    /// The method.
    public var method: HTTPMethod { self.head.method }
    /// The headers.
    public var headers: HTTPHeaders { self.head.headers }
}
