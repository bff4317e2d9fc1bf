import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PostgresNIO

/// The `/v1` tenant, as saas-api resolves it in development: `X-Store-Id: <uuid>` (missing →
/// `401`, malformed → `400`, unknown store → `404`), the store's timezone and currency read from
/// `app.stores` under row-level security and cached per process for `ttl`, so a request costs
/// no extra round trip once its store is known (saas-api's worker cache does the same).
struct TenantMiddleware: RouterMiddleware {
    typealias Context = PeerContext

    let database: Database
    let ttl: Duration
    private let cache = TenantCache()

    func handle(
        _ request: Request,
        context: PeerContext,
        next: (Request, PeerContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[Self.storeIdHeader] else {
            throw APIError(
                .unauthorized,
                code: "UNAUTHORIZED",
                message: "The X-Store-Id header is required (development and test only)"
            )
        }
        guard let storeId = UUID(uuidString: header) else {
            throw APIError(.badRequest, code: "BAD_REQUEST", message: "X-Store-Id must be a UUID", field: "X-Store-Id")
        }
        var context = context
        context.tenant = try await self.tenant(storeId, logger: context.logger)
        return try await next(request, context)
    }

    private static let storeIdHeader = HTTPField.Name("X-Store-Id")!

    private func tenant(_ storeId: UUID, logger: Logger) async throws -> Tenant {
        let now = ContinuousClock.now
        if let cached = self.cache.get(storeId, now: now) { return cached }
        let rows = try await self.database.withTenant(storeId, logger: logger) { connection in
            try await connection.query(
                "SELECT timezone, currency_code FROM app.stores WHERE id = \(storeId)",
                logger: logger
            ).collect()
        }
        guard let row = rows.first else {
            throw APIError(.notFound, code: "NOT_FOUND", message: "Store not found")
        }
        let (timezone, currency) = try row.decode((String, String).self)
        let tenant = Tenant(storeId: storeId, timezone: timezone, currency: currency)
        self.cache.put(tenant, until: now.advanced(by: self.ttl))
        return tenant
    }
}
