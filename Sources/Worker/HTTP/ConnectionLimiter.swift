import Logging
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Caps the open connections of a worker (`MAX_CONNECTIONS`): at the cap every listening
/// channel stops accepting (`autoRead` off), so new connections wait in the kernel's backlog
/// instead of costing memory and file descriptors; below it again, accepting resumes.
///
/// Costs nothing per request: one counter update and one close callback per connection.
/// Confined to the worker's single event loop, which every entry point checks (`@unchecked
/// Sendable` for the initializers).
final class ConnectionLimiter: @unchecked Sendable {
    /// The cap in force: `MAX_CONNECTIONS`, lowered to fit the process's file-descriptor limit.
    let limit: Int
    private let eventLoop: any EventLoop
    private let logger: Logger
    private var open = 0
    private var paused = false
    private var listeners: [any Channel] = []

    /// A limiter for the connections accepted on `eventLoop`.
    init(maxConnections: Int, eventLoop: any EventLoop, logger: Logger) {
        self.eventLoop = eventLoop
        self.logger = logger
        // Keep descriptors for listeners, pools, logs and the control channel.
        let available = Self.descriptorLimit().map { max(1, $0 - 64) } ?? maxConnections
        if available < maxConnections {
            logger.warning(
                "MAX_CONNECTIONS lowered to fit the open-file limit",
                metadata: ["max_connections": "\(maxConnections)", "effective": "\(available)"]
            )
        }
        self.limit = min(maxConnections, available)
    }

    /// Connections open now.
    var openConnections: Int {
        self.eventLoop.preconditionInEventLoop()
        return self.open
    }

    /// The handler for a listening channel's pipeline (before NIO's accept handler).
    func makeServerChannelHandler() -> Handler { Handler(limiter: self) }

    fileprivate func listen(on channel: any Channel) {
        self.listeners.append(channel)
        if self.paused { self.setAccepting(false, on: channel) }
    }

    fileprivate func accepted(_ child: any Channel) {
        self.eventLoop.preconditionInEventLoop()
        self.open += 1
        child.closeFuture.assumeIsolated().whenComplete { _ in self.closed() }
        if self.open >= self.limit && !self.paused {
            self.paused = true
            self.logger.warning("connection limit reached; new connections wait", metadata: ["open": "\(self.open)"])
            for listener in self.listeners { self.setAccepting(false, on: listener) }
        }
    }

    private func closed() {
        self.eventLoop.preconditionInEventLoop()
        self.open -= 1
        if self.paused && self.open < self.limit {
            self.paused = false
            self.logger.info("accepting connections again", metadata: ["open": "\(self.open)"])
            for listener in self.listeners { self.setAccepting(true, on: listener) }
        }
    }

    private func setAccepting(_ accepting: Bool, on listener: any Channel) {
        // Turning autoRead back on makes NIO read (accept) at once.
        try? listener.syncOptions?.setOption(.autoRead, value: accepting)
    }

    private static func descriptorLimit() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }
        return Int(clamping: limit.rlim_cur)
    }

    /// Counts the channels a listening channel accepts.
    final class Handler: ChannelInboundHandler {
        typealias InboundIn = any Channel
        typealias InboundOut = any Channel

        private let limiter: ConnectionLimiter

        fileprivate init(limiter: ConnectionLimiter) {
            self.limiter = limiter
        }

        func handlerAdded(context: ChannelHandlerContext) {
            self.limiter.listen(on: context.channel)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            self.limiter.accepted(self.unwrapInboundIn(data))
            context.fireChannelRead(data)
        }
    }
}
