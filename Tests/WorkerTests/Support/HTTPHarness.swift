import Foundation
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Shared

@testable import Worker

/// One connection's production HTTP pipeline (`HTTPServerHandler` with the configured limits)
/// on an `EmbeddedChannel`: bytes in, parsed
/// responses out, no sockets.
final class HTTPHarness {
    let channel: EmbeddedChannel
    let loop: EmbeddedEventLoop
    let services: WorkerServices
    let limits: HTTPLimits
    /// Every close the server asked for, in order (the embedded channel treats each as a full close).
    let closes = CloseRecorder()
    private var output: [UInt8] = []

    /// A connected channel with `routes` (default: `testRoutes`) and `limits` adjusted by `adjust`.
    init(
        adjust: (inout HTTPLimits) -> Void = { _ in },
        routes: (inout Router) -> Void = HTTPHarness.testRoutes
    ) throws {
        var config = Config(cpuCount: 1)
        config.postgresPoolSize = 1
        config.redisPoolSize = 1
        var limits = HTTPLimits(config: config)
        adjust(&limits)
        self.limits = limits
        let loop = EmbeddedEventLoop()
        self.loop = loop
        self.channel = EmbeddedChannel(loop: self.loop)
        let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        self.services = WorkerServices(
            config: config,
            eventLoop: self.loop,
            serviceStartMilliseconds: 0,
            logger: logger
        )
        var router = Router()
        routes(&router)
        let sync = self.channel.pipeline.syncOperations
        try sync.addHandler(self.closes)
        try sync.addHandler(
            HTTPServerHandler(
                router: router,
                services: self.services,
                logger: logger,
                requestIDs: RequestIDSource(),
                limits: limits,
                // The loop's clock: timeouts pass when a test advances it, without a sleep.
                clock: { loop.now.uptimeNanoseconds }
            )
        )
        try self.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }

    deinit {
        _ = try? self.channel.finish()
        self.services.postgres.shutdown()
        self.services.redis.shutdown()
    }

    /// Routes for the tests: `/ok` (sync), `/boom` (throws), `/api-error` (throws an APIError),
    /// `/future` (future), `/async` (async), `/echo` (POST, echoes the body), `/hang` (never
    /// answers).
    static func testRoutes(_ router: inout Router) {
        router.on(.GET, "/ok", .sync { _, _ in Response.json(.ok, Array(#"{"ok":true}"#.utf8)) })
        router.on(.GET, "/boom", .sync { _, _ in throw TestFailure(detail: "secret-detail") })
        router.on(.GET, "/api-error", .sync { _, _ in throw APIError(.conflict, "Already there") })
        router.on(
            .GET,
            "/future",
            .future { _, context in context.eventLoop.makeSucceededFuture(.json(.ok, Array("{}".utf8))) }
        )
        router.get("/async") { _, _ in .json(.ok, Array("{}".utf8)) }
        router.on(.POST, "/echo", .sync { request, _ in Response(status: .ok, body: request.body ?? ByteBuffer()) })
        router.on(
            .GET,
            "/hang",
            .future { _, context in context.eventLoop.makePromise(of: Response.self).futureResult }
        )
    }

    /// Sends raw bytes, as a client would.
    func send(_ text: String) throws {
        try self.channel.writeInbound(ByteBuffer(string: text))
    }

    /// Sends raw bytes.
    func send(bytes: [UInt8]) throws {
        try self.channel.writeInbound(ByteBuffer(bytes: bytes))
    }

    /// Runs due tasks (e.g. async handlers), after advancing the loop's clock (the server's
    /// clock) by `seconds`: timers due by then fire.
    func runPending(advancing seconds: Double = 0) {
        self.loop.run()
        if seconds > 0 { self.loop.advanceTime(by: .nanoseconds(Int64(seconds * 1e9))) }
        self.loop.run()
    }

    /// Every complete response written so far (not returned again by the next call).
    func responses(headRequests: Int = 0) throws -> [ParsedResponse] {
        while let buffer = try self.channel.readOutbound(as: ByteBuffer.self) {
            self.output += buffer.readableBytesView
        }
        var responses: [ParsedResponse] = []
        while let response = ParsedResponse.parse(self.output, noBody: responses.count < headRequests) {
            responses.append(response)
            self.output.removeFirst(response.length)
        }
        return responses
    }

    /// Sends `request` and returns the one response it produced.
    func exchange(_ request: String) throws -> ParsedResponse {
        try self.send(request)
        self.runPending()
        let responses = try self.responses()
        guard responses.count == 1 else { throw TestFailure(detail: "expected one response, got \(responses.count)") }
        return responses[0]
    }

    /// Whether the channel is still open for input (not closed, not output-shut).
    var isOpen: Bool { self.channel.isActive }
}

/// A failure for tests.
struct TestFailure: Error, CustomStringConvertible {
    let detail: String
    var description: String { self.detail }
}

/// Records the mode of every close that passes it, toward the socket.
final class CloseRecorder: ChannelOutboundHandler {
    typealias OutboundIn = NIOAny
    private(set) var modes: [CloseMode] = []

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        self.modes.append(mode)
        context.close(mode: mode, promise: promise)
    }
}
