import Logging
import NIOCore
import Shared

/// The `/v1` group's `before` hook: which store a request acts for, put into the context as a
/// `Tenant` (`try context.require(Tenant.self)` in handlers).
///
/// Until authentication lands this is the one small seam it will replace:
/// - `APP_ENV` `development` / `test`: the `X-Store-Id: <uuid>` header names the store
///   (development only, never trusted elsewhere). Missing → `401`, not a UUID → `400`, no such
///   store → `404`.
/// - `staging` / `production`: no authenticator is configured, so every `/v1` request is `401`
///   and each worker logs one warning at start (`announce`).
///
/// The store's timezone and currency come from `app.stores` (inside `withTenant`, so row-level
/// security applies) and are kept in a per-worker `TenantCache`: a hit costs no round trip.
enum TenantHook {
    /// The development-only header naming the store.
    static let headerName = "X-Store-Id"

    /// The hook, resolving through `cache` (one per router, hence one per worker). A cached
    /// store answers at once on the event loop (no task, no hop); only a lookup waits.
    static func make(cache: TenantCache) -> Hook {
        .future { request, context in
            switch try self.resolve(request, context, cache: cache) {
            case .resolved(let tenant):
                context.set(tenant)
                return nil
            case .lookUp(let pending):
                let waiting = context
                return pending.map { tenant in
                    var ready = waiting
                    ready.set(tenant)
                    return ready
                }
            }
        }
    }

    /// What `resolve` found: the tenant, or the lookup that will tell.
    enum Resolution {
        case resolved(Tenant)
        case lookUp(EventLoopFuture<Tenant>)
    }

    /// The tenant of `request` (from the cache, or looked up in `app.stores` and remembered),
    /// or the error that ends it.
    static func resolve(_ request: Request, _ context: RequestContext, cache: TenantCache) throws -> Resolution {
        guard self.acceptsStoreHeader(context.services.config.appEnv) else {
            throw APIError(.unauthorized, "Authentication is required")
        }
        guard let header = request.headers.first(name: self.headerName) else {
            throw APIError(.unauthorized, "The X-Store-Id header is required (development and test only)")
        }
        guard let store = UUID(header) else {
            throw APIError(.badRequest, "The X-Store-Id header must be a UUID")
        }
        switch cache.lookup(store) {
        case .found(let tenant):
            return .resolved(tenant)
        case .missing:
            throw Self.storeNotFound
        case .unknown:
            let lookup = context.services.postgres.queryAsTenant(
                store,
                readOnly: true,
                on: context.eventLoop,
                "SELECT timezone, currency_code FROM app.stores WHERE id = $1",
                parameters: [store]
            ) { rows -> Tenant? in
                guard let row = rows.first else { return nil }
                return Tenant(
                    storeId: store,
                    timezone: try row.string("timezone"),
                    currency: try row.string("currency_code")
                )
            }
            return .lookUp(
                lookup.flatMapThrowing { tenant in
                    cache.remember(store, tenant)
                    guard let tenant else { throw Self.storeNotFound }
                    return tenant
                }
            )
        }
    }

    /// Logs, once per worker at start, that `/v1` refuses everything in this environment.
    static func announce(config: Config, logger: Logger) {
        guard !self.acceptsStoreHeader(config.appEnv) else { return }
        logger.warning(
            "APP_ENV=\(config.appEnv.rawValue) has no authenticator configured: every /v1 route answers 401"
        )
    }

    /// Whether `X-Store-Id` names the tenant (development and test only).
    static func acceptsStoreHeader(_ environment: Config.AppEnv) -> Bool {
        environment == .development || environment == .test
    }

    private static let storeNotFound = APIError(.notFound, "Store not found")
}
