import NIOCore

/// One connection's HTTP/1.1 protocol state as a pure value: which phase it is in (reading a
/// request, running its handler, closing), its one deadline, when output is flushed, when a
/// read is held back, and what a draining worker changes. `HTTPServerHandler` feeds it events
/// with the time it read from its injected clock and executes what it answers (schedule the
/// timer, flush, issue a held read, close); it holds no protocol flag of its own.
///
/// Every transition checks the phase it starts from: a handler that calls one out of order
/// stops the worker at once instead of corrupting a connection.
struct HTTPConnectionState {
    /// What the connection is doing.
    enum Phase: Equatable {
        /// Between requests (possibly with part of the next head buffered).
        case idle
        /// Head received, reading the body.
        case receiving
        /// The handler is running.
        case responding
        /// The connection closes after its last response; input is drained and dropped.
        case closing
    }

    /// The connection's timeouts in nanoseconds.
    struct Timeouts: Equatable {
        var keepAlive: UInt64
        var head: UInt64
        var body: UInt64
        var handler: UInt64
        /// How long the input is drained after a final response before the close.
        var linger: UInt64
        /// How long a draining worker keeps an idle connection open for a last request.
        var drainLinger: UInt64

        init(limits: HTTPLimits, drainLinger: TimeAmount) {
            self.keepAlive = UInt64(limits.keepAliveTimeout.nanoseconds)
            self.head = UInt64(limits.headerTimeout.nanoseconds)
            self.body = UInt64(limits.bodyTimeout.nanoseconds)
            self.handler = UInt64(limits.handlerTimeout.nanoseconds)
            self.linger = UInt64(limits.lingerTimeout.nanoseconds)
            self.drainLinger = UInt64(drainLinger.nanoseconds)
        }
    }

    /// What to do when the timer fires.
    enum TimerAction: Equatable {
        /// Nothing yet: schedule the timer again at this time.
        case rearm(at: UInt64)
        /// Close the connection; nothing is answered (idle, or the linger after the last answer).
        case close
        /// A started head did not complete in time: answer 408 and close.
        case headTimedOut
        /// The body did not arrive in time: answer 408 and close.
        case bodyTimedOut
        /// The handler did not answer in time: answer 504 and go on.
        case handlerTimedOut
    }

    /// Pending responses are flushed once they pass this many bytes within a read burst.
    static let outputBound = 64 * 1024

    /// While a handler runs, input keeps being read until this many bytes wait unparsed; then
    /// reads are held until it answered. Reading on costs nothing per request (no change of the
    /// socket's epoll interest, twice per request when every read was held), and it is how the
    /// end of the client's input is seen while its response is still being made.
    static let inputBound = 64 * 1024

    let timeouts: Timeouts
    private(set) var phase = Phase.idle
    private(set) var deadline = ConnectionDeadline()
    /// The current exchange's number: tells a late handler result from the current one's.
    private(set) var serial: UInt32 = 0
    /// The worker is draining: every response says `Connection: close`.
    private(set) var draining = false
    /// An exchange began and has not ended (the request counters count it as in flight).
    private(set) var exchangeOpen = false
    /// Inside a read burst (or a late result's batch): responses wait for its end to flush.
    private var inBurst = false
    /// Responses wait in the output buffer for the end of the burst.
    private var flushDue = false
    /// The output buffer holds responses not yet handed to the channel.
    private var batchOpen = false
    /// The handler is consuming input (a handler that answers synchronously must not re-enter).
    private var processing = false
    /// A read was withheld while a handler runs.
    private var readHeld = false
    /// The client shut its side of the connection (its FIN arrived): no more input will come,
    /// but what it sent is still answered.
    private(set) var inputEnded = false
    /// The channel takes more output. NIO reports every change of its writability on the
    /// event loop (`channelWritabilityChanged`), synchronously from the write that caused it,
    /// so this copy is never stale when the next pipelined request is considered.
    private(set) var writable = true

    init(timeouts: Timeouts) {
        self.timeouts = timeouts
    }

    // MARK: - Reading

    /// The connection opened at `now`: the keep-alive deadline for its first request.
    mutating func opened(now: UInt64) -> UInt64? {
        self.deadline.enter(.idle, until: now &+ self.timeouts.keepAlive)
    }

