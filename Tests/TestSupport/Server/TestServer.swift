// `@testable import` needs a build with testing enabled (debug, as `swift build --build-tests`
// and `swift test` make it). Release builds compile this target too (it is a regular target),
// without the test server: nothing ships or links it there.
#if DEBUG
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Shared

@testable import Worker

/// A router served to a `TestClient` one of two ways, chosen by one switch:
/// - `.inProcess`: no socket and no parser; routing, hooks, handlers, decoding, error mapping
///   and the envelope run exactly as in the server.
/// - `.live`: a real NIO server on `127.0.0.1:0` with the production `HTTPServerHandler`, so
///   every request also goes through the real parser and framing.
///
/// `TEST_CLIENT_MODE=live` makes `.default` live, to run a whole suite over sockets.
///
/// Internal, for test targets that `@testable import TestSupport` (its API names the worker's
/// internal types, such as `Router`).
final class TestServer: Sendable {
    enum Mode: String, CaseIterable, Sendable, CustomStringConvertible {
        case inProcess
        case live

        /// `inProcess` unless `TEST_CLIENT_MODE=live`.
        static var `default`: Mode {
            ProcessEnvironment.current()["TEST_CLIENT_MODE"] == "live" ? .live : .inProcess
        }

        var description: String { self.rawValue }
    }

    let client: TestClient
    private let group: MultiThreadedEventLoopGroup
    private let services: WorkerServices
    private let channel: (any Channel)?

    /// The configuration tests start from: defaults with one connection per pool.
    static var defaultConfig: Config {
        var config = Config(cpuCount: 1)
        config.postgresPoolSize = 1
        config.redisPoolSize = 1
        return config
    }

    /// Serves `routes` (default: the production composition root) in `mode` with `config`
    /// (e.g. a test database's `DATABASE_URL`, another `APP_ENV`).
    init(
        _ mode: Mode = .default,
        config: Config = TestServer.defaultConfig,
        routes: (inout Router) -> Void = Routes.register
    ) throws {
        var routing = Router()
        routes(&routing)
        let router = routing
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = self.group.next()
        self.services = WorkerServices(config: config, eventLoop: loop, serviceStartMilliseconds: 0, logger: logger)
        switch mode {
        case .inProcess:
            self.channel = nil
            self.client = TestClient(InProcessTransport(router: router, services: self.services, eventLoop: loop))
        case .live:
            let services = self.services
            let limits = HTTPLimits(config: config)
            let channel = try ServerBootstrap(group: self.group)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            HTTPServerHandler(
                                router: router,
                                services: services,
                                logger: logger,
                                requestIDs: RequestIDSource(),
                                limits: limits
                            )
                        )
                    }
                }
                .bind(host: "127.0.0.1", port: 0).wait()
            self.channel = channel
            self.client = TestClient(SocketTransport(port: channel.localAddress?.port ?? 0))
        }
    }

    deinit {
        try? self.channel?.close().wait()
        self.services.postgres.shutdown()
        self.services.redis.shutdown()
        try? self.group.syncShutdownGracefully()
    }
}

/// Runs a request through the router and handler in process, with the server's error mapping.
struct InProcessTransport: TestTransport {
    let router: Router
    let services: WorkerServices
    let eventLoop: any EventLoop

    func send(_ request: TestRequest) async throws -> TestResponse {
        var headers = HTTPHeaders(request.headers.map { ($0.name, $0.value) })
        if !request.body.isEmpty { headers.replaceOrAdd(name: "Content-Length", value: String(request.body.count)) }
        let method = HTTPMethod(rawValue: request.method)
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: request.target, headers: headers)
        let pathLength =
            request.target.utf8.firstIndex(of: UInt8(ascii: "?")).map {
                request.target.utf8.distance(from: request.target.utf8.startIndex, to: $0)
            } ?? request.target.utf8.count
        var incoming = Request(
            head: head,
            body: request.body.isEmpty ? nil : ByteBuffer(bytes: request.body),
            pathLength: pathLength
        )
        let context = RequestContext(
            requestID: "test",
            trace: TraceContext(traceHigh: 1, traceLow: 1, spanID: 1),
            baseLogger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            eventLoop: self.eventLoop,
            services: self.services
        )
        let response: Response
        switch self.router.resolve(method, incoming.path) {
        case .notFound:
            response = .error(.routeNotFound(method: request.method, path: String(incoming.path)))
        case .methodNotAllowed(let allowed):
            response = .error(.methodNotAllowed(method: request.method, path: String(incoming.path), allowed: allowed))
        case .found(let route, let parameters):
            incoming.parameters = parameters
            let finalRequest = incoming
            do {
                switch route.handler {
                case .sync(let body):
                    response = try await self.eventLoop.submit { try body(finalRequest, context) }.get()
                case .future(let body):
                    response = try await self.eventLoop.flatSubmit { body(finalRequest, context) }.get()
                case .async(let body):
                    response = try await body(finalRequest, context)
                }
            } catch {
                response = .error(HTTPErrorMapping.response(toHandlerError: error).0)
            }
        }
        var responseHeaders = response.headers.map { (name: $0.name, value: $0.value) }
        responseHeaders.append(("Content-Length", String(response.body.readableBytes)))
        let body = method == .HEAD ? [] : Array(response.body.readableBytesView)
        return TestResponse(status: Int(response.status.code), headers: responseHeaders, body: body)
    }
}
#endif
