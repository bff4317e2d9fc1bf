import NIOCore
import NIOHTTP1

/// Makes a worker's drain race no request on a keep-alive connection.
///
/// `HTTPServerPipelineHandler` closes an idle keep-alive connection the moment the drain
/// starts; a request the client sent just then is lost in flight. This handler sits in front
/// of it and holds the drain event back on idle connections for `linger`: a request arriving
/// meanwhile is answered (with `Connection: close`) and then the connection closes; a
/// connection still idle afterwards is closed. Every response written once the drain started
/// says `Connection: close`.
final class QuiesceLingerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State {
        /// No drain yet.
        case serving
        /// Draining, the connection was idle: waiting for a last request or the timer.
        case lingering(Scheduled<Void>)
        /// The drain event went on to `HTTPServerPipelineHandler`.
        case quiesced
    }

    private let linger: TimeAmount
    private var state = State.serving
    /// Requests whose response has not ended yet.
    private var pending = 0

    /// Holds the drain back for up to `linger` on idle connections.
    init(linger: TimeAmount) {
        self.linger = linger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = self.unwrapInboundIn(data)
        let isHead: Bool
        if case .head = part { isHead = true } else { isHead = false }
        if isHead { self.pending += 1 }
        context.fireChannelRead(data)
        if isHead, case .lingering(let timer) = self.state {
            // The pipeline handler now has a request in progress: it answers it, then closes.
            timer.cancel()
            self.forwardQuiesce(context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard case .serving = self.state else { return }
        if self.pending > 0 {
            self.forwardQuiesce(context: context)
            return
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let timer = context.eventLoop.scheduleTask(in: self.linger) {
            let (handler, context) = bound.value
            guard case .lingering = handler.state else { return }
            handler.forwardQuiesce(context: context)
        }
        self.state = .lingering(timer)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch self.unwrapOutboundIn(data) {
        case .head(var head):
            if case .serving = self.state {
                context.write(data, promise: promise)
            } else {
                head.headers.replaceOrAdd(name: "connection", value: "close")
                context.write(self.wrapOutboundOut(.head(head)), promise: promise)
            }
        case .end:
            self.pending = max(0, self.pending - 1)
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .lingering(let timer) = self.state { timer.cancel() }
        self.state = .quiesced
        context.fireChannelInactive()
    }

    private func forwardQuiesce(context: ChannelHandlerContext) {
        self.state = .quiesced
        context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }
}
