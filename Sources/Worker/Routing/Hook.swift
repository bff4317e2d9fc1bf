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
        return .async { request, context in
            var context = context
            for hook in hooks {
                switch hook.body {
                case .sync(let body): try body(request, &context)
                case .async(let body): try await body(request, &context)
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
}
