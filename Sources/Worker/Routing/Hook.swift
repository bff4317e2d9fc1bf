import NIOCore

/// Code that runs before a group's handlers, in order: it may end the request by throwing (an
/// `APIError` is the answer, e.g. `401`) or put typed values into the context for the handler
/// (`context.set(tenant)`). This is where tenant resolution and authentication plug in.
///
/// A `sync` hook keeps a `sync` route synchronous; an `async` one (a lookup in Redis, say) runs
/// the route in a task.
struct Hook: Sendable {
    enum Body: Sendable {
        case sync(@Sendable (Request, inout RequestContext) throws -> Void)
        case async(@Sendable (Request, inout RequestContext) async throws -> Void)
        /// Done at once (`nil`, the context updated in place) or, when it must wait, a future of
        /// the updated context on the request's event loop.
        case future(@Sendable (Request, inout RequestContext) throws -> EventLoopFuture<RequestContext>?)
    }

    let body: Body

    /// A hook that answers at once.
    static func sync(_ body: @escaping @Sendable (Request, inout RequestContext) throws -> Void) -> Hook {
        Hook(body: .sync(body))
    }

    /// A hook that may wait.
    static func async(_ body: @escaping @Sendable (Request, inout RequestContext) async throws -> Void) -> Hook {
        Hook(body: .async(body))
    }

    /// A hook that answers at once when it can and otherwise with a future (a cache in front of
    /// a lookup): with `sync` and `future` routes, no task.
    static func future(
        _ body: @escaping @Sendable (Request, inout RequestContext) throws -> EventLoopFuture<RequestContext>?
    ) -> Hook {
        Hook(body: .future(body))
    }

    /// `handler` preceded by `hooks`.
    static func compose(_ hooks: [Hook], _ handler: Router.Handler) -> Router.Handler {
        guard !hooks.isEmpty else { return handler }
        let syncHooks = hooks.compactMap { hook -> (@Sendable (Request, inout RequestContext) throws -> Void)? in
            if case .sync(let body) = hook.body { return body }
            return nil
        }
        if syncHooks.count == hooks.count {
            @Sendable func run(_ request: Request, _ context: RequestContext) throws -> RequestContext {
                var context = context
                for hook in syncHooks { try hook(request, &context) }
                return context
            }
            switch handler {
            case .sync(let body):
                return .sync { request, context in try body(request, try run(request, context)) }
            case .future(let body):
                return .future { request, context in
                    do {
                        return body(request, try run(request, context))
                    } catch {
                        return context.eventLoop.makeFailedFuture(error)
                    }
                }
            case .async(let body):
                return .async { request, context in try await body(request, try run(request, context)) }
            }
        }
        let bodies = hooks.map(\.body)
        if !bodies.contains(where: { if case .async = $0 { true } else { false } }) {
            switch handler {
            case .sync(let body):
                return .future { request, context in
                    Self.chain(bodies[...], request, context) { ready in
                        ready.eventLoop.makeCompletedFuture { try body(request, ready) }
                    }
                }
            case .future(let body):
                return .future { request, context in Self.chain(bodies[...], request, context) { body(request, $0) } }
            case .async:
                break
            }
        }
        return .async { request, context in
            var context = context
            for hook in hooks {
                switch hook.body {
                case .sync(let body): try body(request, &context)
                case .async(let body): try await body(request, &context)
                case .future(let body):
                    if let pending = try body(request, &context) { context = try await pending.get() }
                }
            }
            let ready = context
            switch handler {
            case .sync(let body): return try body(request, ready)
            case .future(let body): return try await ready.eventLoop.flatSubmit { body(request, ready) }.get()
            case .async(let body): return try await body(request, ready)
            }
        }
    }

    /// Runs `hooks` (`sync` and `future` only) in order, then `handler`: on the event loop, a
    /// future only where a hook must wait.
    private static func chain(
        _ hooks: ArraySlice<Body>,
        _ request: Request,
        _ context: RequestContext,
        then handler: @escaping @Sendable (RequestContext) -> EventLoopFuture<Response>
    ) -> EventLoopFuture<Response> {
        var context = context
        for index in hooks.indices {
            do {
                switch hooks[index] {
                case .sync(let body):
                    try body(request, &context)
                case .future(let body):
                    guard let pending = try body(request, &context) else { continue }
                    let rest = hooks[(index + 1)...]
                    return pending.flatMap { ready in Self.chain(rest, request, ready, then: handler) }
                case .async:
                    preconditionFailure("an async hook needs an async route")
                }
            } catch {
                return context.eventLoop.makeFailedFuture(error)
            }
        }
        return handler(context)
    }
}
