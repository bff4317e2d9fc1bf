import Shared

@testable import TestSupport
@testable import Worker

/// `RevenueRoutes` served in process (TestSupport's `TestServer`) against the suite's real
/// database: a `/v1` group whose hook puts the `Tenant` named by `X-Store-Id` into the context
/// (a stand-in for the real tenant hook, which is not under test here), the worker's own
/// PostgreSQL pool as `app_rw`, and the server's error mapping and envelope.
final class RevenueRouteServer: Sendable {
    private let server: TestServer

    /// Serves the route for `tenants` on `database`.
    init(database: TestDatabase, tenants: [Tenant]) throws {
        let known = Dictionary(uniqueKeysWithValues: tenants.map { ($0.storeId.description, $0) })
        var config = TestServer.defaultConfig
        config.databaseURL = database.url(.rw)
        config.postgresPoolSize = 2
        self.server = try TestServer(.inProcess, config: config) { router in
            router.group(
                "/v1",
                before: .sync { request, context in
                    guard let tenant = request.headers.first(name: "X-Store-Id").flatMap({ known[$0] }) else {
                        throw APIError(.notFound, "Store not found")
                    }
                    context.set(tenant)
                }
            ) { v1 in
                RevenueRoutes.register(in: &v1)
            }
        }
    }

    /// `GET target` as store `store`.
    func get(_ target: String, store: Shared.UUID) async throws -> TestResponse {
        try await self.server.client.get(target, headers: [("X-Store-Id", store.description)])
    }
}
