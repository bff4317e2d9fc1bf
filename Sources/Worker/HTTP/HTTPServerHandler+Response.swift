import NIOCore
import NIOHTTP1
import Shared

extension HTTPServerHandler {
    /// Writes `response` for `exchange` with the server's headers, logs it, and moves the
    /// connection on: to idle (keep-alive) or to closing. `forceClose` is for answers after
    /// which the input cannot be trusted or is not read (codec errors, limits, timeouts): the
    /// output is shut and the input drained for a moment, so the client reads the answer
    /// instead of a reset. `writer` overrides the context the response is written through.
    func finish(
        context: ChannelHandlerContext,
        _ exchange: Exchange,
        _ response: Response,
        forceClose: Bool = false,
        writer: ChannelHandlerContext? = nil
    ) {
        let now = MonotonicClock.nanoseconds()
        let keepAlive = !forceClose && exchange.head.isKeepAlive
        // One array, sized once, no per-header name validation (`HTTPHeaders.add` checks
        // every name): the names below are constants, the handler's come from `Response`.
        var fields: [(String, String)] = []
        fields.reserveCapacity(response.headers.count + 5)
        for field in response.headers { fields.append(field) }
        fields.append(("Content-Length", String(response.body.readableBytes)))
        fields.append(("X-Request-Id", exchange.requestID))
        fields.append(("X-Content-Type-Options", "nosniff"))
        fields.append(("Date", self.services.httpDate.value))
        if !keepAlive {
            fields.append(("Connection", "close"))
        } else if exchange.head.version.minor == 0 {
            fields.append(("Connection", "keep-alive"))
        }
        let headers = HTTPHeaders(fields)
        // RFC 9110 §6.2: answer with the highest minor version we implement.
        let head = HTTPResponseHead(version: .http1_1, status: response.status, headers: headers)
        self.services.counters.end()
        self.accessLog(exchange, status: response.status.code, now: now)
        // State first: writing `.end` may deliver the next pipelined request re-entrantly.
        if keepAlive {
            self.state = .idle
            self.enter(.idle, after: self.limits.keepAliveTimeout, from: now, context: context)
        } else {
            self.state = .closing
            self.enter(.linger, after: self.limits.lingerTimeout, from: now, context: context)
        }

        let writer = writer ?? context
        writer.write(self.wrapOutboundOut(.head(head)), promise: nil)
        if exchange.head.method != .HEAD && response.body.readableBytes > 0 {
            writer.write(self.wrapOutboundOut(.body(.byteBuffer(response.body))), promise: nil)
        }
        if !keepAlive {
            writer.writeAndFlush(self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { result in
                guard forceClose, case .success = result else {
                    writer.close(promise: nil)
                    return
                }
                writer.close(mode: .output).assumeIsolated().whenFailure { _ in writer.close(promise: nil) }
            }
        } else if self.isReading {
            writer.write(self.wrapOutboundOut(.end(nil)), promise: nil)
            self.needsFlush = true
        } else {
            writer.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    /// `100 Continue` for a client waiting to send its body (RFC 9110 §10.1.1); flushed with
    /// the read burst.
    func writeContinue(context: ChannelHandlerContext, version: HTTPVersion) {
        context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .continue))), promise: nil)
        self.needsFlush = true
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
        let uri = exchange.head.uri
        let path = APIError.printable(uri.utf8.firstIndex(of: UInt8(ascii: "?")).map { String(uri[..<$0]) } ?? uri)
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
