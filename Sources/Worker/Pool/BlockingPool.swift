import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Shared
import Synchronization

/// A pool of connections of a blocking C client (libpq, hiredis), with one dedicated thread
/// per connection so blocking calls never touch an event loop.
///
/// Connections are created lazily and replaced when broken. Because the pool has as many
/// threads as connections, a running operation always finds a connection (idle or new): there
/// is no second queue. The thread pool's queue is bounded by `maxQueued`; beyond it callers fail
/// fast with `PoolError.overloaded`, so an outage never builds an unbounded backlog. An
/// operation still queued after `queueTimeout` fails with `PoolError.timedOut` at that moment
/// (and never runs), so a saturated pool answers within a known time.
///
/// A connection goes back to the idle list only if `reset` says it is clean (for PostgreSQL:
/// no open transaction, no statement still running), so no state passes from one user to the
/// next. Check-out and check-in are `checkout()` and `checkin(_:)`.
final class BlockingPool<Connection: AnyObject & Sendable>: Sendable {
    private struct State {
        var idle: [Connection] = []
        var open = true
    }

    let name: String
    private let threads: NIOThreadPool
    private let maxQueued: Int
    private let queueTimeout: TimeAmount
    private let connect: @Sendable () throws -> Connection
    private let isUsable: @Sendable (Connection) -> Bool
    private let reset: @Sendable (Connection) -> Bool
    private let state = NIOLockedValueBox(State())
    /// Operations admitted and not yet started, and whether new ones are admitted: atomics, so
    /// admitting and starting an operation take no lock (the event loop and the pool threads
    /// would contend for it on every request).
    private let queued = Atomic<Int>(0)
    private let accepting = Atomic<Bool>(true)
    /// Gauges and error counters in the worker's metrics region.
    private let metrics: PoolMetrics?

    /// Creates and starts the pool's threads; no connection is opened yet. `reset` runs at
    /// check-in and returns whether the connection may be reused (default: `isUsable`).
    init(
        name: String,
        size: Int,
        maxQueued: Int,
        queueTimeout: TimeAmount = .seconds(5),
        connect: @escaping @Sendable () throws -> Connection,
        isUsable: @escaping @Sendable (Connection) -> Bool,
        reset: (@Sendable (Connection) -> Bool)? = nil,
        metrics: PoolMetrics? = nil
    ) {
        self.metrics = metrics
        self.name = name
        self.threads = NIOThreadPool(numberOfThreads: size)
        self.threads.start()
        self.maxQueued = maxQueued
        self.queueTimeout = queueTimeout
        self.connect = connect
        self.isUsable = isUsable
        self.reset = reset ?? isUsable
    }

    /// Runs `body` with a connection on a pool thread; the result arrives on `eventLoop`.
    ///
    /// `body` must bound its own blocking time (every client call takes a deadline). If it
    /// throws an error for which `breaks` is true, the connection is discarded. With
    /// `retryOnStale`, an idempotent `body` that broke a connection taken from the idle list
    /// runs once more on a fresh one: after the server restarted, every pooled connection is
    /// dead, and the first use must not report an outage that is already over.
    func run<Result: Sendable>(
        on eventLoop: any EventLoop,
        breaks: @escaping @Sendable (any Error) -> Bool,
        retryOnStale: Bool = false,
        _ body: @escaping @Sendable (Connection) throws -> Result
    ) -> EventLoopFuture<Result> {
        self.run(on: eventLoop, breaks: breaks, retryOnStale: retryOnStale, body, then: { $0 })
    }

    /// `run`, then `then` with the body's result on the same pool thread once the connection is
    /// back in the pool: work on the result (decoding rows, encoding a response) costs neither
    /// the event loop nor a thread hop, and does not hold the connection.
    func run<Value, Result: Sendable>(
        on eventLoop: any EventLoop,
        breaks: @escaping @Sendable (any Error) -> Bool,
        _ body: @escaping @Sendable (Connection) throws -> Value,
        then: @escaping @Sendable (Value) throws -> Result
    ) -> EventLoopFuture<Result> {
        self.run(on: eventLoop, breaks: breaks, retryOnStale: false, body, then: then)
    }

    private func run<Value, Result: Sendable>(
        on eventLoop: any EventLoop,
        breaks: @escaping @Sendable (any Error) -> Bool,
        retryOnStale: Bool,
        _ body: @escaping @Sendable (Connection) throws -> Value,
        then: @escaping @Sendable (Value) throws -> Result
    ) -> EventLoopFuture<Result> {
        if let refused = self.admit() { return eventLoop.makeFailedFuture(refused) }
        let promise = eventLoop.makePromise(of: Result.self)
        let queuedAt = self.metrics == nil ? 0 : MonotonicClock.nanoseconds()
        let ticket = QueueTicket()
        let deadline = eventLoop.scheduleTask(in: self.queueTimeout) {
            guard ticket.expire() else { return }
            self.leftQueue(waitedSince: nil, refused: true)  // no connection in time: exhausted too
            promise.fail(PoolError.timedOut(pool: self.name))
        }
        self.threads.submit { workState in
            guard ticket.start() else { return }  // timed out in the queue: already answered
            deadline.cancel()
            self.leftQueue(waitedSince: nil)  // the wait is recorded once a connection is in hand
            guard workState == .active else {
                promise.fail(PoolError.shutDown(pool: self.name))
                return
            }
            promise.completeWith(
                Swift.Result {
                    try then(try self.execute(queuedAt: queuedAt, breaks: breaks, retryOnStale: retryOnStale, body))
                }
            )
        }
        return promise.futureResult
    }

