import NIOCore
import NIOHTTP1
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// Maps method + path to a route. Built once at start, read-only afterwards.
///
/// Templates are paths whose segments may be parameters: `/v1/charts/{chartId}`. A path that
/// is a registered fully static template is found by its length and one byte comparison
/// (`ExactRoutes`, the fast path: `/health/live` pays nothing for parameters, nor for
/// hashing). Other paths walk a segment trie where, at each
/// segment, a static child is tried before a parameter and a dead end backtracks, so
/// `/v1/charts/new` beats `/v1/charts/{chartId}` and `/a/b/d` still reaches `/a/{x}/d` beside
/// `/a/b/c`. Matching is by the raw segment; parameter values are percent-decoded on access.
///
/// `HEAD` is served by the `GET` handler (the server drops the body). An unknown path is 404,
/// a known path with another method is 405 with `Allow`.
struct Router: Sendable, RouteRegistrar {
    /// A route's code. Prefer `async`; `sync` and `future` exist for hot routes that must not
    /// pay for a task.
    enum Handler: Sendable {
        /// Answers at once on the event loop.
        case sync(@Sendable (Request, RequestContext) throws -> Response)
        /// Answers with a future on `context.eventLoop`.
        case future(@Sendable (Request, RequestContext) -> EventLoopFuture<Response>)
        /// Answers from a task.
        case async(@Sendable (Request, RequestContext) async throws -> Response)
    }

    /// A registered route: its template (the label for metrics and logs) and its handler, with
    /// its groups' hooks already composed in. A class: a lookup hands out one reference.
    final class Route: Sendable {
        /// The template's id: its index in `Router.templates` (the metrics' `http_route`). The
        /// routes of one template, whatever their method, share it.
        let id: Int
        /// The template it was registered with, e.g. `/v1/charts/{chartId}`.
        let template: String
        /// The handler.
        let handler: Handler
        /// The parameter names, in path order.
        let parameterNames: [String]

        init(id: Int, template: String, handler: Handler, parameterNames: [String]) {
            self.id = id
            self.template = template
            self.handler = handler
            self.parameterNames = parameterNames
        }
    }

    /// The outcome of a lookup.
    enum Resolution {
        /// The route and the path's parameter values.
        case found(Route, Parameters)
        case notFound
        case methodNotAllowed(allowed: [String])
    }

    private var exact = ExactRoutes()
    private var trie = RouteTrie()
    private var templateIDs: [String: Int] = [:]
    /// Route templates by route id, in registration order (published to the metrics region).
    private(set) var templates: [String] = []

    /// An empty router.
    init() {}

    /// Registers `handler` for `method` and `template` (`/static/path` or `/with/{parameter}`).
    mutating func on(_ method: HTTPMethod, _ template: String, _ handler: Handler) {
        let template = RouteTemplate(template)
        let id = self.templateIDs[template.text] ?? self.templates.count
        if id == self.templates.count {
            self.templateIDs[template.text] = id
            self.templates.append(template.text)
        }
        let route = Route(id: id, template: template.text, handler: handler, parameterNames: template.parameterNames)
        if template.parameterNames.isEmpty {
            self.exact.add(template.text, method, route)
        } else {
            self.trie.insert(template, method: method, route: route)
        }
    }

    /// Finds the route for `method` on `path`.
    func resolve(_ method: HTTPMethod, _ path: Substring) -> Resolution {
        if let resolution = self.exact.resolve(method, path) { return resolution }
        var values: [Substring] = []
        guard let methods = self.trie.match(path, values: &values) else { return .notFound }
        guard let route = methods.route(for: method) else { return .methodNotAllowed(allowed: methods.allowed) }
        return .found(route, Parameters(names: route.parameterNames, values: values))
    }
}

/// The routes of one path, by method.
struct RouteMethods: Sendable {
    /// `GET` and `POST`, the methods nearly every request has, in their own slots: a lookup in
    /// `others` hashes the method's name (~350 instructions per request, callgrind).
    private var get: Router.Route?
    private var post: Router.Route?
    /// Every other method, by name.
    private var others: [String: Router.Route] = [:]

    mutating func add(_ method: HTTPMethod, _ route: Router.Route) {
        precondition(self.registered(method) == nil, "\(method) \(route.template) is registered twice")
        switch method {
        case .GET: self.get = route
        case .POST: self.post = route
        default: self.others[method.rawValue] = route
        }
    }

    /// The route registered for exactly `method`.
    private func registered(_ method: HTTPMethod) -> Router.Route? {
        switch method {
        case .GET: self.get
        case .POST: self.post
        default: self.others[method.rawValue]
        }
    }

    /// The route for `method`; `HEAD` falls back to `GET`.
    func route(for method: HTTPMethod) -> Router.Route? {
        self.registered(method) ?? (method.isHEAD ? self.get : nil)
    }

    /// The methods for `Allow`, sorted, with `HEAD` wherever `GET` is.
    var allowed: [String] {
        var allowed = Array(self.others.keys)
        if self.get != nil { allowed.append("GET") }
        if self.post != nil { allowed.append("POST") }
        if self.get != nil && self.others["HEAD"] == nil { allowed.append("HEAD") }
        return allowed.sorted()
    }
}

/// The fully static templates, by path length: a lookup compares the path's bytes with the few
/// templates of its length (`memcmp`), without hashing it (SipHash over the path and a generic
/// `Substring` comparison cost ~600 instructions a request).
struct ExactRoutes: Sendable {
    private struct Entry: Sendable {
        let path: [UInt8]
        var methods: RouteMethods
    }

    /// `byLength[n]`: the templates of `n` bytes.
    private var byLength: [[Entry]] = []

    mutating func add(_ path: String, _ method: HTTPMethod, _ route: Router.Route) {
        let bytes = Array(path.utf8)
        while self.byLength.count <= bytes.count { self.byLength.append([]) }
        if let index = self.byLength[bytes.count].firstIndex(where: { $0.path == bytes }) {
            self.byLength[bytes.count][index].methods.add(method, route)
        } else {
            var methods = RouteMethods()
            methods.add(method, route)
            self.byLength[bytes.count].append(Entry(path: bytes, methods: methods))
        }
    }

    /// The resolution of `method` on `path` when `path` is a static template, else `nil`. The
    /// entries are read in place: no copy of a template's `RouteMethods` (three references)
    /// per request.
    func resolve(_ method: HTTPMethod, _ path: Substring) -> Router.Resolution? {
        let count = path.utf8.count
        guard count > 0, count < self.byLength.count else { return nil }
        return self.byLength[count].withUnsafeBufferPointer { entries -> Router.Resolution? in
            guard !entries.isEmpty else { return nil }
            let found: Int?? = path.utf8.withContiguousStorageIfAvailable { bytes in
                entries.firstIndex { entry in
                    entry.path.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress!, count) == 0 }
                }
            }
            // A path not stored contiguously is compared element by element.
            guard let index = found ?? entries.firstIndex(where: { $0.path.elementsEqual(path.utf8) }) else {
                return nil
            }
            guard let route = entries[index].methods.route(for: method) else {
                return .methodNotAllowed(allowed: entries[index].methods.allowed)
            }
            return .found(route, Parameters())
        }
    }
}

extension HTTPMethod {
    /// Whether this is `HEAD`, by its case: `==` on `HTTPMethod` resolves to the
    /// `RawRepresentable` overload, which builds and compares both method names.
    var isHEAD: Bool {
        if case .HEAD = self { return true }
        return false
    }
}
