import Glibc
import Shared
import Testing

@testable import Supervisor

/// The pool-wait histogram over workers: summed over live regions, folded when a worker exits
/// (so `_count` never drops), exposed with HELP and TYPE.
@Suite("Supervisor metrics: pool waits")
struct PoolWaitLedgerTests {
    @Test func waitsOfExitedWorkersAreFoldedSoTheCountNeverDrops() {
        let ledger = MetricsLedger()
        let first = MetricsRegion.anonymous()
        let second = MetricsRegion.anonymous()
        ledger.spawned(pid: 10, slot: 0, region: first, now: 0)
        ledger.spawned(pid: 11, slot: 1, region: second, now: 0)
        for _ in 0..<3 { first.poolWaited(.postgres, nanoseconds: 40_000) }
        second.poolWaited(.postgres, nanoseconds: 300_000_000)
        second.poolWaited(.redis, nanoseconds: 70_000)
        #expect(ledger.poolWaits(.postgres).count == 4)
        #expect(ledger.poolWaits(.postgres).sumNanoseconds == 300_120_000)
        ledger.exited(pid: 11, restartReason: "crash")
        #expect(ledger.poolWaits(.postgres).count == 4)
        #expect(ledger.poolWaits(.redis).count == 1 && ledger.poolWaits(.redis).buckets[1] == 1)
        ledger.spawned(pid: 12, slot: 1, region: MetricsRegion.anonymous(), now: 0)
        ledger.live[12]!.region.poolWaited(.postgres, nanoseconds: 1)
        #expect(ledger.poolWaits(.postgres).count == 5)
        ledger.exited(pid: 11, restartReason: nil)  // a second reap adds nothing
        #expect(ledger.poolWaits(.postgres).count == 5)
    }

    @Test func theExpositionHasTheHistogramForEveryPool() {
        let harness = PolicyHarness(workers: 1)
        let ledger = MetricsLedger()
        let region = MetricsRegion.anonymous()
        ledger.spawned(pid: 100, slot: 0, region: region, now: 0)
        region.poolWaited(.postgres, nanoseconds: 2_000_000_000)
        let text = String(
            decoding: MetricsExposition.render(policy: harness.policy, ledger: ledger, pid: getpid()),
            as: UTF8.self
        )
        #expect(text.contains("# HELP saas_api_pool_wait_seconds "))
        #expect(text.contains("# TYPE saas_api_pool_wait_seconds histogram\n"))
        #expect(text.contains(#"saas_api_pool_wait_seconds_bucket{pool="postgres",le="1"} 0"#))
        #expect(text.contains(#"saas_api_pool_wait_seconds_bucket{pool="postgres",le="2.5"} 1"#))
        #expect(text.contains(#"saas_api_pool_wait_seconds_sum{pool="postgres"} 2"#))
        #expect(text.contains(#"saas_api_pool_wait_seconds_count{pool="postgres"} 1"#))
        #expect(text.contains(#"saas_api_pool_wait_seconds_count{pool="redis"} 0"#))
    }
}
