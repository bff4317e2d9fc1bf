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
/// queue deadline and its place in `maxQueued`.
final class TenantQueryBatcher: Sendable {
    /// One waiting query: what to run, how to read its rows, how to answer.
    ///
    /// Made on an event loop, handed to one pool thread through the queue's lock, answered once
    /// (by that thread, or by its queue deadline: `ticket` decides). `@unchecked` because of the
    /// typed closures; nothing in it is used by two threads at once.
    final class Job: @unchecked Sendable {
        let query: PostgresConnection.TenantQuery
        let ticket = QueueTicket()
        let queuedAt = MonotonicClock.nanoseconds()
        /// Reads the statement's rows in place (can run again if the query runs again).
        let decode: (PostgresResult) -> Void
        /// Answers with the decoded value, or with the error; exactly once.
        let finish: (PostgresError?) -> Void
        /// Fails the query without running it (queue deadline, shutdown, no connection).
        let fail: (any Error) -> Void
        var deadline: Scheduled<Void>?

        init(
            query: PostgresConnection.TenantQuery,
            decode: @escaping (PostgresResult) -> Void,
            finish: @escaping (PostgresError?) -> Void,
            fail: @escaping (any Error) -> Void
        ) {
            self.query = query
            self.decode = decode
            self.finish = finish
            self.fail = fail
        }
    }

    private struct State {
        var jobs: [Job] = []
        /// Runners submitted to the pool that have not taken their first batch yet.
        var pendingRunners = 0
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

    /// Queues `job` (already admitted by the pool) and makes sure a runner will take it; its
    /// queue deadline runs on `eventLoop`.
    func enqueue(_ job: Job, on eventLoop: any EventLoop) {
        job.deadline = eventLoop.scheduleTask(in: self.queueTimeout) { [pool] in
            guard job.ticket.expire() else { return }
            pool.leftQueue(waitedSince: nil, refused: true)
            job.fail(PoolError.timedOut(pool: pool.name))
        }
        let (accepted, needsRunner) = self.state.withLock { state -> (Bool, Bool) in
            guard state.open else { return (false, false) }
            state.jobs.append(job)
            // A runner for every `limit` queries not yet spoken for, and at least one.
            guard state.pendingRunners == 0 || state.jobs.count > state.pendingRunners * self.limit else {
                return (true, false)
            }
            state.pendingRunners += 1
            return (true, true)
        }
        guard accepted else {
            self.abandon(job, PoolError.shutDown(pool: self.pool.name))
            return
        }
        if needsRunner { self.pool.runWithConnection(self.run) }
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
                for job in batch { job.fail(error) }
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

    /// The next batch: this runner's share of the queue, started (deadline cancelled, out of
    /// the pool's queue count); queries whose deadline already answered them are dropped.
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
                job.deadline?.cancel()
                self.pool.leftQueue(waitedSince: job.queuedAt)
                batch.append(job)
            }
        }
        return batch
    }

    /// Answers `job` with `error` unless its deadline already did.
    private func abandon(_ job: Job, _ error: any Error) {
        guard job.ticket.start() else { return }
        job.deadline?.cancel()
        self.pool.leftQueue(waitedSince: nil)
        job.fail(error)
    }
}