    /// Admits one operation that a runner (`runWithConnection`) takes from the caller's own
    /// queue, counted against `maxQueued` like `run`'s: `nil` when admitted, else why not. An
    /// admitted operation must leave the queue exactly once (`leftQueue`).
    func admit() -> PoolError? {
        guard self.accepting.load(ordering: .acquiring) else { return .shutDown(pool: self.name) }
        guard self.queued.wrappingAdd(1, ordering: .relaxed).newValue <= self.maxQueued else {
            self.queued.wrappingSubtract(1, ordering: .relaxed)
            self.metrics?.refused()
            return .overloaded(pool: self.name)
        }
        return nil
    }

    /// An admitted operation left the queue: it started (`waitedSince`: when it was admitted,
    /// for the wait histogram), or it was answered without running (`nil`; `refused` when its
    /// queue deadline passed, which counts as the pool being exhausted).
    func leftQueue(waitedSince queuedAt: UInt64?, refused: Bool = false) {
        self.queued.wrappingSubtract(1, ordering: .relaxed)
        if let metrics = self.metrics {
            if let queuedAt { metrics.waited(nanoseconds: MonotonicClock.nanoseconds() &- queuedAt) }
            if refused { metrics.refused() }
        }
    }

    /// Runs `body` on a pool thread with a checked-out connection, or with the error that kept
    /// it from getting one (`PoolError.shutDown` once the pool stopped), and checks the
    /// connection in after. For a runner that serves operations admitted with `admit` from its
    /// own queue: it is not itself queued work, so it has no deadline; its operations have.
    func runWithConnection(_ body: @escaping @Sendable (Result<Connection, any Error>) -> Void) {
        self.threads.submit { workState in
            guard workState == .active else {
                body(.failure(PoolError.shutDown(pool: self.name)))
                return
            }
            let connection: Connection
            do {
                connection = try self.checkout().0
            } catch {
                body(.failure(error))
                return
            }
            self.metrics?.lent(1)
            body(.success(connection))
            self.metrics?.lent(-1)
            self.checkin(connection)
        }
    }

    /// Runs `body` on this (pool) thread with a checked-out connection, checking it in after.
    /// The wait since `queuedAt` (queue, then opening a connection if none was idle) is
    /// recorded once the connection is in hand.
    private func execute<Result>(
        queuedAt: UInt64,
        breaks: (any Error) -> Bool,
        retryOnStale: Bool,
        _ body: (Connection) throws -> Result
    ) throws -> Result {
        let (connection, reused) = try self.checkout()
        if let metrics = self.metrics { metrics.waited(nanoseconds: MonotonicClock.nanoseconds() &- queuedAt) }
        self.metrics?.lent(1)
        defer { self.metrics?.lent(-1) }
        do {
            let result = try body(connection)
            self.checkin(connection)
            return result
        } catch {
            guard breaks(error) else {
                self.checkin(connection)
                throw error
            }
            guard retryOnStale && reused else { throw error }
        }
        let fresh = try self.connectCounted()
        let result = try body(fresh)
        self.checkin(fresh)
        return result
    }

    /// Opens one connection in the background so the first request does not pay for it.
    /// A failure is ignored: the next operation retries.
    func warmUp(on eventLoop: any EventLoop) {
        _ = self.run(on: eventLoop, breaks: { _ in false }, { _ in () })
    }

    /// Stops accepting work, waits for running operations, and closes every connection.
    func shutdown() {
        self.accepting.store(false, ordering: .releasing)
        let idle = self.state.withLockedValue { state -> [Connection] in
            state.open = false
            defer { state.idle.removeAll() }
            return state.idle
        }
        try? self.threads.syncShutdownGracefully()
        withExtendedLifetime(idle) {}
        self.state.withLockedValue { $0.idle.removeAll() }
    }

    /// An idle usable connection (`reused`), else a new one.
    private func checkout() throws -> (Connection, reused: Bool) {
        while let (connection, left) = self.state.withLockedValue({ state in
            state.idle.popLast().map { ($0, state.idle.count) }
        }) {
            self.metrics?.idle(left)
            if self.isUsable(connection) { return (connection, true) }
        }
        return (try self.connectCounted(), false)
    }

    private func connectCounted() throws -> Connection {
        do {
            let connection = try self.connect()
            self.metrics?.connected()
            return connection
        } catch {
            self.metrics?.connectFailed()
            throw error
        }
    }

    /// Back to the idle list, only if `reset` made it clean; otherwise it is dropped (closed).
    private func checkin(_ connection: Connection) {
        guard self.reset(connection) else { return }
        self.state.withLockedValue { state in
            if state.open { state.idle.append(connection) }
            self.metrics?.idle(state.idle.count)
        }
    }
}
