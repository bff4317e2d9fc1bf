import Logging

/// What the policy asks the supervisor's edge to do. The edge owns processes, fds and
/// signals; the policy only decides.
enum PolicyAction: Equatable {
    /// Start a worker for `slot` of `generation` (binding the slot's socket if it has none).
    case spawn(slot: Int, generation: Int)
    /// Send `signal` to `pid`.
    case signal(pid: Int32, signal: Int32)
    /// Write a log record.
    case log(Logger.Level, String)
    /// Every first-generation worker is ready: log it and tell systemd `READY=1`.
    case allReady(workers: Int)
    /// The one-line status changed (systemd `STATUS=`).
    case status(String)
    /// Graceful stop began (systemd `STOPPING=1`).
    case stopping
    /// A reload began (systemd `RELOADING=1` + `MONOTONIC_USEC=`).
    case reloading
    /// A reload ended, replaced or not (systemd `READY=1`).
    case reloaded
    /// The supervisor is healthy: ping systemd's watchdog (`WATCHDOG=1`).
    case watchdog
    /// A slot was scaled away: close the supervisor's copy of its socket (bound mode only).
    case closeListener(slot: Int)
    /// Exit the supervisor with this status.
    case exit(Int32)
}

/// How a worker process ended, as `waitpid` reports it.
enum WorkerExit: Equatable {
    /// `exit(code)`.
    case exited(Int32)
    /// Killed by a signal.
    case signaled(Int32)
}
