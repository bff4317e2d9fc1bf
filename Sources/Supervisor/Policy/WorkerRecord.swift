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
    /// Its slot no longer counts on it (replaced, scaled away, hung): its exit starts nothing.
    var retiring = false
    /// Recycle after this many requests (`max-requests` plus jitter), if recycling is on.
    var requestLimit: UInt64?
    /// A recycle of this worker is queued or running.
    var recycleQueued = false

    init(pid: Int32, slot: Int, generation: Int, now: UInt64) {
        self.pid = pid
        self.slot = slot
        self.generation = generation
        self.state = .starting
        self.spawnedAt = now
        self.lastHeartbeat = now
    }

    /// Starting or ready, and not retiring: the worker its slot counts on.
    var isActive: Bool {
        guard !self.retiring else { return false }
        return self.state == .starting || self.state == .ready
    }

    /// `starting`, `ready`, `draining`, `aborting`: for logs and `status`.
    var stateName: String {
        switch self.state {
        case .starting: return "starting"
        case .ready: return "ready"
        case .draining: return "draining"
        case .aborting: return "aborting"
        }
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

/// A planned one-slot swap (reload or recycle): start a new worker, wait for `ready`, drain
/// the old one.
struct Replacement: Equatable {
    /// Why a slot's worker is swapped.
    enum Reason: Equatable {
        /// `SIGHUP`: every slot, in order.
        case reload
        /// `max-requests` reached by this worker.
        case recycle(pid: Int32)
    }

    let slot: Int
    let reason: Reason
    /// The worker being replaced, once the swap started.
    var oldPID: Int32?
    /// The new worker, once spawned.
    var newPID: Int32?
}
