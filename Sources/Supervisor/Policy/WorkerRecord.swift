/// The policy's view of one worker process.
struct WorkerRecord: Equatable {
    /// Where a worker is in its life.
    enum State: Equatable {
        /// Spawned, not yet `ready`.
        case starting
        /// Serving.
        case ready
        /// Told to stop (`SIGTERM`) or stopping by itself; `SIGKILL` after `deadline`.
        case draining(deadline: UInt64)
        /// Hung: sent `SIGABRT`; `SIGKILL` after `deadline`.
        case aborting(deadline: UInt64)
    }

    let pid: Int32
    let slot: Int
    let generation: Int
    var state: State
    let spawnedAt: UInt64
    var readyAt: UInt64?
    var lastHeartbeat: UInt64
    var requests: UInt64 = 0
    var inFlight = 0
    /// The worker's own boot error, if it sent one.
    var fatalMessage: String?

    init(pid: Int32, slot: Int, generation: Int, now: UInt64) {
        self.pid = pid
        self.slot = slot
        self.generation = generation
        self.state = .starting
        self.spawnedAt = now
        self.lastHeartbeat = now
    }
}

/// One slot: the socket a worker serves and the restart bookkeeping that outlives workers.
struct SlotRecord: Equatable {
    let index: Int
    /// When to (re)spawn this slot's worker, if one is due.
    var spawnAt: UInt64?
    /// Early deaths in a row (drives the backoff).
    var consecutiveFailures = 0
    /// Workers started for this slot after the first.
    var restarts = 0
}
