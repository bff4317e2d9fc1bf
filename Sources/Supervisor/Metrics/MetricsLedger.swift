import Shared

/// The supervisor's side of the metrics: one `MetricsRegion` per live worker, the folded
/// counts of workers that are gone, and the supervisor's own counters (restarts by reason,
/// reloads). Counters are monotonic across worker exits: a region is folded into the totals
/// when its worker is reaped (its last counts are in shared memory even after a `SIGKILL`),
/// then unmapped; the replacement gets a fresh region.
final class MetricsLedger {
    /// A live worker's region.
    struct Live {
        let slot: Int
        let region: MetricsRegion
        /// Requests and time of the rate sample (`status`).
        var sample: (time: UInt64, requests: UInt64)
        /// Requests per second over the last sampling window.
        var rate: Double?
    }

    /// The reasons `saas_api_worker_restarts_total` counts, in exposition order.
    static let restartReasons = ["crash", "hung", "recycle", "reload"]
    /// The counter words of the header, folded like the request series.
    static let foldedWords: [MetricsLayout.Word] = [
        .postgresExhausted, .redisExhausted, .postgresConnectFailures, .redisConnectFailures,
        .postgresBatches, .postgresBatchedTransactions,
    ]
    /// Shortest window a rate is computed over.
    static let rateWindow: UInt64 = 5_000_000_000

    private(set) var live: [Int32: Live] = [:]
    private(set) var totals = RequestTotals()
    private(set) var foldedCounters: [MetricsLayout.Word: UInt64] = [:]
    /// The pool-wait histograms of exited workers, by pool.
    private(set) var foldedPoolWaits = MetricsLayout.Pool.allCases.map { _ in
        HistogramCounts(bucketCount: PoolWaitBuckets.count)
    }
    private(set) var restarts: [String: UInt64] = Dictionary(uniqueKeysWithValues: restartReasons.map { ($0, 0) })
    private(set) var reloads: UInt64 = 0

    /// A worker was spawned with `region`.
    func spawned(pid: Int32, slot: Int, region: MetricsRegion, now: UInt64) {
        self.live[pid] = Live(slot: slot, region: region, sample: (now, 0))
    }

    /// A worker was reaped: its counts join the totals; `restartReason` (one of
    /// `restartReasons`) when its slot gets a replacement because of the exit.
    func exited(pid: Int32, restartReason: String?) {
        if let reason = restartReason { self.restarts[reason, default: 0] += 1 }
        guard let gone = self.live.removeValue(forKey: pid) else { return }
        self.totals.fold(gone.region)
        for word in Self.foldedWords { self.foldedCounters[word, default: 0] &+= gone.region.value(word) }
        for pool in MetricsLayout.Pool.allCases { self.foldedPoolWaits[pool.rawValue].add(gone.region.poolWaits(pool)) }
    }

    /// Why `pid`'s exit replaces it, for `saas_api_worker_restarts_total`: `hung` (aborted
    /// after missing heartbeats), `recycle` (max-requests), `reload` (an older generation
    /// retired by a reload), `crash` (any other exit of a worker its slot counted on); `nil`
    /// when its slot gets no replacement for it (stopping, scaled away) or it is unknown.
    static func restartReason(pid: Int32, policy: SupervisorPolicy) -> String? {
        guard let worker = policy.workers[pid] else { return nil }
        switch policy.phase {
        case .stopping, .halting, .exited: return nil
        case .booting, .running: break
        }
        if case .aborting = worker.state { return "hung" }
        if worker.recycleQueued { return "recycle" }
        if worker.retiring { return worker.generation < policy.generation ? "reload" : nil }
        return "crash"
    }

    /// A reload (`SIGHUP`) started.
    func reloaded() {
        self.reloads += 1
    }

    /// Updates the request rate of `pid` once its window is long enough (called on heartbeats).
    func sample(pid: Int32, now: UInt64) {
        guard var entry = self.live[pid], now &- entry.sample.time >= Self.rateWindow else { return }
        let requests = entry.region.requestSeries().values.reduce(0) { $0 &+ $1.count }
        let seconds = Double(now &- entry.sample.time) / 1e9
        entry.rate = Double(requests &- entry.sample.requests) / seconds
        entry.sample = (now, requests)
        self.live[pid] = entry
    }

    /// The request histogram now: the totals plus every live region.
    var requestTotals: RequestTotals {
        self.totals.adding(self.live.values.map(\.region))
    }

    /// A folded counter word plus its live values.
    func counter(_ word: MetricsLayout.Word) -> UInt64 {
        self.live.values.reduce(self.foldedCounters[word] ?? 0) { $0 &+ $1.region.value(word) }
    }

    /// The wait histogram of `pool`: the folded one plus every live region's.
    func poolWaits(_ pool: MetricsLayout.Pool) -> HistogramCounts {
        self.live.values.reduce(into: self.foldedPoolWaits[pool.rawValue]) { $0.add($1.region.poolWaits(pool)) }
    }

    /// A gauge word summed over the live workers.
    func gauge(_ word: MetricsLayout.Word) -> UInt64 {
        self.live.values.reduce(0) { $0 &+ $1.region.value(word) }
    }
}
