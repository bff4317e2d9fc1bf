import NIOCore
import NIOHTTP1
import Shared

extension HTTPServerHandler {
    /// Puts the connection under `phase`'s deadline, `amount` after `now` (monotonic
    /// nanoseconds). With `keepEarlier`, a connection already in `phase` keeps its deadline.
    func enter(
        _ phase: ConnectionDeadline.Phase,
        after amount: TimeAmount,
        from now: UInt64,
        context: ChannelHandlerContext,
        keepEarlier: Bool = false
    ) {
        let deadline = now &+ UInt64(amount.nanoseconds)
        let fireAt =
            keepEarlier ? self.deadline.enterIfNew(phase, until: deadline) : self.deadline.enter(phase, until: deadline)
        if let fireAt { self.schedule(at: fireAt, context: context) }
    }

    /// Cancels the timer (the connection is gone).
    func cancelTimer() {
        self.timer?.cancel()
        self.timer = nil
        self.deadline.timerCancelled()
    }

    private func schedule(at fireAt: UInt64, context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: .uptimeNanoseconds(fireAt)) {
            self.timer = nil
            self.timerFired(context: context)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        switch self.deadline.timerFired(now: MonotonicClock.nanoseconds()) {
        case .rearm(let fireAt):
            self.schedule(at: fireAt, context: context)
        case .expired(let phase):
            self.expire(phase, context: context)
        }
    }

    private func expire(_ phase: ConnectionDeadline.Phase, context: ChannelHandlerContext) {
        switch (phase, self.state) {
        case (.idle, .idle):
            // An idle keep-alive connection: nothing to answer.
            self.state = .closing
            context.close(promise: nil)
        case (.head, .idle):
            // A head that never completed.
            let exchange = self.anonymousExchange()
            self.services.counters.begin()
            let error = APIError(.requestTimeout, "The request headers did not arrive in time")
            self.finish(context: context, exchange, .error(error), forceClose: true)
        case (.body, .receiving) where self.exchange != nil:
            let exchange = self.exchange!
            let error = APIError(.requestTimeout, "The request body did not arrive in time")
            self.finish(context: context, exchange, .error(error), forceClose: true)
        case (.handler, .responding):
            self.handlerTimedOut(context: context)
        default:
            // The linger after a final answer ended, or a state without a deadline of its own:
            // never leave a connection without one.
            self.state = .closing
            context.close(promise: nil)
        }
    }
}
