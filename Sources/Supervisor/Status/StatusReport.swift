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
        /// Requests per second over the last few seconds (`nil` until measured).
        var rate: Double? = nil
        /// Median and 99th percentile request duration in seconds since the worker started,
        /// from its metrics region's histogram (`nil` without requests).
        var p50: Double? = nil
        var p99: Double? = nil
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

    /// The report of `policy` at `now` for the supervisor `pid`; rates and percentiles come
    /// from `ledger`, the metrics regions `/metrics` reads too.
    init(policy: SupervisorPolicy, ledger: MetricsLedger? = nil, now: UInt64, pid: Int32) {
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
            var entry = Entry(
                slot: worker.slot,
                pid: worker.pid,
                generation: worker.generation,
                state: worker.stateName,
                uptimeSeconds: (now &- worker.spawnedAt) / PolicySettings.second,
                restarts: worker.slot < policy.slots.count ? policy.slots[worker.slot].restarts : 0,
                requests: worker.requests,
                inFlight: worker.inFlight
            )
            if let live = ledger?.live[worker.pid] {
                var histogram = HistogramCounts()
                for counts in live.region.requestSeries().values { histogram.add(counts) }
                entry.rate = live.rate
                entry.p50 = histogram.quantile(0.5)
                entry.p99 = histogram.quantile(0.99)
            }
            return entry
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
            "slot  pid      gen  state       uptime  restarts  requests  in-flight  req/s    p50      p99",
        ]
        for entry in self.slots + self.retiring {
            let columns: [(String, Int)] = [
                (String(entry.slot), 4), (entry.pid.map(String.init) ?? "-", 7),
                (entry.generation.map(String.init) ?? "-", 3), (entry.state, 10), ("\(entry.uptimeSeconds)s", 6),
                (String(entry.restarts), 8), (String(entry.requests), 8), (String(entry.inFlight), 9),
                (entry.rate.map { Self.decimal($0, 1) } ?? "-", 7), (Self.milliseconds(entry.p50), 7),
                (Self.milliseconds(entry.p99), 7),
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
        writer.field("rate", rawJSON: entry.rate.map { Self.decimal($0, 2) } ?? "null")
        writer.field("p50_ms", rawJSON: entry.p50.map { Self.decimal($0 * 1000, 3) } ?? "null")
        writer.field("p99_ms", rawJSON: entry.p99.map { Self.decimal($0 * 1000, 3) } ?? "null")
        return writer.finishString()
    }

    /// `value` with `places` decimals (no Foundation in the supervisor).
    static func decimal(_ value: Double, _ places: Int) -> String {
        guard value.isFinite, value >= 0 else { return "0" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = UInt64((value * scale).rounded())
        let whole = scaled / UInt64(scale)
        guard places > 0 else { return String(whole) }
        let fraction = String(scaled % UInt64(scale))
        return "\(whole)." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// A duration in seconds as milliseconds for the table (`-` when unknown).
    private static func milliseconds(_ seconds: Double?) -> String {
        seconds.map { Self.decimal($0 * 1000, 1) + "ms" } ?? "-"
    }
}

extension String {
    /// Left-aligned in a column of `width` characters.
    fileprivate func padding(to width: Int) -> String {
        self.count >= width ? self : self + String(repeating: " ", count: width - self.count)
    }
}
