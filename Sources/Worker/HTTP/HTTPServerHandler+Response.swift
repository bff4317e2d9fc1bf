import NIOCore
import Shared

extension HTTPServerHandler {
    /// Writes `response` for `exchange` with the server's headers, ends the exchange, and moves
    /// the connection on: to idle (keep-alive) or to closing. `forceClose` is for answers after
    /// which the input cannot be trusted or is not read (malformed requests, limits, timeouts).
    func finish(context: ChannelHandlerContext, _ exchange: Exchange, _ response: Response, forceClose: Bool = false) {
        let now = self.clock()
        let keepAlive = self.connection.keepsAlive(
            requested: exchange.keepAlive && !forceClose,
            leaving: self.services.readiness.closing
        )
        if self.connection.outputStarted() { self.startOutput(context: context) }
        let traceDigits = TraceDigits(exchange.trace)
        var response = response
        // The handler's headers are checked as they are written (one pass); an unsafe one
        // writes nothing and the answer is 500 instead.
        var largeBody = self.encode(response, exchange, keepAlive: keepAlive, trace: traceDigits)
        if largeBody == nil {
            self.logger.error(
                "handler returned a header that cannot be sent",
                metadata: [
                    LogKey.requestID: .string(exchange.requestID),
                    LogKey.traceID: .string(exchange.trace.traceID),
                    LogKey.spanID: .string(exchange.trace.spanIDText),
                ]
            )
            response = .error(APIError(.internalError))
            largeBody = self.encode(response, exchange, keepAlive: keepAlive, trace: traceDigits)
        }
        if largeBody == true {
            self.direct.handedToChannel()
            context.write(self.wrapOutboundOut(self.output), promise: nil)
            self.connection.outputHandedOver()
            context.write(self.wrapOutboundOut(response.body), promise: nil)
        }

        self.endExchange(exchange, status: response.status.code, now: now, traceDigits: traceDigits)
        self.schedule(self.connection.exchangeEnded(keepAlive: keepAlive, now: now), context: context)
        if !keepAlive {
            self.input = nil
            self.closeAfterOutput(context: context)
        } else if self.connection.responseQueued(pendingBytes: self.output.readableBytes) {
            self.flushOutput(context: context)
        }
    }

    /// Writes `response` into the output in one write, its body too unless it is larger than
    /// `inlineBodyLimit`. Returns whether that large body is still to be written after the
    /// output, or `nil` (nothing written) when a handler header is unsafe.
    private func encode(_ response: Response, _ exchange: Exchange, keepAlive: Bool, trace: TraceDigits) -> Bool? {
        let bodiless = HTTPResponseEncoding.isBodiless(response.status)
        let sendsBody = !bodiless && !exchange.head.method.isHEAD && response.body.readableBytes > 0
        let inline = sendsBody && response.body.readableBytes <= Self.inlineBodyLimit
        let connection: HTTPResponseEncoding.Connection =
            !keepAlive ? .close : exchange.head.version.minor == 0 ? .keepAlive : .implicit
        let fields = HTTPResponseEncoding.ServerFields(
            contentLength: bodiless ? nil : response.body.readableBytes,
            requestID: exchange.requestID,
            trace: trace,
            date: self.services.httpDate.value,
            connection: connection
        )
        let written = HTTPResponseEncoding.write(
            status: response.status,
            headers: response.headers,
            encodedHeaders: response.encodedHeaders,
            fields: fields,
            body: inline ? response.body : nil,
            to: &self.output
        )
        return written ? sendsBody && !inline : nil
    }

    /// Empties the output buffer for a new batch of responses. The channel may still hold the
    /// previous batch (not yet written: a client that does not read), and then `clear()` would
    /// copy-on-write a fresh buffer of the same capacity: past `retainedOutputCapacity` (a burst
    /// of pipelined answers grew it), a small one is started instead, so a slow reader holds
    /// its unsent batches and not also a large empty buffer.
    private func startOutput(context: ChannelHandlerContext) {
        if !self.releaseOversizedOutput(context: context) { self.output.clear() }
    }

    /// Replaces an output buffer grown past `retainedOutputCapacity` with a small one; returns
    /// whether it did.
    private func releaseOversizedOutput(context: ChannelHandlerContext) -> Bool {
        guard self.output.capacity > Self.retainedOutputCapacity else { return false }
        self.output = context.channel.allocator.buffer(capacity: 512)
        return true
    }

    /// The largest output buffer kept from batch to batch: every single response with an
    /// inline body (`inlineBodyLimit`) and its head fit.
    static let retainedOutputCapacity = 32 * 1024

    /// Writes the pending responses: straight to the socket when it takes them all at once
    /// (`DirectOutput`), otherwise through the channel.
    func flushOutput(context: ChannelHandlerContext) {
        guard self.connection.flushed() else {
            context.flush()
            return
        }
        switch self.direct.write(&self.output, channel: context.channel) {
        case .sent:
            // A batch that outgrew the retained size is not kept while the connection waits.
            _ = self.releaseOversizedOutput(context: context)
        case .forChannel:
            self.direct.handedToChannel()
            context.writeAndFlush(self.wrapOutboundOut(self.output), promise: nil)
        case .socketFull:
            // The client is not reading: like a channel past its high-water mark, no further
            // request is handled (nor read) until what is left has gone out.
            self.direct.handedToChannel()
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(self.wrapOutboundOut(self.output), promise: written)
            self.writabilityChanged(to: false, context: context)
            written.futureResult.assumeIsolated().whenSuccess {
                self.writabilityChanged(to: context.channel.isWritable, context: context)
            }
        }
    }

    /// Flushes the last response, then shuts the output and drains the input until the client
    /// closes (or the linger ends): closing with unread input would reset the connection and
    /// could destroy the response in flight (RFC 9112 §9.6). When the client's input already
    /// ended, nothing is left unread: the connection closes whole.
    func closeAfterOutput(context: ChannelHandlerContext) {
        // The last write carries the promise: it completes once everything before it is out.
        let flushed = context.eventLoop.makePromise(of: Void.self)
        let pending = self.connection.flushed()
        self.direct.handedToChannel()
        context.writeAndFlush(self.wrapOutboundOut(pending ? self.output : ByteBuffer()), promise: flushed)
        flushed.futureResult.assumeIsolated().whenComplete { result in
            guard case .success = result, !self.connection.inputEnded else {
                context.close(promise: nil)
                return
            }
            context.close(mode: .output).assumeIsolated().whenFailure { _ in context.close(promise: nil) }
        }
    }

    /// `100 Continue` for a client waiting to send its body (RFC 9110 §10.1.1); flushed with
    /// the read burst.
    func writeContinue(context: ChannelHandlerContext) {
        if self.connection.outputStarted() { self.startOutput(context: context) }
        self.output.writeStaticString("HTTP/1.1 100 Continue\r\n\r\n")
        if self.connection.responseQueued(pendingBytes: 0) { self.flushOutput(context: context) }
    }
}
