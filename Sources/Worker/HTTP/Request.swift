import NIOCore
import NIOHTTP1

/// An HTTP request as handlers see it: the head, the path split from the query, and the body
/// (already bounded by `MAX_BODY_SIZE`).
public struct Request: Sendable {
    /// The request head.
    public let head: HTTPRequestHead
    /// The path without the query string, e.g. `/health` (also for an absolute-form target).
    public private(set) var path: Substring
    /// The query string without `?`, if any.
    public let query: Substring?
    /// The body, if one was sent.
    public let body: ByteBuffer?

    /// Creates a request from its head and body.
    public init(head: HTTPRequestHead, body: ByteBuffer?) {
        self.head = head
        let uri = Substring(head.uri)
        if let mark = uri.utf8.firstIndex(of: UInt8(ascii: "?")) {
            self.path = uri[..<mark]
            self.query = uri[uri.index(after: mark)...]
        } else {
            self.path = uri
            self.query = nil
        }
        if self.path.utf8.first != UInt8(ascii: "/") {
            // absolute-form (`http://host/path`): route on its path.
            self.path = RequestTarget.path(of: head.uri) ?? self.path
        }
        self.body = body
    }

    /// The method.
    public var method: HTTPMethod { self.head.method }
    /// The headers.
    public var headers: HTTPHeaders { self.head.headers }
}
