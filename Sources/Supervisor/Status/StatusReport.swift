import Shared

/// What `saas-api status` shows: the supervisor and, per slot, its worker. Built from the
/// policy (pure), rendered as JSON or as a short table.
struct StatusReport: Equatable {
    /// One worker, or an empty slot.
    struct Entry: Equatable {
        var slot: Int
        var pid: Int32?
        var generation: Int?
        /// `starting`, `ready`, `draining`, `aborting`, or `restarting` for an empty slot.
        var state: String
        var uptimeSeconds: UInt64
        var restarts: Int
        var requests: UInt64
        var inFlight: Int
    }

    var pid: Int32
    var generation: Int
    /// `booting`, `running`, `reloading`, `stopping`.
    var phase: String
    var workers: Int
    var ready: Int
    var requests: UInt64
    /// One entry per slot, in slot order.
    var slots: [Entry]
    /// Workers on their way out (replaced, scaled away, hung).
    var retiring: [Entry]

    /// The report of `policy` at `now` for the supervisor `pid`.
    init(policy: SupervisorPolicy, now: UInt64, pid: Int32) {
        self.pid = pid
        self.generation = policy.generation
        switch policy.phase {
        case .booting: self.phase = "booting"
        case .running: self.phase = policy.reloading ? "reloading" : "running"
        case .stopping, .halting, .exited: self.phase = "stopping"
        }
        self.workers = policy.slots.count
        self.ready = policy.readyCount
        self.requests = policy.requestsServed
        func entry(_ worker: WorkerRecord) -> Entry {
            Entry(
                slot: worker.slot,
                pid: worker.pid,
                generation: worker.generation,
                state: worker.stateName,
                uptimeSeconds: (now &- worker.spawnedAt) / PolicySettings.second,
                restarts: worker.slot < policy.slots.count ? policy.slots[worker.slot].restarts : 0,
                requests: worker.requests,
                inFlight: worker.inFlight
            )
        }
        self.slots = policy.slots.map { slot in
            guard let worker = policy.currentWorker(ofSlot: slot.index) else {
                return Entry(
                    slot: slot.index,
                    state: "restarting",
                    uptimeSeconds: 0,
                    restarts: slot.restarts,
                    requests: 0,
                    inFlight: 0
                )
            }
            return entry(worker)
        }
        self.retiring = policy.workers.values.filter { !$0.isActive }.sorted { $0.pid < $1.pid }.map(entry)
    }

    /// One JSON object, newline-terminated.
    var json: String {
        var writer = JSONWriter(capacity: 512)
        writer.field("pid", Int(self.pid))
        writer.field("generation", self.generation)
        writer.field("phase", self.phase)
        writer.field("workers", self.workers)
        writer.field("ready", self.ready)
        writer.field("requests", rawJSON: String(self.requests))
        writer.field("slots", rawJSON: "[" + self.slots.map(Self.json).joined(separator: ",") + "]")
        writer.field("retiring", rawJSON: "[" + self.retiring.map(Self.json).joined(separator: ",") + "]")
        return writer.finishString() + "\n"
    }

    /// A few human-readable lines.
    var text: String {
        var lines = [
            "saas-api supervisor pid \(self.pid), generation \(self.generation), \(self.phase), "
                + "\(self.ready)/\(self.workers) workers ready, \(self.requests) requests served",
            "slot  pid      gen  state       uptime  restarts  requests  in-flight",
        ]
        for entry in self.slots + self.retiring {
            let columns: [(String, Int)] = [
                (String(entry.slot), 4), (entry.pid.map(String.init) ?? "-", 7),
                (entry.generation.map(String.init) ?? "-", 3), (entry.state, 10), ("\(entry.uptimeSeconds)s", 6),
                (String(entry.restarts), 8), (String(entry.requests), 8), (String(entry.inFlight), 9),
            ]
            lines.append(columns.map { $0.0.padding(to: $0.1) }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func json(_ entry: Entry) -> String {
        var writer = JSONWriter(capacity: 160)
        writer.field("slot", entry.slot)
        writer.field("pid", rawJSON: entry.pid.map(String.init) ?? "null")
        writer.field("generation", rawJSON: entry.generation.map(String.init) ?? "null")
        writer.field("state", entry.state)
        writer.field("uptime", rawJSON: String(entry.uptimeSeconds))
        writer.field("restarts", entry.restarts)
        writer.field("requests", rawJSON: String(entry.requests))
        writer.field("in_flight", entry.inFlight)
        return writer.finishString()
    }
}

extension String {
    /// Left-aligned in a column of `width` characters.
    fileprivate func padding(to width: Int) -> String {
        self.count >= width ? self : self + String(repeating: " ", count: width - self.count)
    }
}
