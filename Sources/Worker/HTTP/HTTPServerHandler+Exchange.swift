import NIOCore
import NIOHTTP1
import Shared

extension HTTPServerHandler {
    /// What stays the same from a request's head to its access-log line.
    struct Exchange {
        /// The method, target and version (the fields are the handler's `fields`).
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
        /// The request's trace and this server's span in it (`traceparent`).
        let trace: TraceContext
        /// The matched route's id (the metrics' `http_route`); `nil` until routed, or unmatched.
        var route: Int? = nil
    }

    // The request counters and metrics, the trace and the access log begin and end with the
    // exchange here, and only here: `openExchange` (every answer has one, also for a malformed head or a head
    // timeout), `endExchange` (every answer leaves through `finish`, which calls it with the
    // status and the time), `connectionClosed` (an exchange abandoned by its client).

    /// The exchange of a parsed request begins: counted in flight from now.
    func beginExchange(_ parsed: ParsedHead, receivingBody: Bool, context: ChannelHandlerContext) -> Exchange {
        self.openExchange(
            head: parsed.head,
            requestID: self.requestID(parsed.requestID),
            traceparent: parsed.traceparent,
            keepAlive: parsed.keepAlive,
            pathLength: parsed.pathLength,
            receivingBody: receivingBody,
            context: context
        )
    }

    /// The exchange of an answer without a parsed request (malformed head, head timeout).
    func beginAnonymousExchange(context: ChannelHandlerContext) -> Exchange {
        self.openExchange(
            head: Self.anonymousHead,
            requestID: self.requestIDs.next(),
            traceparent: nil,
            keepAlive: false,
            pathLength: 0,
            receivingBody: false,
            context: context
        )
    }

    /// The exchange was answered with `status` at `now` (its response, with the trace digits
    /// of its `traceparent`, is in the output).
    func endExchange(_ exchange: Exchange, status: UInt, now: UInt64, traceDigits: TraceDigits) {
        // The route is set on the stored exchange by the dispatch, after `exchange` was copied.
        // The method is read once: each read goes through the head's storage object.
        let method = exchange.head.method
        self.services.counters.end(
            method: method,
            status: status,
            route: self.exchange?.route,
            nanoseconds: now &- exchange.started
        )
        self.accessLog(exchange, method: method, status: status, now: now, traceDigits: traceDigits)
        self.exchange = nil
        self.fields = HeaderFields()  // a slice of the read buffer: the buffer goes back to the pool
    }

    /// The connection closed or failed: an exchange still in flight is abandoned.
    func connectionClosed() {
        self.cancelTimer()
        if self.connection.closed() { self.services.counters.abandon() }
        self.exchange = nil
        self.fields = HeaderFields()
        self.input = nil
    }

    /// Where every exchange begins.
    @inline(__always)
    private func openExchange(
        head: HTTPRequestHead,
        requestID: String,
        traceparent: String?,
        keepAlive: Bool,
        pathLength: Int,
        receivingBody: Bool,
        context: ChannelHandlerContext
    ) -> Exchange {
        let now = self.clock()
        let (serial, timer) = self.connection.exchangeBegan(now: now, receivingBody: receivingBody)
        self.schedule(timer, context: context)
        self.services.counters.begin()
        return Exchange(
            head: head,
            requestID: requestID,
            started: now,
            serial: serial,
            keepAlive: keepAlive,
            pathLength: pathLength,
            trace: self.trace(traceparent)
        )
    }

    private static let anonymousHead = HTTPRequestHead(version: .http1_1, method: .GET, uri: "-", headers: [:])

    private func requestID(_ incoming: String?) -> String {
        if let incoming, RequestID.isAcceptable(incoming) { return incoming }
        return self.requestIDs.next()
    }

    private func accessLog(
        _ exchange: Exchange,
        method: HTTPMethod,
        status: UInt,
        now: UInt64,
        traceDigits: TraceDigits
    ) {
        guard self.logger.logLevel <= .info else { return }
        let elapsed = now &- exchange.started
        if let fast = self.services.accessLog {
            fast.record(
                AccessLog.Entry(
                    requestID: exchange.requestID,
                    method: method,
                    uri: exchange.head.uri,
                    status: status,
                    elapsedNanoseconds: elapsed,
                    trace: traceDigits
                )
            )
            return
        }
        AccessLog.log(
            to: self.logger,
            requestID: exchange.requestID,
            method: method,
            uri: exchange.head.uri,
            status: status,
            elapsedNanoseconds: elapsed,
            trace: exchange.trace
        )
    }
}
