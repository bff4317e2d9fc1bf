import Glibc
import Shared
import Testing

@testable import Supervisor

/// `DRAIN_DELAY` on the stop path and the one drain-deadline formula, with a fake clock.
@Suite struct DrainDeadlineTests {
    typealias H = PolicyHarness

    @Test func everyDrainDeadlineIsTheWorkersBudgetPlusTheKillGrace() {
        let harness = H(workers: 1) { $0.drainDelay = 3 * H.s }
        let settings = harness.policy.settings
        #expect(settings.drainDeadline(from: 100, delayed: false) == 100 + 4 * H.s + 2 * H.s)
        #expect(settings.drainDeadline(from: 100, delayed: true) == 100 + 3 * H.s + 4 * H.s + 2 * H.s)
        #expect(settings.drain == DrainTimeline(delay: 3 * H.s, shutdownTimeout: 4 * H.s))
    }

    @Test func stopWithDrainDelaySendsReadyWorkersTheServiceStopSignal() {
        var harness = H(workers: 2) { $0.drainDelay = 3 * H.s }
        let pids = harness.boot()
        let stop = harness.run(harness.policy.gracefulStop(now: harness.now))
        #expect(stop.first == .stopping)
        #expect(H.signals(stop) == pids.map { [$0, SIGUSR1] })
        #expect(H.logs(stop).contains { $0.contains("3000 ms drain delay") })
    }

    @Test func stopWithoutDrainDelayStillLeavesTheBalancerFirst() {
        var harness = H(workers: 2)
        let pids = harness.boot()
        let stop = harness.run(harness.policy.gracefulStop(now: harness.now))
        #expect(H.signals(stop) == pids.map { [$0, DrainTimeline.serviceStopSignal] })
        #expect(!H.logs(stop).contains { $0.contains("drain delay") })
        #expect(harness.policy.phase == .stopping(deadline: harness.now + 6 * H.s))
    }

    @Test func stopWaitsForTheDelayAndTheShutdownTimeoutBeforeKilling() {
        var harness = H(workers: 1) { $0.drainDelay = 3 * H.s }
        let pid = harness.boot()[0]
        _ = harness.run(harness.policy.gracefulStop(now: harness.now))
        #expect(harness.policy.nextDeadline == harness.now + 9 * H.s)
        #expect(H.signals(harness.tick(after: 9 * H.s - 1)).isEmpty)
        #expect(H.signals(harness.tick(after: 1)) == [[pid, SIGKILL]])
        #expect(harness.exit(pid, .signaled(SIGKILL)).last == .exit(0))
    }

    @Test func startingAndRetiringWorkersDrainAtOnceWhenTheServiceStops() {
        var harness = H(workers: 1) { $0.drainDelay = 3 * H.s }
        let old = harness.boot()[0]
        _ = harness.run(harness.policy.reload(now: harness.now))
        let new = harness.pids().first { $0 != old }!
        // The new worker is still starting: not in any balancer's rotation yet.
        let stop = harness.run(harness.policy.gracefulStop(now: harness.now))
        #expect(Set(H.signals(stop)) == [[old, SIGUSR1], [new, SIGTERM]])
    }

    @Test func reloadRetiresOldWorkersWithSigtermAndTheUndelayedDeadline() {
        var harness = H(workers: 1) { $0.drainDelay = 3 * H.s }
        let old = harness.boot()[0]
        _ = harness.run(harness.policy.reload(now: harness.now))
        let new = harness.pids().first { $0 != old }!
        let swap = harness.ready(new)
        #expect(H.signals(swap) == [[old, SIGTERM]])
        #expect(harness.policy.workers[old]?.state == .draining(deadline: harness.now + 6 * H.s))
    }

    @Test func workerDrainingOnItsOwnGetsTheSameDeadline() {
        var harness = H(workers: 1) { $0.drainDelay = 3 * H.s }
        let pid = harness.boot()[0]
        _ = harness.run(harness.policy.draining(pid: pid, now: harness.now))
        #expect(harness.policy.workers[pid]?.state == .draining(deadline: harness.now + 6 * H.s))
    }
}
