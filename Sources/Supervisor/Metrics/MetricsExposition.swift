import Shared

/// Renders `/metrics`: the request histogram summed over every worker (live regions plus the
/// folded totals of exited ones), worker states and restarts from the policy, pool and
/// dependency gauges from the regions, memory and CPU per process. Reads shared memory and
/// `/proc` only: never asks a worker.
enum MetricsExposition {
    /// The exposition for `policy` and `ledger`; the supervisor is `pid`.
    static func render(policy: SupervisorPolicy, ledger: MetricsLedger, pid: Int32) -> [UInt8] {
        var out = PrometheusTextWriter(capacity: 16384)
        let totals = ledger.requestTotals
        out.requestDurations(totals)

        out.family("http_server_active_requests", .gauge, help: "HTTP server requests being handled now.")
        let active = ledger.live.values.reduce(0) { $0 + max(0, $1.region.active) }
        out.sample("http_server_active_requests", [], UInt64(active))

        out.family(
            "saas_api_requests_unrecorded_total",
            .counter,
            help: "Requests left out of the duration histogram because a worker's series table was full."
        )
        out.sample("saas_api_requests_unrecorded_total", [], totals.dropped)

        Self.workers(policy: policy, ledger: ledger, into: &out)
        Self.dependencies(ledger: ledger, into: &out)
        Self.pools(ledger: ledger, into: &out)
        Self.processes(policy: policy, pid: pid, into: &out)

        out.family("saas_api_build_info", .gauge, help: "The running version (always 1).")
        out.sample("saas_api_build_info", [("version", Version.current)], UInt64(1))
        return out.bytes
    }

    private static func workers(policy: SupervisorPolicy, ledger: MetricsLedger, into out: inout PrometheusTextWriter) {
        out.family("saas_api_workers", .gauge, help: "Worker processes by state; restarting counts empty slots.")
        var states = ["starting": 0, "ready": 0, "draining": 0, "aborting": 0]
        for worker in policy.workers.values { states[worker.stateName, default: 0] += 1 }
        let empty = policy.slots.indices.count { policy.currentWorker(ofSlot: $0) == nil }
        for state in ["starting", "ready", "draining", "aborting"] {
            out.sample("saas_api_workers", [("state", state)], UInt64(states[state] ?? 0))
        }
        out.sample("saas_api_workers", [("state", "restarting")], UInt64(empty))

        out.family("saas_api_worker_restarts_total", .counter, help: "Workers replaced, by reason.")
        for reason in MetricsLedger.restartReasons {
            out.sample("saas_api_worker_restarts_total", [("reason", reason)], ledger.restarts[reason] ?? 0)
        }
        out.family("saas_api_reloads_total", .counter, help: "Zero-downtime reloads (SIGHUP) started.")
        out.sample("saas_api_reloads_total", [], ledger.reloads)
    }

    private static func dependencies(ledger: MetricsLedger, into out: inout PrometheusTextWriter) {
        out.family(
            "saas_api_dependency_up",
            .gauge,
            help: "1 when every worker's last check (/health, or its pool's last connection attempt) "
                + "reached the dependency, 0 when one did not."
        )
        for (name, word) in [("postgres", MetricsLayout.Word.postgresUp), ("redis", .redisUp)] {
            let known = ledger.live.values.map { $0.region.value(word) }.filter { $0 != 0 }
            guard !known.isEmpty else { continue }  // no check yet: no sample rather than a guess
            out.sample("saas_api_dependency_up", [("dependency", name)], UInt64(known.allSatisfy { $0 == 2 } ? 1 : 0))
        }
    }

    private static func pools(ledger: MetricsLedger, into out: inout PrometheusTextWriter) {
        out.family("saas_api_pool_connections", .gauge, help: "Pooled connections over every worker, by state.")
        let gauges: [(String, String, MetricsLayout.Word)] = [
            ("postgres", "idle", .postgresIdle), ("postgres", "used", .postgresUsed),
            ("redis", "idle", .redisIdle), ("redis", "used", .redisUsed),
        ]
        for (pool, state, word) in gauges {
            out.sample("saas_api_pool_connections", [("pool", pool), ("state", state)], ledger.gauge(word))
        }
        out.family(
            "saas_api_pool_errors_total",
            .counter,
            help: "Pool failures by kind: exhausted (queue full or its deadline passed), connect."
        )
        let counters: [(String, String, MetricsLayout.Word)] = [
            ("postgres", "exhausted", .postgresExhausted), ("postgres", "connect", .postgresConnectFailures),
            ("redis", "exhausted", .redisExhausted), ("redis", "connect", .redisConnectFailures),
        ]
        for (pool, kind, word) in counters {
            out.sample("saas_api_pool_errors_total", [("pool", pool), ("kind", kind)], ledger.counter(word))
        }
        out.poolWaits(MetricsLayout.Pool.allCases.map { ($0, ledger.poolWaits($0)) })
        out.family(
            "saas_api_pool_batches_total",
            .counter,
            help: "Round trips that carried queued one-statement transactions, several when busy."
        )
        out.sample("saas_api_pool_batches_total", [("pool", "postgres")], ledger.counter(.postgresBatches))
        out.family(
            "saas_api_pool_batched_transactions_total",
            .counter,
            help: "Transactions carried by those round trips: divided by the batches, the mean batch size."
        )
        out.sample(
            "saas_api_pool_batched_transactions_total",
            [("pool", "postgres")],
            ledger.counter(.postgresBatchedTransactions)
        )
    }

    private static func processes(policy: SupervisorPolicy, pid: Int32, into out: inout PrometheusTextWriter) {
        var processes: [(labels: [(String, String)], stats: ProcessStats)] = []
        if let own = ProcessStats.read(pid: pid) { processes.append(([("process", "supervisor")], own)) }
        for worker in policy.workers.values.sorted(by: { ($0.slot, $0.pid) < ($1.slot, $1.pid) }) {
            guard let stats = ProcessStats.read(pid: worker.pid) else { continue }
            processes.append(
                ([("process", "worker"), ("slot", String(worker.slot)), ("pid", String(worker.pid))], stats)
            )
        }
        out.family("saas_api_process_resident_memory_bytes", .gauge, help: "Resident memory per process.")
        for entry in processes {
            out.sample("saas_api_process_resident_memory_bytes", entry.labels, entry.stats.residentBytes)
        }
        out.family("saas_api_process_cpu_seconds_total", .counter, help: "User and system CPU time per process.")
        for entry in processes {
            out.sample("saas_api_process_cpu_seconds_total", entry.labels, entry.stats.cpuSeconds)
        }
    }
}
