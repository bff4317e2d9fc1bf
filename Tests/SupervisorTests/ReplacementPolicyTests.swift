import Glibc
import Testing

@testable import Supervisor

/// Reload (`SIGHUP`), recycling (`max-requests`) and scaling (`SIGTTIN` / `SIGTTOU`).
@Suite struct ReplacementPolicyTests {
    typealias H = PolicyHarness

    @Test func reloadReplacesWorkersSlotBySlotAfterEachIsReady() {
        var harness = H(workers: 2)
        let old = harness.boot()
        let start = harness.run(harness.policy.reload(now: harness.now))
        #expect(start.first == .reloading)
        #expect(start.contains(.spawn(slot: 0, generation: 2)))
        #expect(H.signals(start).isEmpty)  // the old worker serves until the new one is ready
        let new0 = harness.nextPID - 1
        let swap0 = harness.ready(new0)
        #expect(H.signals(swap0) == [[old[0], SIGTERM]])
        #expect(swap0.contains(.spawn(slot: 1, generation: 2)))
        let new1 = harness.nextPID - 1
        let swap1 = harness.ready(new1)
        #expect(H.signals(swap1) == [[old[1], SIGTERM]])
        #expect(swap1.contains(.reloaded))
        #expect(H.spawns(harness.exit(old[0], .exited(0))).isEmpty)
        #expect(H.spawns(harness.exit(old[1], .exited(0))).isEmpty)
        #expect(harness.pids() == [new0, new1])
        #expect(harness.policy.generation == 2)
        #expect(harness.policy.workers.values.allSatisfy { $0.generation == 2 })
    }

    @Test func failedNewWorkerLeavesTheOldOneServingAndStopsTheReload() {
        var harness = H(workers: 2)
        let old = harness.boot()
        harness.run(harness.policy.reload(now: harness.now))
        let new0 = harness.nextPID - 1
        _ = harness.run(harness.policy.fatal(pid: new0, message: "bad binary"))
        let failure = harness.exit(new0, .exited(3))
        #expect(failure.contains(.reloaded))
        #expect(H.signals(failure).isEmpty)
        #expect(H.logs(failure).contains { $0.contains("reload failed at worker 0") && $0.contains("keeps serving") })
        #expect(H.spawns(harness.tick(after: 1 * H.s)).isEmpty)
        #expect(harness.pids() == old)
        #expect(!harness.policy.reloading)
    }

    @Test func newWorkerThatNeverBecomesReadyIsAbortedAndTheOldOneKept() {
        var harness = H(workers: 1)
        let old = harness.boot()[0]
        harness.run(harness.policy.reload(now: harness.now))
        let new = harness.nextPID - 1
        _ = harness.heartbeatAll()
        harness.now += 3 * H.s
        _ = harness.heartbeatAll()
        let timeout = harness.tick(after: 2 * H.s)
        #expect(H.signals(timeout) == [[new, SIGABRT]])
        #expect(timeout.contains(.reloaded))
        #expect(harness.pids() == [old])
    }

    @Test func reloadIsRefusedWhileStartingOrAlreadyReloading() {
        var harness = H(workers: 1)
        harness.tick()
        #expect(H.logs(harness.run(harness.policy.reload(now: harness.now))).first?.contains("starting") == true)
        _ = harness.ready(harness.pids()[0])
        harness.run(harness.policy.reload(now: harness.now))
        #expect(H.logs(harness.run(harness.policy.reload(now: harness.now))).first?.contains("already") == true)
        #expect(harness.policy.generation == 2)
    }

    @Test func workerPastMaxRequestsIsRecycledOneAtATime() {
        var harness = H(workers: 2) {
            $0.maxRequests = 100
            $0.maxRequestsJitter = 10
        }
        let old = harness.boot()
        for pid in old {
            let limit = harness.policy.workers[pid]!.requestLimit!
            #expect((100...110).contains(limit))
        }
        let due = harness.heartbeatAll(requests: 200)
        #expect(H.logs(due).filter { $0.contains("recycling") }.count == 2)
        let first = harness.tick()
        #expect(H.spawns(first) == [0])  // one slot at a time
        #expect(H.spawns(harness.tick()).isEmpty)
        let swap = harness.ready(harness.nextPID - 1)
        #expect(H.signals(swap) == [[old[0], SIGTERM]])
        #expect(swap.contains(.spawn(slot: 1, generation: 1)))
        #expect(!swap.contains(.reloaded))
    }

    @Test func recyclingIsOffByDefault() {
        var harness = H(workers: 1)
        harness.boot()
        let actions = harness.heartbeatAll(requests: 1_000_000)
        #expect(H.logs(actions).isEmpty && H.spawns(actions).isEmpty)
        #expect(harness.policy.workers.values.allSatisfy { $0.requestLimit == nil })
    }

    @Test func scaleUpAddsASlotAndScaleDownDrainsTheHighest() {
        var harness = H(workers: 1)
        harness.boot()
        _ = harness.run(harness.policy.scaleUp(now: harness.now))
        #expect(H.spawns(harness.tick()) == [1])
        let added = harness.nextPID - 1
        _ = harness.ready(added)
        #expect(harness.policy.slots.count == 2 && harness.policy.readyCount == 2)
        let down = harness.run(harness.policy.scaleDown(now: harness.now))
        #expect(H.signals(down) == [[added, SIGTERM]])
        #expect(down.contains(.closeListener(slot: 1)))
        #expect(H.spawns(harness.exit(added, .exited(0))).isEmpty)
        #expect(harness.policy.slots.count == 1)
    }

    @Test func scaleDownNeverGoesBelowOneWorker() {
        var harness = H(workers: 1)
        harness.boot()
        let actions = harness.run(harness.policy.scaleDown(now: harness.now))
        #expect(H.signals(actions).isEmpty)
        #expect(harness.policy.slots.count == 1)
    }

    @Test func statusReportShowsEverySlot() {
        var harness = H(workers: 2)
        let pids = harness.boot()
        harness.now += 7 * H.s
        _ = harness.run(harness.policy.heartbeat(pid: pids[1], requests: 12, inFlight: 3, now: harness.now))
        harness.exit(pids[0], .signaled(SIGKILL))
        let report = StatusReport(policy: harness.policy, now: harness.now, pid: 42)
        #expect(report.workers == 2 && report.ready == 1 && report.phase == "running")
        #expect(report.slots[0].state == "restarting" && report.slots[0].restarts == 1)
        #expect(report.slots[1].pid == pids[1] && report.slots[1].uptimeSeconds == 7)
        #expect(report.json.contains(#""requests":12,"in_flight":3"#))
        #expect(report.text.contains("restarting"))
    }
}
