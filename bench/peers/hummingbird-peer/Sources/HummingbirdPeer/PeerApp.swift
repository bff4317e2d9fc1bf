import Foundation
import Hummingbird
import Logging
import NIOPosix
import PostgresNIO

/// The Hummingbird 2 + postgres-nio peer of saas-api's `/v1/charts` and
/// `/v1/analytics/revenue` (issue 13's benchmark): one process, `PEER_THREADS` event-loop
/// threads shared by HTTP and PostgreSQL, a `PostgresClient` pool of `PEER_PG_CONNECTIONS`.
@main
struct PeerApp {
    static func main() async throws {
        let config: PeerConfig
        do {
            config = try PeerConfig.fromEnvironment()
        } catch {
            print("hummingbird-peer: \(error)")
            exit(2)
        }
        var logger = Logger(label: "hummingbird-peer")
        logger.logLevel = .warning
        let group = MultiThreadedEventLoopGroup(numberOfThreads: config.threads)
        let client = PostgresClient(configuration: config.database, eventLoopGroup: group, backgroundLogger: logger)
        let database = Database(client: client, statementTimeoutMilliseconds: config.statementTimeoutMilliseconds)

        let router = Router(context: PeerContext.self)
        router.get("health/live") { _, _ in "{\"status\":\"ok\"}" }
        let v1 = router.group("v1").add(middleware: TenantMiddleware(database: database, ttl: config.tenantTTL))
        ChartRoutes(database: database).register(in: v1)
        RevenueRoutes(database: database).register(in: v1)

        var app = Application(
            router: router,
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: nil),
            eventLoopGroupProvider: .shared(group),
            logger: logger
        )
        app.addServices(client)
        try await app.runService()
    }
}
