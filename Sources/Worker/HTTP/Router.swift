import NIOCore
import NIOHTTP1
import Shared

/// Maps method + path to a handler. Built once at start, read-only afterwards.
///
/// `HEAD` is served by the `GET` handler (the server drops the body). An unknown path is 404,
/// a known path with another method is 405 with `Allow`.
public struct Router: Sendable {
    /// A route's code. Prefer `async`; `sync` and `future` exist for hot routes that must not
    /// pay for a task.
    public enum Handler: Sendable {
        /// Answers at once on the event loop.
        case sync(@Sendable (Request, RequestContext) throws -> Response)
        /// Answers with a future on `context.eventLoop`.
        case future(@Sendable (Request, RequestContext) -> EventLoopFuture<Response>)
        /// Answers from a task.
        case async(@Sendable (Request, RequestContext) async throws -> Response)
    }

    /// The outcome of a lookup. `route` is the matched route's id, an index into `templates`
    /// (the `http_route` label of the request metrics).
    public enum Resolution {
        case found(Handler, route: Int)
        case notFound
        case methodNotAllowed(allowed: [String])
    }

    private var routes: [Substring: (id: Int, methods: [String: Handler])] = [:]
    /// Route templates by route id, in registration order (published to the metrics region).
    public private(set) var templates: [String] = []

    /// An empty router.
    public init() {}

    /// Registers `handler` for `method` and the exact `path`.
    public mutating func on(_ method: HTTPMethod, _ path: String, _ handler: Handler) {
        if self.routes[Substring(path)] == nil {
            self.routes[Substring(path)] = (self.templates.count, [:])
            self.templates.append(path)
        }
        self.routes[Substring(path)]!.methods[method.rawValue] = handler
    }

    /// Registers an async `GET` handler.
    public mutating func get(
        _ path: String,
        _ handler: @escaping @Sendable (Request, RequestContext) async throws -> Response
    ) {
        self.on(.GET, path, .async(handler))
    }

    /// Finds the handler for `method` on `path`.
    public func resolve(_ method: HTTPMethod, _ path: Substring) -> Resolution {
        guard let (id, methods) = self.routes[path] else { return .notFound }
        if let handler = methods[method.rawValue] { return .found(handler, route: id) }
        if method == .HEAD, let handler = methods["GET"] { return .found(handler, route: id) }
        var allowed = Array(methods.keys)
        if methods["GET"] != nil && methods["HEAD"] == nil { allowed.append("HEAD") }
        return .methodNotAllowed(allowed: allowed.sorted())
    }
}