    /// A read burst (or a late result's batch) begins; returns whether one was running already.
    mutating func burstBegan() -> Bool {
        defer { self.inBurst = true }
        return self.inBurst
    }

    /// The burst begun when `outer` was returned ends; returns whether to flush now.
    mutating func burstEnded(outer: Bool = false) -> Bool {
        self.inBurst = outer
        return !outer && self.flushDue
    }

    /// Whether new bytes are parsed (after a final answer they are dropped until the close).
    var acceptsInput: Bool { self.phase != .closing }

    /// The channel asks to read with `buffered` bytes waiting unparsed; returns whether the
    /// read goes on. While a handler runs, only up to `inputBound`: beyond it, pipelined
    /// requests wait in the kernel.
    mutating func readRequested(buffered: Int) -> Bool {
        guard self.phase == .responding && buffered >= Self.inputBound else { return true }
        self.readHeld = true
        return false
    }

    /// What the end of the client's input means for the connection.
    enum EndOfInput: Equatable {
        /// Between requests: answer the complete requests still buffered, then close.
        case answerBuffered
        /// A handler runs: its answer is still written, then the connection closes.
        case afterResponse
        /// A body can no longer complete, or the connection is closing anyway: close now.
        case closeNow
    }

    /// The client's input ended (its FIN; the channel allows half-closure so that a response
    /// in the making is not lost with it).
    mutating func inputClosed() -> EndOfInput {
        self.inputEnded = true
        switch self.phase {
        case .idle: return .answerBuffered
        case .responding: return .afterResponse
        case .receiving, .closing:
            self.phase = .closing
            return .closeNow
        }
    }

    /// Input processing stopped at `now`; with the client's input ended and nothing left that
    /// can still be answered (`stalled`: complete requests wait for the channel to become
    /// writable), the connection closes once its output is written (`close`; `timer` bounds
    /// that wait).
    mutating func endOfInputReached(now: UInt64, stalled: Bool) -> (close: Bool, timer: UInt64?) {
        guard self.inputEnded && self.phase == .idle && !stalled else { return (false, nil) }
        self.phase = .closing
        self.flushDue = false
        return (true, self.deadline.enter(.linger, until: now &+ self.timeouts.linger))
    }

    /// Input processing begins; `false` when it is running already (re-entry).
    mutating func processingBegan() -> Bool {
        guard !self.processing else { return false }
        self.processing = true
        return true
    }

    /// Input processing ends; returns whether to issue the read held while a handler ran.
    mutating func processingEnded() -> Bool {
        precondition(self.processing, "processing ended twice")
        self.processing = false
        guard self.readHeld && self.phase != .responding else { return false }
        self.readHeld = false
        return true
    }

    /// Part of a head arrived at `now`: it is now under the head timeout, which a trickle of
    /// bytes does not extend.
    mutating func headStarted(now: UInt64) -> UInt64? {
        precondition(self.phase == .idle, "a head started in \(self.phase)")
        return self.deadline.enterIfNew(.head, until: now &+ self.timeouts.head)
    }

    // MARK: - Exchanges

    /// A request (or an answer without one: a malformed head, a head timeout) begins at
    /// `now`; with `receivingBody`, its body is read first. Returns its serial and the time to
    /// schedule the timer at.
    mutating func exchangeBegan(now: UInt64, receivingBody: Bool) -> (serial: UInt32, timer: UInt64?) {
        precondition(self.phase == .idle && !self.exchangeOpen, "an exchange began in \(self.phase)")
        self.serial &+= 1
        self.exchangeOpen = true
        guard receivingBody else {
            self.phase = .responding
            return (self.serial, nil)
        }
        self.phase = .receiving
        return (self.serial, self.deadline.enter(.body, until: now &+ self.timeouts.body))
    }

    /// The body is complete: the handler runs.
    mutating func bodyReceived() {
        precondition(self.phase == .receiving, "a body completed in \(self.phase)")
        self.phase = .responding
    }

    /// A handler that answers later started at `now`: it is under the handler timeout.
    mutating func handlerStarted(now: UInt64) -> UInt64? {
        precondition(self.phase == .responding, "a handler started in \(self.phase)")
        return self.deadline.enter(.handler, until: now &+ self.timeouts.handler)
    }

