import Shared

/// The timing knobs of the supervisor policy, in nanoseconds of a monotonic clock.
struct PolicySettings: Equatable {
    /// Worker slots to fill at start (`SIGTTIN` / `SIGTTOU` change the count later).
    var workers: Int
    /// If no first-generation worker is ready by then, the supervisor gives up (exit 1). Also
    /// how long any later worker may take to send `ready`.
    var startupTimeout: UInt64
    /// A ready worker silent for this long counts as hung: `SIGABRT`, then `SIGKILL`.
    var heartbeatTimeout: UInt64
    /// Between `SIGABRT` (or the drain deadline) and `SIGKILL`.
    var killGrace: UInt64 = 2 * second
    /// A worker's budget to finish its requests once it stopped accepting (`SHUTDOWN_TIMEOUT`).
    var shutdownTimeout: UInt64
    /// How long a stopping service keeps serving with readiness at 503 (`DRAIN_DELAY`).
    var drainDelay: UInt64 = 0
    /// First restart delay after a worker dies young; doubles per consecutive failure.
    var backoffBase: UInt64 = 100 * millisecond
    /// The largest restart delay.
    var backoffCap: UInt64 = 10 * second
    /// A worker ready at least this long counts as healthy: replaced at once, failures reset.
    var stableRun: UInt64 = 1 * second
    /// Recycle a worker after this many requests (gunicorn's `max_requests`); 0 = never.
    var maxRequests: UInt64 = 0
    /// Up to this many requests added at random per worker, so workers do not recycle together.
    var maxRequestsJitter: UInt64 = 0
    /// How often to ping systemd's watchdog (`WatchdogSec/2`); 0 = the watchdog is off.
    var watchdogInterval: UInt64 = 0

    static let millisecond: UInt64 = 1_000_000
    static let second: UInt64 = 1_000_000_000

    /// The drain timeline the workers follow.
    var drain: DrainTimeline { DrainTimeline(delay: self.drainDelay, shutdownTimeout: self.shutdownTimeout) }

    /// When a worker told to drain at `now` is killed if it is still there: its own budget
    /// (with `DRAIN_DELAY` for the delayed drain of a stopping service), then the kill grace,
    /// so the worker's own timeout always fires first. Every drain deadline comes from here.
    func drainDeadline(from now: UInt64, delayed: Bool) -> UInt64 {
        now &+ self.drain.budget(delayed: delayed) &+ self.killGrace
    }

    /// The restart delay after `failures` consecutive early deaths (1 → base, 2 → 2×base, …).
    func backoff(afterFailures failures: Int) -> UInt64 {
        guard failures > 0 else { return 0 }
        let shift = min(failures - 1, 30)
        let (delay, overflow) = self.backoffBase.multipliedReportingOverflow(by: 1 << UInt64(shift))
        return overflow ? self.backoffCap : min(delay, self.backoffCap)
    }
}
