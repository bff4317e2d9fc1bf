import NIOCore
import Shared

extension HTTPServerHandler {
    /// Schedules the connection's one timer at `fireAt` (monotonic nanoseconds), replacing the
    /// pending one; `nil` keeps the pending timer (it fires early enough and re-arms itself).
    func schedule(_ fireAt: UInt64?, context: ChannelHandlerContext) {
        guard let fireAt else { return }
        self.timer?.cancel()
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(fireAt)) {
            self.timer = nil
            self.timerFired(context: context)
        }
    }

    /// Cancels the timer (the connection is gone).
    func cancelTimer() {
        self.timer?.cancel()
        self.timer = nil
    }

    private func timerFired(context: ChannelHandlerContext) {
        switch self.connection.timerFired(now: self.clock()) {
        case .rearm(let fireAt):
            self.schedule(fireAt, context: context)
        case .close:
            // Idle past the keep-alive timeout (nothing in flight), or the linger after a
            // final answer ended.
            context.close(promise: nil)
        case .headTimedOut:
            let exchange = self.beginAnonymousExchange(context: context)
            let error = APIError(.requestTimeout, "The request headers did not arrive in time")
            self.finish(context: context, exchange, .error(error), forceClose: true)
        case .bodyTimedOut:
            guard let exchange = self.exchange else { return }
            let error = APIError(.requestTimeout, "The request body did not arrive in time")
            self.finish(context: context, exchange, .error(error), forceClose: true)
        case .handlerTimedOut:
            self.handlerTimedOut(context: context)
        }
    }
}
