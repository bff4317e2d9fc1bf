import Logging
import NIOCore
import NIOHTTP1
import Shared

/// One connection's HTTP/1.1 server, bytes in and bytes out: the request parser
/// (`HTTPRequestParser`), head checks, request id, routing, error mapping, the response
/// serialised straight into one output buffer, the access log, pipelining, the connection's
/// deadlines (`ConnectionDeadline`) and its part of a graceful drain.
///
/// It replaces NIO's HTTP codec, pipelining handler and header validator: on the hot path a
/// request is parsed in place from the read buffer, and every response of a read burst goes
/// out in one buffer with one flush (`channelReadComplete`); responses completed later are
/// flushed at once. Requests of a connection are answered in order, one at a time: while a
/// handler runs, later pipelined bytes wait in the input buffer and no further reads are
/// issued, so a client that pipelines without reading cannot make the server buffer without
/// bound. Every answer the server gives, including parse errors and timeouts, leaves through
/// `finish`, so every one has the envelope, `X-Request-Id` and the same headers.
final class HTTPServerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum State: Equatable {
        /// Between requests (possibly with part of the next head in `input`).
        case idle
        /// Head received, reading the body.
        case receiving
        /// The handler is running.
        case responding
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
        /// Whether the client wants the connection kept open.
        let keepAlive: Bool
        /// Bytes of the target before its query.
        var pathLength = 0
    }

    /// Bodies up to this size are copied behind the head (one write); larger ones are written
    /// as their own buffer.
    static let inlineBodyLimit = 16 * 1024

    /// Responses of a read burst are flushed once they pass this size, and no further
    /// pipelined request is handled while the channel is not writable: a burst of tiny
    /// requests cannot queue megabytes of responses.
    static let outputBound = 64 * 1024

    let router: Router
    let services: WorkerServices
    let logger: Logger
    let requestIDs: RequestIDSource
    let limits: HTTPLimits
    /// How long a draining worker keeps an idle connection open for a last request.
    let drainLinger: TimeAmount
    var state = State.idle
    /// The request being received or handled.
    var exchange: Exchange?
    var parser: HTTPRequestParser
    /// Bytes read and not yet consumed (part of a head, a body, pipelined requests).
    var input: ByteBuffer?
    var framing = BodyFraming.none
    var chunked: ChunkedBodyDecoder
    var body: ByteBuffer?
    /// Responses not yet handed to the channel; reused from response to response.
    var output = ByteBuffer()
    var outputPending = false
    var deadline = ConnectionDeadline()
    var timer: Scheduled<Void>?
    var serial: UInt32 = 0
    /// Inside a read burst: responses are flushed by `channelReadComplete`.
    var isReading = false
    var needsFlush = false
    /// `process` is running (a handler that completes synchronously must not re-enter it).
    var processing = false
    /// A read was withheld while a handler runs.
    var readHeld = false
    /// The worker is draining: every response says `Connection: close`.
    var draining = false

    init(
        router: Router,
        services: WorkerServices,
        logger: Logger,
        requestIDs: RequestIDSource,
        limits: HTTPLimits,
        drainLinger: TimeAmount = .seconds(2)
    ) {
        self.router = router
        self.services = services
        self.logger = logger
        self.requestIDs = requestIDs
        self.limits = limits
        self.drainLinger = drainLinger
        self.parser = HTTPRequestParser(limits: limits)
        self.chunked = ChunkedBodyDecoder(limits: limits)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.output = context.channel.allocator.buffer(capacity: 512)
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
        self.input = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.isReading = true
        guard self.state != .closing else { return }  // after a final answer: drain and drop
        var incoming = self.unwrapInboundIn(data)
        if self.input == nil {
            self.input = incoming
        } else {
            self.input!.writeBuffer(&incoming)
        }
        self.process(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        self.isReading = false
        if self.needsFlush { self.flushOutput(context: context) }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        // No new bytes while a handler runs: pipelined requests wait in the kernel.
        if self.state == .responding {
            self.readHeld = true
            return
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // A client that sends requests but does not read responses stops being read from,
        // so its unread responses cannot pile up in memory.
        try? context.channel.syncOptions?.setOption(.autoRead, value: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
        if context.channel.isWritable && self.state == .idle && (self.input?.readableBytes ?? 0) > 0 {
            // Pipelined requests held back by back-pressure; their answers leave in one flush.
            self.isReading = true
            self.process(context: context)
            self.isReading = false
            if self.needsFlush { self.flushOutput(context: context) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // A request in progress is answered with `Connection: close`. An idle connection
        // stays open for `drainLinger` (closing it would race a request the client may be
        // sending right now); a request arriving then is answered, with `close`.
        self.draining = true
        if self.state == .idle && (self.input?.readableBytes ?? 0) == 0 {
            let now = MonotonicClock.nanoseconds()
            if now &+ UInt64(self.drainLinger.nanoseconds) < self.deadline.deadline {
                self.enter(.idle, after: self.drainLinger, from: now, context: context)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Only I/O errors reach here (parsing is ours): nobody to answer.
        switch self.state {
        case .receiving, .responding: self.services.counters.abandon()
        case .idle, .closing: break
        }
        self.state = .closing
        self.input = nil
        context.close(promise: nil)
    }

    // MARK: - Request processing

    /// Consumes buffered input: parses heads, reads bodies, dispatches, until the input runs
    /// out or a handler is running.
    func process(context: ChannelHandlerContext) {
        guard !self.processing else { return }
        self.processing = true
        defer { self.processing = false }
        loop: while true {
            switch self.state {
            case .closing:
                self.input = nil
                return
            case .responding:
                return
            case .idle:
                guard let readable = self.input?.readableBytes, readable > 0 else { break loop }
                // Back-pressure: the rest waits until the client reads what it was sent.
                guard context.channel.isWritable else { break loop }
                let outcome = self.input!.withUnsafeReadableBytes { self.parser.parse($0) }
                switch outcome {
                case .incomplete:
                    // A request started: its head is now under `HEADER_TIMEOUT_MS`, which a
                    // trickle of bytes does not extend.
                    let now = MonotonicClock.nanoseconds()
                    self.enter(.head, after: self.limits.headerTimeout, from: now, context: context, keepEarlier: true)
                    break loop
                case .invalid(let error):
                    self.input = nil
                    self.services.counters.begin()
                    // The stream cannot be trusted after a malformed head: answer, then close.
                    self.finish(context: context, self.anonymousExchange(), .error(error), forceClose: true)
                    return
                case .complete(let parsed, let length):
                    self.input!.moveReaderIndex(forwardBy: length)
                    self.parser.reset()
                    self.received(parsed, context: context)
                }
            case .receiving:
                guard self.receiveBody(context: context) else { break loop }
            }
        }
        if self.input?.readableBytes == 0 { self.input = nil }
        if self.readHeld && self.state != .responding {
            self.readHeld = false
            context.read()
        }
    }

    private func received(_ parsed: ParsedHead, context: ChannelHandlerContext) {
        let now = MonotonicClock.nanoseconds()
        self.serial &+= 1
        let exchange = Exchange(
            head: parsed.head,
            requestID: self.requestID(parsed.requestID),
            started: now,
            serial: self.serial,
            keepAlive: parsed.keepAlive,
            pathLength: parsed.pathLength
        )
        self.services.counters.begin()
        if let error = RequestHeadCheck(limits: self.limits).check(parsed) {
            self.finish(context: context, exchange, .error(error), forceClose: true)
            return
        }
        self.exchange = exchange
        if parsed.framing == .none {
            self.state = .responding
            self.dispatch(context: context, exchange, body: nil)
            return
        }
        self.state = .receiving
        self.framing = parsed.framing
        self.body = nil
        if parsed.framing == .chunked { self.chunked = ChunkedBodyDecoder(limits: self.limits) }
        self.enter(.body, after: self.limits.bodyTimeout, from: now, context: context)
        if parsed.expectsContinue && parsed.head.version.minor == 1 {
            self.writeContinue(context: context)
        }
    }

    /// Reads the body from `input`; dispatches when it is complete. Returns whether the state
    /// moved on (the body was complete or refused).
    private func receiveBody(context: ChannelHandlerContext) -> Bool {
        guard let exchange = self.exchange, self.input != nil else { return false }
        switch self.framing {
        case .length(let length):
            guard self.input!.readableBytes >= length else { return false }
            self.body = self.input!.readSlice(length: length)
        case .chunked:
            switch self.chunked.decode(&self.input!, into: &self.body) {
            case .incomplete:
                return false
            case .invalid(let error):
                self.body = nil
                self.finish(context: context, exchange, .error(error), forceClose: true)
                return true
            case .complete:
                break
            }
        case .none:
            break
        }
        let body = self.body
        self.body = nil
        self.state = .responding
        self.dispatch(context: context, exchange, body: body)
        return true
    }

    /// An exchange for an answer that has no parsed request (malformed head, head timeout).
    func anonymousExchange() -> Exchange {
        self.serial &+= 1
        return Exchange(
            head: Self.anonymousHead,
            requestID: self.requestIDs.next(),
            started: MonotonicClock.nanoseconds(),
            serial: self.serial,
            keepAlive: false
        )
    }

    private static let anonymousHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: "-", headers: [:])

    private func requestID(_ incoming: String?) -> String {
        if let incoming, RequestIDGenerator.isAcceptable(incoming) { return incoming }
        return self.requestIDs.next()
    }
}
