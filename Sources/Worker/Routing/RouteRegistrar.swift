import NIOHTTP1

/// Where routes are registered: the `Router` itself or a `RouteGroup` inside it. The shorthands
/// (`get`, `post`, …, `group`) come with it.
protocol RouteRegistrar {
    /// Registers `handler` for `method` and `template`.
    mutating func on(_ method: HTTPMethod, _ template: String, _ handler: Router.Handler)
}

/// An async route handler, the common kind.
typealias AsyncRouteHandler = @Sendable (Request, RequestContext) async throws -> Response

extension RouteRegistrar {
    /// Registers an async `GET` handler (also answering `HEAD`).
    mutating func get(_ template: String, _ handler: @escaping AsyncRouteHandler) {
        self.on(.GET, template, .async(handler))
    }

    /// Registers an async `POST` handler.
    mutating func post(_ template: String, _ handler: @escaping AsyncRouteHandler) {
        self.on(.POST, template, .async(handler))
    }

    /// Registers an async `PUT` handler.
    mutating func put(_ template: String, _ handler: @escaping AsyncRouteHandler) {
        self.on(.PUT, template, .async(handler))
    }

    /// Registers an async `PATCH` handler.
    mutating func patch(_ template: String, _ handler: @escaping AsyncRouteHandler) {
        self.on(.PATCH, template, .async(handler))
    }

    /// Registers an async `DELETE` handler.
    mutating func delete(_ template: String, _ handler: @escaping AsyncRouteHandler) {
        self.on(.DELETE, template, .async(handler))
    }

    /// Registers the routes `body` adds under `prefix` (`/v1`), each running `hooks` in order
    /// before its handler (and after the hooks of enclosing groups).
    mutating func group(_ prefix: String, before hooks: Hook..., routes body: (inout RouteGroup) -> Void) {
        precondition(prefix.utf8.first == UInt8(ascii: "/") && prefix.utf8.last != UInt8(ascii: "/"), "bad prefix")
        var group = RouteGroup(hooks: hooks)
        body(&group)
        for route in group.routes { self.on(route.method, prefix + route.template, route.handler) }
    }
}

/// The routes of one group, collected and then registered with the group's prefix. Its hooks are
/// composed into each handler here, at registration, so the server's dispatch knows nothing of
/// them and a route outside any group pays nothing.
struct RouteGroup: RouteRegistrar {
    let hooks: [Hook]
    private(set) var routes: [(method: HTTPMethod, template: String, handler: Router.Handler)] = []

    init(hooks: [Hook]) {
        self.hooks = hooks
    }

    mutating func on(_ method: HTTPMethod, _ template: String, _ handler: Router.Handler) {
        self.routes.append((method, template, Hook.compose(self.hooks, handler)))
    }
}
