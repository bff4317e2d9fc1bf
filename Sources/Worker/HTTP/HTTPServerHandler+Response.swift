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
        if self.connection.outputStarted() { self.output.clear() }
        // The handler's headers are checked as they are written (one pass); an unsafe one
        // takes back what this response wrote and answers 500 instead.
        let responseStart = self.output.writerIndex
        var response = response
        HTTPResponseEncoding.writeStatusLine(response.status, to: &self.output)
        if !HTTPResponseEncoding.writeHeaders(response.headers, to: &self.output) {
            self.logger.error(
                "handler returned a header that cannot be sent",
                metadata: [
                    LogKey.requestID: .string(exchange.requestID),
                    LogKey.traceID: .string(exchange.trace.traceID),
                    LogKey.spanID: .string(exchange.trace.spanIDText),
                ]
            )
            self.output.moveWriterIndex(to: responseStart)
            response = .error(APIError(.internalError))
            HTTPResponseEncoding.writeStatusLine(response.status, to: &self.output)
            _ = HTTPResponseEncoding.writeHeaders(response.headers, to: &self.output)
        }
        let bodiless = HTTPResponseEncoding.isBodiless(response.status)
        let sendsBody = !bodiless && exchange.head.method != .HEAD && response.body.readableBytes > 0
        if !bodiless {
            self.output.writeStaticString("Content-Length: ")
            HTTPResponseEncoding.writeDecimal(response.body.readableBytes, to: &self.output)
            self.output.writeStaticString("\r\n")
        }
        self.output.writeStaticString("X-Request-Id: ")
        self.output.writeString(exchange.requestID)
        let traceDigits = TraceDigits(exchange.trace)
        traceDigits.writeHeader(to: &self.output)
        self.output.writeStaticString("\r\nX-Content-Type-Options: nosniff\r\nDate: ")
        self.output.writeString(self.services.httpDate.value)
        if !keepAlive {
            self.output.writeStaticString("\r\nConnection: close\r\n\r\n")
        } else if exchange.head.version.minor == 0 {
            self.output.writeStaticString("\r\nConnection: keep-alive\r\n\r\n")
        } else {
            self.output.writeStaticString("\r\n\r\n")
        }
        if sendsBody {
            if response.body.readableBytes <= Self.inlineBodyLimit {
                var body = response.body
                self.output.writeBuffer(&body)
            } else {
                context.write(self.wrapOutboundOut(self.output), promise: nil)
                self.connection.outputHandedOver()
                context.write(self.wrapOutboundOut(response.body), promise: nil)
            }
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

    /// Hands the pending responses to the channel and flushes.
    func flushOutput(context: ChannelHandlerContext) {
        if self.connection.flushed() {
            context.writeAndFlush(self.wrapOutboundOut(self.output), promise: nil)
        } else {
            context.flush()
        }
    }

    /// Flushes the last response, then shuts the output and drains the input until the client
    /// closes (or the linger ends): closing with unread input would reset the connection and
    /// could destroy the response in flight (RFC 9112 §9.6).
    private func closeAfterOutput(context: ChannelHandlerContext) {
        // The last write carries the promise: it completes once everything before it is out.
        let flushed = context.eventLoop.makePromise(of: Void.self)
        let pending = self.connection.flushed()
        context.writeAndFlush(self.wrapOutboundOut(pending ? self.output : ByteBuffer()), promise: flushed)
        flushed.futureResult.assumeIsolated().whenComplete { result in
            guard case .success = result else {
                context.close(promise: nil)
                return
            }
            context.close(mode: .output).assumeIsolated().whenFailure { _ in context.close(promise: nil) }
        }
    }

    /// `100 Continue` for a client waiting to send its body (RFC 9110 §10.1.1); flushed with
    /// the read burst.
    func writeContinue(context: ChannelHandlerContext) {
        if self.connection.outputStarted() { self.output.clear() }
        self.output.writeStaticString("HTTP/1.1 100 Continue\r\n\r\n")
        if self.connection.responseQueued(pendingBytes: 0) { self.flushOutput(context: context) }
    }
}
