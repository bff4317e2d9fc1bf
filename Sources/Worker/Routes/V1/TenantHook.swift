import Logging
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

    /// The hook, resolving through `cache` (one per router, hence one per worker).
    static func make(cache: TenantCache) -> Hook {
        .async { request, context in
            context.set(try await self.resolve(request, context, cache: cache))
        }
    }

    /// The tenant of `request`, or the error that ends it.
    static func resolve(_ request: Request, _ context: RequestContext, cache: TenantCache) async throws -> Tenant {
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
            return tenant
        case .missing:
            throw Self.storeNotFound
        case .unknown:
            let tenant = try await context.withTenant(store, readOnly: true) { tx -> Tenant? in
                guard
                    let row = try tx.query("SELECT timezone, currency_code FROM app.stores WHERE id = $1", store).first
                else { return nil }
                return Tenant(
                    storeId: store,
                    timezone: try row.string("timezone"),
                    currency: try row.string("currency_code")
                )
            }
            cache.remember(store, tenant)
            guard let tenant else { throw Self.storeNotFound }
            return tenant
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
