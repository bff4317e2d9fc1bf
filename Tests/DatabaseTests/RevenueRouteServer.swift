import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Shared
import TestSupport

@testable import Worker

/// `RevenueRoutes` served in process against the suite's real database: the production
/// router, a `/v1` group whose hook puts the `Tenant` named by `X-Store-Id` into the context (a
/// stand-in for the real tenant hook, which is not under test here), the worker's own
/// PostgreSQL pool as `app_rw`, and the server's error mapping and envelope.
final class RevenueRouteServer: Sendable {
    let client: TestClient
    private let group: MultiThreadedEventLoopGroup
    private let services: WorkerServices

    /// Serves the route for `tenants` on `database`.
    init(database: TestDatabase, tenants: [Tenant]) {
        let known = Dictionary(uniqueKeysWithValues: tenants.map { ($0.storeId.description, $0) })
        var router = Router()
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
        var config = Config(cpuCount: 1)
        config.databaseURL = database.url(.rw)
        config.postgresPoolSize = 2
        config.redisPoolSize = 1
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = self.group.next()
        self.services = WorkerServices(config: config, eventLoop: loop, serviceStartMilliseconds: 0, logger: logger)
        self.client = TestClient(RevenueTransport(router: router, services: self.services, eventLoop: loop))
    }

    /// `GET target` as store `store`.
    func get(_ target: String, store: Shared.UUID) async throws -> TestResponse {
        try await self.client.get(target, headers: [("X-Store-Id", store.description)])
    }

    deinit {
        self.services.postgres.shutdown()
        self.services.redis.shutdown()
        try? self.group.syncShutdownGracefully()
    }
}

/// Routes a request and runs its handler as the server does, errors answered by
/// `HTTPErrorMapping` with the envelope. (WorkerTests' `InProcessTransport` does the same for
/// every handler kind; it is not visible from this target.)
private struct RevenueTransport: TestTransport {
    let router: Router
    let services: WorkerServices
    let eventLoop: any EventLoop

    func send(_ request: TestRequest) async throws -> TestResponse {
        let head = HTTPRequestHead(
            version: .http1_1,
            method: HTTPMethod(rawValue: request.method),
            uri: request.target,
            headers: HTTPHeaders(request.headers.map { ($0.name, $0.value) })
        )
        let pathLength = request.target.split(separator: "?", maxSplits: 1)[0].utf8.count
        var incoming = Request(head: head, body: nil, pathLength: pathLength)
        let context = RequestContext(
            requestID: "test",
            trace: TraceContext(traceHigh: 1, traceLow: 1, spanID: 1),
            baseLogger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            eventLoop: self.eventLoop,
            services: self.services
        )
        guard case .found(let route, let parameters) = self.router.resolve(head.method, incoming.path),
            case .async(let handler) = route.handler
        else {
            return TestResponse(status: 404, headers: [], body: [])
        }
        incoming.parameters = parameters
        let response: Response
        do {
            response = try await handler(incoming, context)
        } catch {
            response = .error(HTTPErrorMapping.response(toHandlerError: error).0)
        }
        let headers = response.headers.map { (name: $0.name, value: $0.value) }
        return TestResponse(
            status: Int(response.status.code),
            headers: headers,
            body: Array(response.body.readableBytesView)
        )
    }
}