    /// Whether a handler's result for exchange `serial` is still wanted (not answered by a
    /// timeout, the connection not closed).
    func isCurrent(_ serial: UInt32) -> Bool {
        self.phase == .responding && self.serial == serial
    }

    /// Whether the connection stays open after a response whose request asked for it
    /// (`requested`): never once the worker drains, nor while it is `leaving` (the worker's
    /// readiness says a drain began: during `DRAIN_DELAY` it still serves every request, but
    /// each closes its connection so keep-alive clients reconnect elsewhere). The one place
    /// that decides `Connection: close`.
    func keepsAlive(requested: Bool, leaving: Bool) -> Bool {
        requested && !leaving && !self.draining
    }

    /// The response of the current exchange was written at `now`; the connection goes idle
    /// (`keepAlive`) or closing. Returns the time to schedule the timer at.
    mutating func exchangeEnded(keepAlive: Bool, now: UInt64) -> UInt64? {
        precondition(self.exchangeOpen && self.phase != .idle, "an exchange ended in \(self.phase)")
        self.exchangeOpen = false
        guard keepAlive else {
            self.phase = .closing
            self.flushDue = false
            return self.deadline.enter(.linger, until: now &+ self.timeouts.linger)
        }
        self.phase = .idle
        return self.deadline.enter(.idle, until: now &+ self.timeouts.keepAlive)
    }

    // MARK: - Writing

    /// The channel's writability changed: while it is `false`, no further pipelined request
    /// is handled (its response would only pile up in memory).
    mutating func writabilityChanged(_ writable: Bool) {
        self.writable = writable
    }

    /// A response is about to be written; returns whether the output buffer starts a new
    /// batch (its previous contents were handed to the channel).
    mutating func outputStarted() -> Bool {
        defer { self.batchOpen = true }
        return !self.batchOpen
    }

    /// The output buffer was handed to the channel (a large body follows it on its own).
    mutating func outputHandedOver() {
        self.batchOpen = false
    }

    /// A keep-alive response of `pendingBytes` in the output buffer is complete; returns
    /// whether to flush now (outside a burst, or past the bound) rather than at its end.
    mutating func responseQueued(pendingBytes: Int) -> Bool {
        if self.inBurst && pendingBytes < Self.outputBound {
            self.flushDue = true
            return false
        }
        return true
    }

    /// The output is flushed; returns whether the output buffer holds a batch to write first.
    mutating func flushed() -> Bool {
        self.flushDue = false
        defer { self.batchOpen = false }
        return self.batchOpen
    }

    // MARK: - Timer, drain, close

    /// The timer fired at `now`.
    mutating func timerFired(now: UInt64) -> TimerAction {
        switch self.deadline.timerFired(now: now) {
        case .rearm(let at):
            return .rearm(at: at)
        case .expired(let phase):
            switch (phase, self.phase) {
            case (.head, .idle): return .headTimedOut
            case (.body, .receiving): return .bodyTimedOut
            case (.handler, .responding): return .handlerTimedOut
            default:
                // Idle past the keep-alive timeout, the linger after a final answer ended, or
                // a phase without a deadline of its own: never leave a connection without one.
                self.phase = .closing
                return .close
            }
        }
    }

    /// The worker drains at `now`. A request in progress is answered with `Connection: close`;
    /// an idle connection without buffered input (`hasInput`) stays open `drainLinger` at most
    /// (closing it would race a request the client may be sending right now). Returns the
    /// time to schedule the timer at.
    mutating func quiesced(now: UInt64, hasInput: Bool) -> UInt64? {
        self.draining = true
        guard self.phase == .idle && !hasInput else { return nil }
        let lingerEnd = now &+ self.timeouts.drainLinger
        guard lingerEnd < self.deadline.deadline else { return nil }
        return self.deadline.enter(.idle, until: lingerEnd)
    }

    /// The connection closed (or failed); returns whether an exchange was abandoned in flight.
    mutating func closed() -> Bool {
        self.phase = .closing
        self.deadline.timerCancelled()
        defer { self.exchangeOpen = false }
        return self.exchangeOpen
    }
}
