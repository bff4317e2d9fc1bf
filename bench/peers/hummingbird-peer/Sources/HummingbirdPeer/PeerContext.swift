import Foundation
import Hummingbird

/// The store a `/v1` request acts for, resolved by `TenantMiddleware`.
struct Tenant: Sendable {
    let storeId: UUID
    let timezone: String
    let currency: String
}

/// Hummingbird's request context plus the tenant: the usual way to carry what a middleware
/// resolved to the handlers.
struct PeerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var tenant: Tenant?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.tenant = nil
    }

    /// The tenant, or a `500` when a route forgot the middleware.
    func requireTenant() throws -> Tenant {
        guard let tenant = self.tenant else {
            throw APIError(.internalServerError, code: "INTERNAL_ERROR", message: "No tenant")
        }
        return tenant
    }
}
