import NIOCore
import NIOHTTP1

/// Makes a worker's drain race no request on a keep-alive connection.
///
/// `HTTPServerPipelineHandler` closes an idle keep-alive connection the moment the drain
/// starts, and closes a busy one right after a response whose head may already have promised
/// keep-alive: either way a request the client sends just then is lost. This handler sits in
/// front of it and passes the drain event on only when closing is safe: after a response that
/// said `Connection: close` went out, when the next request arrives (its response will say
/// `Connection: close`), or when the connection stayed idle for `linger`.
final class QuiesceLingerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let linger: TimeAmount
    /// The drain started.
    private var draining = false
    /// The drain event went on to `HTTPServerPipelineHandler`.
    private var forwarded = false
    private var timer: Scheduled<Void>?
    /// Requests whose response has not ended yet.
    private var pending = 0
    /// The last response head written said `Connection: close`.
    private var lastHeadSaidClose = false

    /// Keeps an idle connection of a draining worker open for up to `linger`.
    init(linger: TimeAmount) {
        self.linger = linger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head = self.unwrapInboundIn(data) else {
            context.fireChannelRead(data)
            return
        }
        self.pending += 1
        context.fireChannelRead(data)
        // The pipeline handler now has this request in progress: it answers it (with
        // `Connection: close`, added below), then closes.
        if self.draining && !self.forwarded { self.forward(context: context) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard !self.draining else { return }
        self.draining = true
        if self.pending == 0 { self.startLinger(context: context) }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(var head):
            guard self.draining else {
                self.lastHeadSaidClose = !head.isKeepAlive
                context.write(data, promise: promise)
                return
            }
            head.headers.replaceOrAdd(name: "connection", value: "close")
            self.lastHeadSaidClose = true
            context.write(self.wrapOutboundOut(.head(head)), promise: promise)
        case .end:
            self.pending = max(0, self.pending - 1)
            guard self.draining && !self.forwarded && self.pending == 0 else {
                context.write(data, promise: promise)
                return
            }
            // Decide once the response is written, so closing cannot cut it short.
            let written = context.eventLoop.makePromise(of: Void.self)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            written.futureResult.whenComplete { _ in
                let (handler, context) = bound.value
                handler.responseEnded(context: context)
            }
            if let promise { written.futureResult.cascade(to: promise) }
            context.write(data, promise: written)
        case .body:
            context.write(data, promise: promise)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.forwarded = true
        context.fireChannelInactive()
    }

    private func responseEnded(context: ChannelHandlerContext) {
        guard !self.forwarded && self.pending == 0 else { return }
        if self.lastHeadSaidClose {
            self.forward(context: context)
        } else {
            self.startLinger(context: context)
        }
    }

    private func startLinger(context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        self.timer = context.eventLoop.scheduleTask(in: self.linger) {
            let (handler, context) = bound.value
            guard !handler.forwarded && handler.pending == 0 else { return }
            handler.forward(context: context)
        }
    }

    private func forward(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.forwarded = true
        context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }
}
