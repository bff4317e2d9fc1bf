import Database
import NIOCore
import Shared
import Synchronization

/// The one-statement tenant transactions (`PostgresPool.queryAsTenant`) waiting for a pool
/// thread, which takes several at once and sends them in one round trip
/// (`PostgresConnection.queryAsTenant(batch:)`): under load, one write, one wake-up and one
/// read serve many requests instead of one each, on our side and on the server's.
///
/// When the pool has a thread free, a query gets a runner of its own at once, as before: a
/// batch only forms from queries that would have waited anyway. A runner takes its share of
/// the queue (split with the runners already on their way, at most `limit`), runs it, answers
/// each query on the same thread, and goes on with what queued meanwhile, for at most
/// `rounds` batches so other work on the pool threads gets its turn. Each query keeps its own
/// queue deadline (`DB_QUERY_TIMEOUT_MS`, answered with `PoolError.timedOut` at that moment)
/// and its place in `maxQueued`. One timer serves every deadline: it is armed for the oldest
/// waiting query and, when it fires, answers the expired ones and re-arms for the oldest left,
/// so a query costs no timer of its own (a timer per query was a heap insert on the event loop
/// and a locked removal from the pool thread, per request).
final class TenantQueryBatcher: Sendable {
    /// One waiting query: what to run, how to read its rows, how to answer.
    ///
    /// Made on an event loop, handed to one pool thread through the queue's lock, answered once
    /// (by that thread, or at its queue deadline: `ticket` decides). `@unchecked` because of the
    /// typed closures; nothing in it is used by two threads at once.
    final class Job: @unchecked Sendable {
        let query: PostgresConnection.TenantQuery
        let ticket = QueueTicket()
        let queuedAt = MonotonicClock.nanoseconds()
        /// Reads the statement's rows in place (can run again if the query runs again).
        let decode: (PostgresResult) -> Void
        /// Answers, exactly once: with the decoded value (`nil`), or with the error (the
        /// statement's, or why it did not run: queue deadline, shutdown, no connection).
        let finish: ((any Error)?) -> Void

        init(
            query: PostgresConnection.TenantQuery,
            decode: @escaping (PostgresResult) -> Void,
            finish: @escaping ((any Error)?) -> Void
        ) {
            self.query = query
            self.decode = decode
            self.finish = finish
        }
    }

    private struct State {
        var jobs: [Job] = []
        /// Runners submitted to the pool that have not taken their first batch yet.
        var pendingRunners = 0
        /// The deadline timer is armed (for the oldest query queued when it was armed).
        var timerArmed = false
        var open = true
    }

    private let pool: BlockingPool<PostgresConnection>
    private let statementTimeout: Duration
    private let queueTimeout: TimeAmount
    private let limit: Int
    private let rounds: Int
    private let metrics: PoolMetrics?
    private let state = Mutex(State())

    /// Batches for `pool`'s threads: at most `limit` queries per round trip, at most `rounds`
    /// batches per runner before it lets the thread go; `metrics` counts the batches.
    init(
        pool: BlockingPool<PostgresConnection>,
        statementTimeout: Duration,
        queueTimeout: TimeAmount,
        limit: Int = 16,
        rounds: Int = 4,
        metrics: PoolMetrics? = nil
    ) {
        precondition(limit > 0 && rounds > 0, "a batch holds at least one query")
        self.pool = pool
        self.statementTimeout = statementTimeout
        self.queueTimeout = queueTimeout
        self.limit = limit
        self.rounds = rounds
        self.metrics = metrics
    }

    /// Queues `job` (already admitted by the pool) and makes sure a runner will take it; when
    /// no deadline timer is armed, one is, on `eventLoop`.
    func enqueue(_ job: Job, on eventLoop: any EventLoop) {
        let (accepted, needsRunner, armTimer) = self.state.withLock { state -> (Bool, Bool, Bool) in
            guard state.open else { return (false, false, false) }
            state.jobs.append(job)
            let armTimer = !state.timerArmed
            state.timerArmed = true
            // A runner for every `limit` queries not yet spoken for, and at least one.
            guard state.pendingRunners == 0 || state.jobs.count > state.pendingRunners * self.limit else {
                return (true, false, armTimer)
            }
            state.pendingRunners += 1
            return (true, true, armTimer)
        }
        guard accepted else {
            self.abandon(job, PoolError.shutDown(pool: self.pool.name))
            return
        }
        if armTimer { self.armTimer(at: job.queuedAt, on: eventLoop) }
        if needsRunner { self.pool.runWithConnection(self.run) }
    }

