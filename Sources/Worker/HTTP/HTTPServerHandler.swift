import Logging
import NIOCore
import Shared

/// One connection's HTTP/1.1 server, bytes in and bytes out: the request parser
/// (`HTTPRequestParser`), head checks, request id, routing, error mapping, the response
/// serialised straight into one output buffer, the access log, pipelining, the connection's
/// deadlines and its part of a graceful drain.
///
/// The protocol decisions (phases, deadlines, when to flush, when to hold a read, when to
/// close) are `HTTPConnectionState`'s, a pure value; this handler feeds it events with the
/// time read from its injected clock and executes what it answers. On the hot path a request
/// is parsed in place from the read buffer, and every response of a read burst goes out in one
/// buffer with one flush (`channelReadComplete`), or earlier once the buffer passes
/// `outputBound`. Requests of a connection are answered in order, one at a time: while a
/// handler runs, later pipelined bytes wait in the input buffer and no further reads are
/// issued, and while the channel is not writable no further pipelined request is handled, so a
/// client that pipelines without reading cannot make the server buffer without bound. Every
/// answer the server gives, including parse errors and timeouts, leaves through `finish`, so
/// every one has the envelope, `X-Request-Id` and the same headers.
final class HTTPServerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Bodies up to this size are copied behind the head (one write); larger ones are written
    /// as their own buffer.
    static let inlineBodyLimit = 16 * 1024

    /// Responses of a read burst are flushed once they pass this size, and no further
    /// pipelined request is handled while the channel is not writable: a burst of tiny
    /// requests cannot queue megabytes of responses.
    static let outputBound = HTTPConnectionState.outputBound

    let router: Router
    let services: WorkerServices
    let logger: Logger
    let requestIDs: RequestIDSource
    let limits: HTTPLimits
    /// A clock in place of `MonotonicClock` (the event loop's in tests, so timeouts need no
    /// sleep); `nil` in production, read without a closure call.
    let testClock: (() -> UInt64)?
    /// The protocol state: every decision about this connection.
    var connection: HTTPConnectionState
    /// The request being received or handled.
    var exchange: Exchange?
    /// Its header fields (a slice of the read buffer, released when the exchange ends).
    var fields = HeaderFields()
    var parser: HTTPRequestParser
    /// Bytes read and not yet consumed (part of a head, a body, pipelined requests).
    var input: ByteBuffer?
    var framing = BodyFraming.none
    var chunked: ChunkedBodyDecoder
    var body: ByteBuffer?
    /// Responses not yet handed to the channel; reused from response to response.
    var output = ByteBuffer()
    /// Writes the output straight to the socket when the channel holds nothing.
    var direct = DirectOutput()
    var timer: Scheduled<Void>?

    init(
        router: Router,
        services: WorkerServices,
        logger: Logger,
        requestIDs: RequestIDSource,
        limits: HTTPLimits,
        drainLinger: TimeAmount = .seconds(2),
        clock: (() -> UInt64)? = nil
    ) {
        self.router = router
        self.services = services
        self.logger = logger
        self.requestIDs = requestIDs
        self.limits = limits
        self.testClock = clock
        self.connection = HTTPConnectionState(timeouts: .init(limits: limits, drainLinger: drainLinger))
        self.parser = HTTPRequestParser(limits: limits)
        self.chunked = ChunkedBodyDecoder(limits: limits)
    }

    /// Monotonic nanoseconds now.
    @inline(__always)
    func clock() -> UInt64 {
        if let testClock = self.testClock { return testClock() }
        return MonotonicClock.nanoseconds()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The worker's services (`HTTPDate`, `AccessLog`) are confined to its one event loop,
        // without locks: a connection on another loop would race them.
        precondition(context.eventLoop === self.services.httpDate.eventLoop, "a connection off the worker's loop")
        self.output = context.channel.allocator.buffer(capacity: 512)
        self.connection.writabilityChanged(context.channel.isWritable)
        self.schedule(self.connection.opened(now: self.clock()), context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.cancelTimer()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.connectionClosed()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        _ = self.connection.burstBegan()
        guard self.connection.acceptsInput else { return }  // after a final answer: drain and drop
        var incoming = self.unwrapInboundIn(data)
        if self.input == nil {
            self.input = incoming
        } else {
            self.input!.writeBuffer(&incoming)
        }
        self.process(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if self.connection.burstEnded() { self.flushOutput(context: context) }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if self.connection.readRequested(buffered: self.input?.readableBytes ?? 0) { context.read() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        self.writabilityChanged(to: context.channel.isWritable, context: context)
        context.fireChannelWritabilityChanged()
    }

    /// A client that sends requests but does not read responses stops being read from, so its
    /// unread responses cannot pile up in memory; once it reads again, the pipelined requests
    /// held back are answered.
    func writabilityChanged(to writable: Bool, context: ChannelHandlerContext) {
        self.connection.writabilityChanged(writable)
        try? context.channel.syncOptions?.setOption(.autoRead, value: writable)
        if writable && self.connection.phase == .idle && (self.input?.readableBytes ?? 0) > 0 {
            // Pipelined requests held back by back-pressure; their answers leave in one flush.
            let outer = self.connection.burstBegan()
            self.process(context: context)
            if self.connection.burstEnded(outer: outer) { self.flushOutput(context: context) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            self.inputClosed(context: context)
            return
        }
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        let hasInput = (self.input?.readableBytes ?? 0) > 0
        self.schedule(self.connection.quiesced(now: self.clock(), hasInput: hasInput), context: context)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Only I/O errors reach here (parsing is ours): nobody to answer.
        self.connectionClosed()
        context.close(promise: nil)
    }

    // MARK: - Request processing

    /// Consumes buffered input: parses heads, reads bodies, dispatches, until the input runs
    /// out, a handler is running, or the channel stops being writable.
    func process(context: ChannelHandlerContext) {
        guard self.connection.processingBegan() else { return }
        loop: while true {
            switch self.connection.phase {
            case .closing:
                self.input = nil
                break loop
            case .responding:
                break loop
            case .idle:
                guard let readable = self.input?.readableBytes, readable > 0 else { break loop }
                // Back-pressure: the rest waits until the client reads what it was sent. The
                // state's copy of the channel's writability, not `channel.isWritable`: that is an
                // atomic load behind two existential hops, paid on every request.
                guard self.connection.writable else { break loop }
                // Switched on as it is returned: the parsed head moves into its case, not
                // copied out of a local and the local destroyed after (~400 instructions).
                switch self.input!.withUnsafeReadableBytes({ self.parser.parse($0) }) {
                case .incomplete:
                    self.schedule(self.connection.headStarted(now: self.clock()), context: context)
                    // A partial head behind answered requests (a pipelining client's read
                    // ended inside one) waits in a buffer of its own size. Kept in the read
                    // buffer, it would hold that buffer (up to 64 KiB, from the channel's
                    // pool, which then allocates another for every read) and grow it by every
                    // read appended behind it.
                    if self.input!.readerIndex > 0 {
                        self.input = context.channel.allocator.buffer(buffer: self.input!)
                    }
                    break loop
                case .invalid(let error):
                    self.input = nil
                    // The stream cannot be trusted after a malformed head: answer, then close.
                    let exchange = self.beginAnonymousExchange(context: context)
                    self.finish(context: context, exchange, .error(error), forceClose: true)
                case .complete(let parsed, let length):
                    // The field lines, from the first to the head's final CRLF: a slice, no copy.
                    if let lines = self.input!.getSlice(
                        at: self.input!.readerIndex + parsed.fieldsStart,
                        length: length - 2 - parsed.fieldsStart
                    ) {
                        self.fields = HeaderFields(lines: lines)
                    }
                    self.input!.moveReaderIndex(forwardBy: length)
                    self.parser.reset()
                    self.received(parsed, context: context)
                }
            case .receiving:
                guard self.receiveBody(context: context) else { break loop }
            }
        }
        if self.input?.readableBytes == 0 { self.input = nil }
        if self.connection.inputEnded { self.closeIfInputIsDone(context: context) }
        if self.connection.processingEnded() { context.read() }
    }

    /// After the end of the client's input: closes once nothing more can be answered.
    private func closeIfInputIsDone(context: ChannelHandlerContext) {
        let ending = self.connection.endOfInputReached(
            now: self.clock(),
            stalled: (self.input?.readableBytes ?? 0) > 0 && !self.connection.writable
        )
        guard ending.close else { return }
        self.input = nil
        self.schedule(ending.timer, context: context)
        self.closeAfterOutput(context: context)
    }

    /// The client shut its side: what it sent is still answered, then the connection closes
    /// (`HTTPConnectionState.inputClosed`).
    private func inputClosed(context: ChannelHandlerContext) {
        switch self.connection.inputClosed() {
        case .answerBuffered:
            let outer = self.connection.burstBegan()
            self.process(context: context)
            if self.connection.burstEnded(outer: outer) { self.flushOutput(context: context) }
        case .afterResponse:
            break  // `complete` processes the input after the answer, which closes then
        case .closeNow:
            self.input = nil
            context.close(promise: nil)
        }
    }

    private func received(_ parsed: ParsedHead, context: ChannelHandlerContext) {
        let rejection = RequestHeadCheck(limits: self.limits).check(parsed)
        let exchange = self.beginExchange(
            parsed,
            receivingBody: rejection == nil && parsed.framing != .none,
            context: context
        )
        if let rejection {
            self.finish(context: context, exchange, .error(rejection), forceClose: true)
            return
        }
        self.exchange = exchange
        if parsed.framing == .none {
            self.dispatch(context: context, exchange, body: nil)
            return
        }
        self.framing = parsed.framing
        self.body = nil
        if parsed.framing == .chunked { self.chunked = ChunkedBodyDecoder(limits: self.limits) }
        if parsed.expectsContinue && parsed.head.version.minor == 1 {
            self.writeContinue(context: context)
        }
    }

    /// Reads the body from `input`; dispatches when it is complete. Returns whether the phase
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
        self.connection.bodyReceived()
        self.dispatch(context: context, exchange, body: body)
        return true
    }
}
