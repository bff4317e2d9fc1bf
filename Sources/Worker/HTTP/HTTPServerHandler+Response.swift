import NIOCore
import NIOHTTP1
import Shared

extension HTTPServerHandler {
    /// Writes `response` for `exchange` with the server's headers, logs it, and moves the
    /// connection on: to idle (keep-alive) or to closing. `forceClose` is for answers after
    /// which the input cannot be trusted or is not read (malformed requests, limits, timeouts):
    /// the output is shut and the input drained for a moment, so the client reads the answer
    /// instead of a reset.
    func finish(context: ChannelHandlerContext, _ exchange: Exchange, _ response: Response, forceClose: Bool = false) {
        let now = MonotonicClock.nanoseconds()
        let keepAlive = !forceClose && exchange.keepAlive && !self.draining && !self.services.readiness.closing
        self.beginOutput()
        // The handler's headers are checked as they are written (one pass); an unsafe one
        // takes back what this response wrote and answers 500 instead.
        let responseStart = self.output.writerIndex
        var response = response
        HTTPResponseEncoding.writeStatusLine(response.status, to: &self.output)
        if !HTTPResponseEncoding.writeHeaders(response.headers, to: &self.output) {
            self.logger.error(
                "handler returned a header that cannot be sent",
                metadata: [LogKey.requestID: .string(exchange.requestID)]
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
                self.outputPending = false
                context.write(self.wrapOutboundOut(response.body), promise: nil)
            }
        }

        self.services.counters.end()
        self.accessLog(exchange, status: response.status.code, now: now)
        self.exchange = nil
        if keepAlive {
            self.state = .idle
            self.enter(.idle, after: self.limits.keepAliveTimeout, from: now, context: context)
        } else {
            self.state = .closing
            self.input = nil
            self.enter(.linger, after: self.limits.lingerTimeout, from: now, context: context)
        }

        if !keepAlive {
            // The last write carries the promise: it completes once everything before it is out.
            self.needsFlush = false
            let flushed = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(
                self.wrapOutboundOut(self.outputPending ? self.output : ByteBuffer()),
                promise: flushed
            )
            self.outputPending = false
            flushed.futureResult.assumeIsolated().whenComplete { result in
                guard forceClose, case .success = result else {
                    context.close(promise: nil)
                    return
                }
                context.close(mode: .output).assumeIsolated().whenFailure { _ in context.close(promise: nil) }
            }
        } else if self.isReading {
            self.needsFlush = true
        } else {
            self.flushOutput(context: context)
        }
    }

    /// Starts a batch in the reused output buffer unless one is pending (its storage is free
    /// again once the channel wrote the previous batch, so `clear` does not allocate).
    private func beginOutput() {
        guard !self.outputPending else { return }
        self.output.clear()
        self.outputPending = true
    }

    /// Hands the pending responses to the channel and flushes.
    func flushOutput(context: ChannelHandlerContext) {
        self.needsFlush = false
        if self.outputPending {
            self.outputPending = false
            context.writeAndFlush(self.wrapOutboundOut(self.output), promise: nil)
        } else {
            context.flush()
        }
    }

    /// `100 Continue` for a client waiting to send its body (RFC 9110 §10.1.1); flushed with
    /// the read burst.
    func writeContinue(context: ChannelHandlerContext) {
        self.beginOutput()
        self.output.writeStaticString("HTTP/1.1 100 Continue\r\n\r\n")
        if self.isReading {
            self.needsFlush = true
        } else {
            self.flushOutput(context: context)
        }
    }

    private func accessLog(_ exchange: Exchange, status: UInt, now: UInt64) {
        guard self.logger.logLevel <= .info else { return }
        let elapsed = now &- exchange.started
        if let fast = self.services.accessLog {
            fast.record(
                requestID: exchange.requestID,
                method: exchange.head.method,
                uri: exchange.head.uri,
                status: status,
                elapsedNanoseconds: elapsed
            )
            return
        }
        let milliseconds = Double(elapsed / 1000) / 1000
        let path = APIError.printable(String(AccessLog.pathPart(of: exchange.head.uri)))
        let method = APIError.printable(exchange.head.method.rawValue)
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
