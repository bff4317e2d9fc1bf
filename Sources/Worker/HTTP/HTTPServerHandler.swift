import Logging
import NIOCore
import NIOHTTP1
import Shared

/// One connection's HTTP/1.1 handling: request id → routing → error mapping → response →
/// access log, in that order, for each request of the connection.
///
/// Pipelining is serialised by NIO's `HTTPServerPipelineHandler` before this handler, so at
/// most one request per connection is in progress here. Responses produced while reading are
/// flushed once per read burst (`channelReadComplete`), others at once.
final class HTTPServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// Between requests.
        case idle
        /// Head received, collecting the body.
        case receiving(Exchange, body: ByteBuffer?)
        /// The request was rejected while arriving (e.g. body too large); the rest is ignored
        /// and the connection closes after the response.
        case rejected
        /// The handler is running.
        case responding
    }

    /// What stays the same from a request's head to its access-log line.
    private struct Exchange {
        let head: HTTPRequestHead
        let requestID: String
        let started: UInt64
    }

    private let router: Router
    private let services: WorkerServices
    private let logger: Logger
    private let requestIDs: RequestIDSource
    private var state = State.idle
    private var isReading = false
    private var needsFlush = false

    init(router: Router, services: WorkerServices, logger: Logger, requestIDs: RequestIDSource) {
        self.router = router
        self.services = services
        self.logger = logger
        self.requestIDs = requestIDs
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.isReading = true
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            let exchange = Exchange(
                head: head,
                requestID: self.requestID(for: head),
                started: MonotonicClock.nanoseconds()
            )
            self.services.counters.begin()
            if let length = head.headers.first(name: "content-length").flatMap({ Int($0) }),
                length > self.services.config.maxBodySize
            {
                self.reject(context: context, exchange, APIError(.payloadTooLarge, self.tooLargeMessage))
                return
            }
            self.state = .receiving(exchange, body: nil)
        case .body(var chunk):
            guard case .receiving(let exchange, var body) = self.state else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > self.services.config.maxBodySize {
                self.reject(context: context, exchange, APIError(.payloadTooLarge, self.tooLargeMessage))
                return
            }
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
            self.state = .receiving(exchange, body: body)
        case .end:
            switch self.state {
            case .receiving(let exchange, let body):
                self.state = .responding
                self.dispatch(context: context, exchange, body: body)
            case .rejected:
                self.state = .idle
            case .idle, .responding:
                break
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.isReading = false
        if self.needsFlush {
            self.needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard error is HTTPParserError, case .idle = self.state else {
            context.close(promise: nil)
            return
        }
        // A malformed request: answer in the envelope, then close (the stream cannot be trusted).
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "-", headers: ["connection": "close"])
        let exchange = Exchange(head: head, requestID: self.requestIDs.next(), started: MonotonicClock.nanoseconds())
        self.services.counters.begin()
        self.reject(context: context, exchange, APIError(.badRequest, "The request is not valid HTTP/1.1"))
    }

    // MARK: - Request flow

    private func dispatch(context: ChannelHandlerContext, _ exchange: Exchange, body: ByteBuffer?) {
        let request = Request(head: exchange.head, body: body)
        switch self.router.resolve(exchange.head.method, request.path) {
        case .notFound:
            let error = APIError.routeNotFound(method: exchange.head.method.rawValue, path: String(request.path))
            self.finish(context: context, exchange, .error(error))
        case .methodNotAllowed(let allowed):
            let error = APIError.methodNotAllowed(
                method: exchange.head.method.rawValue,
                path: String(request.path),
                allowed: allowed
            )
            self.finish(context: context, exchange, .error(error))
        case .found(let handler):
            let requestContext = RequestContext(
                requestID: exchange.requestID,
                baseLogger: self.logger,
                eventLoop: context.eventLoop,
                services: self.services
            )
            switch handler {
            case .sync(let body):
                let response: Response
                do {
                    response = try body(request, requestContext)
                } catch {
                    response = self.map(error, exchange)
                }
                self.finish(context: context, exchange, response)
            case .future(let body):
                self.complete(context: context, exchange, body(request, requestContext))
            case .async(let body):
                let promise = context.eventLoop.makePromise(of: Response.self)
                promise.completeWithTask { try await body(request, requestContext) }
                self.complete(context: context, exchange, promise.futureResult)
            }
        }
    }

    private func complete(context: ChannelHandlerContext, _ exchange: Exchange, _ future: EventLoopFuture<Response>) {
        future.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let response): self.finish(context: context, exchange, response)
            case .failure(let error): self.finish(context: context, exchange, self.map(error, exchange))
            }
        }
    }

    /// Error mapping: an `APIError` is the client's answer; anything else is a 500 whose detail
    /// goes only to the log.
    private func map(_ error: any Error, _ exchange: Exchange) -> Response {
        if let error = error as? APIError { return .error(error) }
        self.logger.error(
            "unhandled error: \(String(reflecting: error))",
            metadata: [LogKey.requestID: .string(exchange.requestID)]
        )
        return .error(APIError(.internalError))
    }

    private func reject(context: ChannelHandlerContext, _ exchange: Exchange, _ error: APIError) {
        self.state = .rejected
        self.finish(context: context, exchange, .error(error), forceClose: true)
    }

    private func finish(
        context: ChannelHandlerContext,
        _ exchange: Exchange,
        _ response: Response,
        forceClose: Bool = false
    ) {
        let keepAlive = exchange.head.isKeepAlive && !forceClose
        var headers = response.headers
        headers.add(name: "Content-Length", value: String(response.body.readableBytes))
        headers.add(name: "X-Request-Id", value: exchange.requestID)
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if exchange.head.version.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        let head = HTTPResponseHead(version: exchange.head.version, status: response.status, headers: headers)
        if case .responding = self.state { self.state = .idle }
        self.services.counters.end()
        self.accessLog(exchange, status: response.status.code)

        context.write(self.wrapOutboundOut(.head(head)), promise: nil)
        if exchange.head.method != .HEAD && response.body.readableBytes > 0 {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        if !keepAlive {
            context.writeAndFlush(self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        } else if self.isReading {
            context.write(self.wrapOutboundOut(.end(nil)), promise: nil)
            self.needsFlush = true
        } else {
            context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    // MARK: - Helpers

    private var tooLargeMessage: String {
        "The request body exceeds \(self.services.config.maxBodySize) bytes"
    }

    private func requestID(for head: HTTPRequestHead) -> String {
        if let incoming = head.headers.first(name: "x-request-id"), RequestIDGenerator.isAcceptable(incoming) {
            return incoming
        }
        return self.requestIDs.next()
    }

    private func accessLog(_ exchange: Exchange, status: UInt) {
        guard self.logger.logLevel <= .info else { return }
        let elapsed = MonotonicClock.nanoseconds() &- exchange.started
        let milliseconds = Double(elapsed / 1000) / 1000
        let uri = exchange.head.uri
        let path = APIError.printable(uri.firstIndex(of: "?").map { String(uri[..<$0]) } ?? uri)
        let method = exchange.head.method.rawValue
        self.logger.info(
            "\(method) \(path) \(status)",
            metadata: [
                LogKey.requestID: .string(exchange.requestID),
                "http_method": .string(method),
                "http_path": .string(path),
                "http_status": .stringConvertible(Int(status)),
                "duration_ms": .stringConvertible(milliseconds),
            ]
        )
    }
}
