import NIOCore
import Shared

extension HTTPServerHandler {
    /// Routes a complete request and runs its handler; every outcome ends in `finish`.
    func dispatch(context: ChannelHandlerContext, _ exchange: Exchange, body: ByteBuffer?) {
        var request = Request(
            head: exchange.head,
            fields: self.fields,
            body: body,
            pathLength: exchange.pathLength
        )
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
        case .found(let route, let parameters):
            self.exchange?.route = route.id  // `endExchange` reads it from there: no copy of the exchange
            request.parameters = parameters
            let request = request
            let requestContext = RequestContext(
                requestID: exchange.requestID,
                trace: exchange.trace,
                baseLogger: self.logger,
                eventLoop: context.eventLoop,
                services: self.services
            )
            self.run(route.handler, request, requestContext, exchange, context: context)
        }
    }

    /// Runs a route's handler: a synchronous one answers at once, a later one is under the
    /// handler timeout.
    private func run(
        _ handler: Router.Handler,
        _ request: Request,
        _ requestContext: RequestContext,
        _ exchange: Exchange,
        context: ChannelHandlerContext
    ) {
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
            self.schedule(self.connection.handlerStarted(now: self.clock()), context: context)
            self.complete(context: context, exchange, body(request, requestContext))
        case .async(let body):
            self.schedule(self.connection.handlerStarted(now: self.clock()), context: context)
            let promise = context.eventLoop.makePromise(of: Response.self)
            promise.completeWithTask { try await body(request, requestContext) }
            self.complete(context: context, exchange, promise.futureResult)
        }
    }

    /// The handler's deadline passed: 504 now; its late result is dropped by `complete`.
    func handlerTimedOut(context: ChannelHandlerContext) {
        guard let exchange = self.exchange else { return }
        self.logger.warning(
            "handler timed out",
            metadata: [
                LogKey.requestID: .string(exchange.requestID),
                LogKey.traceID: .string(exchange.trace.traceID),
                LogKey.spanID: .string(exchange.trace.spanIDText),
                "timeout_ms": .stringConvertible(self.limits.handlerTimeout.nanoseconds / 1_000_000),
            ]
        )
        self.finish(context: context, exchange, .error(APIError(.gatewayTimeout)))
        self.process(context: context)  // requests pipelined behind it
    }

    private func complete(context: ChannelHandlerContext, _ exchange: Exchange, _ future: EventLoopFuture<Response>) {
        future.assumeIsolated().whenComplete { result in
            // Answered already (timeout) or the connection is gone: drop the late result.
            guard self.connection.isCurrent(exchange.serial) else { return }
            // Outside a read burst, the response and any pipelined ones behind it leave in
            // one flush.
            let outer = self.connection.burstBegan()
            switch result {
            case .success(let response): self.finish(context: context, exchange, response)
            case .failure(let error): self.finish(context: context, exchange, self.map(error, exchange))
            }
            self.process(context: context)
            if self.connection.burstEnded(outer: outer) { self.flushOutput(context: context) }
        }
    }

    /// Error mapping: the client gets a safe answer; an unexpected error's detail goes only to
    /// the log, with the request id.
    private func map(_ error: any Error, _ exchange: Exchange) -> Response {
        let (answer, unexpected) = HTTPErrorMapping.response(toHandlerError: error)
        if unexpected {
            self.logger.error(
                "request failed: \(String(reflecting: error))",
                metadata: [
                    LogKey.requestID: .string(exchange.requestID),
                    LogKey.traceID: .string(exchange.trace.traceID),
                    LogKey.spanID: .string(exchange.trace.spanIDText),
                    "error_code": .string(answer.code.rawValue),
                ]
            )
        }
        return .error(answer)
    }
}
