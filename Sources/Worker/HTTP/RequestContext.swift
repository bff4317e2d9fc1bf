import Logging
import NIOCore
import Shared

/// What a handler gets beside the request: the request id, a logger that stamps it on every
/// line, the connection's event loop, and the worker's services.
public struct RequestContext: Sendable {
    /// The request id (`X-Request-Id`), echoed in the response and every log line.
    public let requestID: String
    /// The W3C trace of the request and this server's span (`trace_id`, `span_id` in logs).
    public let trace: TraceContext
    /// The event loop of the connection; futures returned by handlers must be on it.
    public let eventLoop: any EventLoop
    /// Pools, health checks and configuration.
    public let services: WorkerServices
    private let baseLogger: Logger

    init(requestID: String, trace: TraceContext, baseLogger: Logger, eventLoop: any EventLoop, services: WorkerServices)
    {
        self.requestID = requestID
        self.trace = trace
        self.baseLogger = baseLogger
        self.eventLoop = eventLoop
        self.services = services
    }

    /// A logger carrying `request_id` (built on first use: most requests never log).
    public var logger: Logger {
        var logger = self.baseLogger
        logger[metadataKey: LogKey.requestID] = .string(self.requestID)
        logger[metadataKey: LogKey.traceID] = .string(self.trace.traceID)
        logger[metadataKey: LogKey.spanID] = .string(self.trace.spanIDText)
        return logger
    }
}
