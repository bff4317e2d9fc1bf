import Glibc
import Testing

@testable import Supervisor

/// Hung workers, graceful and immediate stops.
@Suite struct StopAndHangTests {
    typealias H = PolicyHarness

    @Test func silentWorkerIsAbortedThenKilledAndReplacedAtOnce() {
        var harness = H(workers: 2)
        let pids = harness.boot()
        harness.now += 2 * H.s
        _ = harness.run(harness.policy.heartbeat(pid: pids[1], requests: 5, inFlight: 0, now: harness.now))
        // pids[0] is silent (e.g. SIGSTOP); its deadline is 3 s after it became ready.
        #expect(harness.policy.nextDeadline == harness.now + 1 * H.s)
        let abort = harness.tick(after: 1 * H.s)
        #expect(H.signals(abort) == [[pids[0], SIGABRT]])
        #expect(H.logs(abort).contains { $0.contains("sent no heartbeat for 3 s") })
        #expect(H.spawns(abort) == [0])  // replacement does not wait for the hung one to die
        let kill = harness.tick(after: 2 * H.s)
        #expect(H.signals(kill).contains([pids[0], SIGKILL]))
        let exit = harness.exit(pids[0], .signaled(SIGKILL))
        #expect(H.spawns(exit).isEmpty)
        #expect(harness.policy.slots[0].spawnAt == nil)
    }

    @Test func workerNeverReadyIsAbortedAfterTheStartupTimeout() {
        var harness = H(workers: 1)
        harness.boot()
        harness.exit(harness.pids()[0], .signaled(SIGKILL))  // young: 100 ms backoff
        harness.tick(after: 100 * H.ms)
        let stuck = harness.pids()[0]
        _ = harness.heartbeatAll()
        let actions = harness.tick(after: 5 * H.s)
        #expect(H.logs(actions).contains { $0.contains("did not become ready within 5 s") })
        #expect(H.signals(actions).contains([stuck, SIGABRT]))
        #expect(harness.policy.slots[0].consecutiveFailures == 2)
    }

    @Test func gracefulStopDrainsEveryWorkerAndExitsZero() {
        var harness = H(workers: 2)
        let pids = harness.boot()
        let stop = harness.run(harness.policy.gracefulStop(now: harness.now))
        #expect(stop.first == .stopping)
        // The service's drain (readiness 503 first), not a single worker's SIGTERM.
        #expect(H.signals(stop) == pids.map { [$0, SIGUSR1] })
        _ = harness.exit(pids[0], .exited(0))
        #expect(H.spawns(harness.tick(after: 1 * H.s)).isEmpty)
        let end = harness.exit(pids[1], .exited(0))
        #expect(end.last == .exit(0))
    }

    @Test func gracefulStopKillsStragglersAfterTheShutdownTimeoutAndKillGrace() {
        var harness = H(workers: 2)
        let pids = harness.boot()
        _ = harness.run(harness.policy.gracefulStop(now: harness.now))
        _ = harness.exit(pids[0], .exited(0))
        // The worker gives up at SHUTDOWN_TIMEOUT (4 s) itself; the kill waits the grace more.
        #expect(H.signals(harness.tick(after: 4 * H.s)).isEmpty)
        let kill = harness.tick(after: 2 * H.s)
        #expect(H.signals(kill) == [[pids[1], SIGKILL]])
        #expect(harness.exit(pids[1], .signaled(SIGKILL)).last == .exit(0))
    }

    @Test func secondStopRequestKillsAtOnce() {
        var harness = H(workers: 2)
        let pids = harness.boot()
        _ = harness.run(harness.policy.gracefulStop(now: harness.now))
        let now = harness.run(harness.policy.immediateStop())
        #expect(H.signals(now) == pids.map { [$0, SIGKILL] })
        _ = harness.exit(pids[0], .signaled(SIGKILL))
        #expect(harness.exit(pids[1], .signaled(SIGKILL)).last == .exit(0))
    }

    @Test func workerDrainingOnItsOwnIsReplacedWhileItFinishes() {
        var harness = H(workers: 1)
        let pid = harness.boot()[0]
        harness.now += 2 * H.s
        let actions = harness.run(harness.policy.draining(pid: pid, now: harness.now))
        #expect(H.logs(actions).contains { $0.contains("draining on its own") })
        #expect(H.spawns(harness.tick()) == [0])
        #expect(H.spawns(harness.exit(pid, .exited(0))).isEmpty)
    }
}
