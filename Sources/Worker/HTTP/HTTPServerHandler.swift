import Logging
import NIOCore
import NIOHTTP1
import Shared

/// One connection's HTTP/1.1 handling: head checks → request id → routing → error mapping →
/// response → access log, for each request of the connection, under one deadline at a time
/// (`ConnectionDeadline`).
///
/// Pipelining is serialised by NIO's `HTTPServerPipelineHandler` before this handler, so at
/// most one request per connection is in progress here. Responses produced while reading are
/// flushed once per read burst (`channelReadComplete`), others at once. Every answer the server
/// gives, including the codec's errors and timeouts, leaves through `finish`, so every one has
/// the envelope, `X-Request-Id` and the same headers.
final class HTTPServerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    enum State {
        /// Between requests (possibly with part of the next head buffered in the decoder).
        case idle
        /// Head received, collecting the body.
        case receiving(Exchange, body: ByteBuffer?)
        /// The handler is running.
        case responding(Exchange)
        /// A final response was written; the rest of the input is dropped until the close.
        case closing
    }

    /// What stays the same from a request's head to its access-log line.
    struct Exchange {
        let head: HTTPRequestHead
        let requestID: String
        /// Monotonic nanoseconds when the head arrived.
        let started: UInt64
        /// Tells a late handler result from the current request's.
        let serial: UInt32
    }

    let router: Router
    let services: WorkerServices
    let logger: Logger
    let requestIDs: RequestIDSource
    let limits: HTTPLimits
    var state = State.idle
    var deadline = ConnectionDeadline()
    var timer: Scheduled<Void>?
    var serial: UInt32 = 0
    var isReading = false
    var needsFlush = false

    init(router: Router, services: WorkerServices, logger: Logger, requestIDs: RequestIDSource, limits: HTTPLimits) {
        self.router = router
        self.services = services
        self.logger = logger
        self.requestIDs = requestIDs
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.enter(.idle, after: self.limits.keepAliveTimeout, from: MonotonicClock.nanoseconds(), context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.cancelTimer()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.cancelTimer()
        switch self.state {
        case .receiving, .responding: self.services.counters.abandon()
        case .idle, .closing: break
        }
        self.state = .closing
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.isReading = true
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.received(head, context: context)
        case .body(let chunk):
            self.received(chunk, context: context)
        case .end:
            guard case .receiving(let exchange, let body) = self.state else { return }
            self.state = .responding(exchange)
            self.dispatch(context: context, exchange, body: body)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        let delivered = self.isReading
        self.isReading = false
        if self.needsFlush {
            self.needsFlush = false
            context.flush()
        }
        if !delivered, case .idle = self.state {
            // Bytes arrived but no head yet: a request started; its head now has a deadline.
            let now = MonotonicClock.nanoseconds()
            self.enter(.head, after: self.limits.headerTimeout, from: now, context: context, keepEarlier: true)
        }
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // A client that sends requests but does not read responses stops being read from,
        // so its unread responses cannot pile up in memory.
        try? context.channel.syncOptions?.setOption(.autoRead, value: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let exchange: Exchange
        switch self.state {
        case .closing:
            return  // already answered; the connection is closing
        case .responding:
            context.close(promise: nil)
            return
        case .receiving(let current, _):
            exchange = current
        case .idle:
            exchange = self.anonymousExchange()
            self.services.counters.begin()
        }
        guard let parserError = error as? HTTPParserError,
            let answer = HTTPErrorMapping.response(to: parserError, limits: self.limits)
        else {
            self.services.counters.abandon()
            self.state = .closing
            context.close(promise: nil)
            return
        }
        // The stream cannot be trusted after a codec error: answer, then close.
        self.finish(context: context, exchange, .error(answer), forceClose: true)
    }

    // MARK: - Request arrival

    private func received(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        let now = MonotonicClock.nanoseconds()
        let verdict = RequestHeadCheck(limits: self.limits).check(head)
        let facts: RequestHeadCheck.Facts
        switch verdict {
        case .accept(let accepted): facts = accepted
        case .reject(_, let rejected): facts = rejected
        }
        self.serial &+= 1
        let exchange = Exchange(
            head: head,
            requestID: self.requestID(facts.requestID),
            started: now,
            serial: self.serial
        )
        self.services.counters.begin()
        if case .reject(let error, _) = verdict {
            self.finish(context: context, exchange, .error(error), forceClose: true)
            return
        }
        self.state = .receiving(exchange, body: nil)
        self.enter(.body, after: self.limits.bodyTimeout, from: now, context: context)
        if facts.expectsContinue, head.version == .http1_1, facts.isChunked || (facts.contentLength ?? 0) > 0 {
            self.writeContinue(context: context, version: head.version)
        }
    }

    private func received(_ chunk: ByteBuffer, context: ChannelHandlerContext) {
        guard case .receiving(let exchange, var body) = self.state else { return }
        // Drop the state's reference first, so appending does not copy the buffer.
        self.state = .closing
        if (body?.readableBytes ?? 0) + chunk.readableBytes > self.limits.maxBodySize {
            let error = APIError(.payloadTooLarge, "The request body exceeds \(self.limits.maxBodySize) bytes")
            self.finish(context: context, exchange, .error(error), forceClose: true)
            return
        }
        if body == nil {
            body = chunk
        } else {
            var chunk = chunk
            body!.writeBuffer(&chunk)
        }
        self.state = .receiving(exchange, body: body)
    }

    /// An exchange for an answer that has no parsed request (codec error, head timeout).
    func anonymousExchange() -> Exchange {
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "-", headers: [:])
        self.serial &+= 1
        return Exchange(
            head: head,
            requestID: self.requestIDs.next(),
            started: MonotonicClock.nanoseconds(),
            serial: self.serial
        )
    }

    private func requestID(_ incoming: String?) -> String {
        if let incoming, RequestIDGenerator.isAcceptable(incoming) { return incoming }
        return self.requestIDs.next()
    }
}