    /// Arms the deadline timer for a query queued at `queuedAt`.
    private func armTimer(at queuedAt: UInt64, on eventLoop: any EventLoop) {
        let deadline = queuedAt &+ UInt64(self.queueTimeout.nanoseconds)
        eventLoop.scheduleTask(deadline: .uptimeNanoseconds(deadline)) {
            self.timerFired(on: eventLoop)
        }
    }

    /// Answers every query whose queue deadline passed (`PoolError.timedOut`, counted as the
    /// pool being exhausted), and re-arms for the oldest one left.
    private func timerFired(on eventLoop: any EventLoop) {
        let now = MonotonicClock.nanoseconds()
        let timeout = UInt64(self.queueTimeout.nanoseconds)
        let (expired, oldest) = self.state.withLock { state -> ([Job], UInt64?) in
            var expired: [Job] = []
            state.jobs.removeAll { job in
                guard now &- job.queuedAt >= timeout else { return false }
                expired.append(job)
                return true
            }
            let oldest = state.jobs.lazy.map(\.queuedAt).min()
            state.timerArmed = oldest != nil
            return (expired, oldest)
        }
        if let oldest { self.armTimer(at: oldest, on: eventLoop) }
        for job in expired where job.ticket.expire() {
            self.pool.leftQueue(waitedSince: nil, refused: true)
            job.finish(PoolError.timedOut(pool: self.pool.name))
        }
    }

    /// Fails every query still queued (the pool is shutting down) and accepts no more.
    func shutdown() {
        let jobs = self.state.withLock { state -> [Job] in
            state.open = false
            defer { state.jobs.removeAll() }
            return state.jobs
        }
        for job in jobs { self.abandon(job, PoolError.shutDown(pool: self.pool.name)) }
    }

    /// A runner on a pool thread: batches until the queue is empty or `rounds` ran.
    private func run(_ connection: Result<PostgresConnection, any Error>) {
        var first = true
        batches: for _ in 0..<self.rounds {
            let batch = self.take(first: first)
            first = false
            guard !batch.isEmpty else { return }
            switch connection {
            case .failure(let error):
                for job in batch { job.finish(error) }
            case .success(let connection):
                self.metrics?.batched(batch.count)
                let outcomes = connection.queryAsTenant(
                    batch: batch.map(\.query),
                    statementTimeout: self.statementTimeout
                ) { index, result in
                    batch[index].decode(result)
                }
                for index in batch.indices { batch[index].finish(outcomes[index]) }
                guard connection.isUsable else { break batches }
            }
        }
        // Queries left behind get a runner of their own (unless one is on its way).
        let needsRunner = self.state.withLock { state -> Bool in
            guard state.open, !state.jobs.isEmpty, state.pendingRunners == 0 else { return false }
            state.pendingRunners += 1
            return true
        }
        if needsRunner { self.pool.runWithConnection(self.run) }
    }

    /// The next batch: this runner's share of the queue, started (out of the pool's queue
    /// count); queries whose deadline already answered them are dropped.
    private func take(first: Bool) -> [Job] {
        var first = first
        var batch: [Job] = []
        while batch.isEmpty {
            let taken = self.state.withLock { state -> ArraySlice<Job> in
                if first { state.pendingRunners -= 1 }
                let share = (state.jobs.count + state.pendingRunners) / (state.pendingRunners + 1)
                let count = min(self.limit, max(1, share), state.jobs.count)
                defer { state.jobs.removeFirst(count) }
                return state.jobs.prefix(count)
            }
            first = false
            guard !taken.isEmpty else { break }
            batch.reserveCapacity(taken.count)
            for job in taken where job.ticket.start() {
                self.pool.leftQueue(waitedSince: job.queuedAt)
                batch.append(job)
            }
        }
        return batch
    }

    /// Answers `job` with `error` unless its deadline already did.
    private func abandon(_ job: Job, _ error: any Error) {
        guard job.ticket.start() else { return }
        self.pool.leftQueue(waitedSince: nil)
        job.finish(error)
    }
}
