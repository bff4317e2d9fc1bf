import Glibc
import Shared
import Testing

@testable import Supervisor

/// Start, readiness, restarts, backoff and the startup timeout.
@Suite struct RestartPolicyTests {
    typealias H = PolicyHarness

    @Test func spawnsOneWorkerPerSlotAtStart() {
        var harness = H(workers: 3)
        let actions = harness.tick()
        #expect(H.spawns(actions) == [0, 1, 2])
        #expect(harness.policy.workers.values.allSatisfy { $0.state == .starting && $0.generation == 1 })
        #expect(harness.policy.isBooting)
    }

    @Test func becomesReadyOnceEveryFirstGenerationWorkerIsReady() {
        var harness = H(workers: 2)
        harness.tick()
        let pids = harness.pids()
        #expect(!harness.ready(pids[0]).contains(.allReady(workers: 1)))
        let last = harness.ready(pids[1])
        #expect(last.contains(.allReady(workers: 2)))
        #expect(last.contains(.status("2/2 workers ready, 0 requests served")))
        #expect(harness.policy.phase == .running)
    }

    @Test func earlyDeathsBackOffExponentiallyUpToTheCap() {
        var harness = H(workers: 1) { $0.startupTimeout = 1000 * H.s }
        harness.tick()
        var delays: [UInt64] = []
        for _ in 0..<9 {
            let pid = harness.pids()[0]
            harness.exit(pid, .exited(WorkerLaunch.exitBootFailure))
            let due = harness.policy.slots[0].spawnAt!
            delays.append((due - harness.now) / H.ms)
            #expect(harness.policy.nextDeadline == due)  // the loop sleeps until then
            #expect(H.spawns(harness.tick(after: due - harness.now - 1)).isEmpty)
            #expect(H.spawns(harness.tick(after: 1)) == [0])
        }
        #expect(delays == [100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000])
    }

    @Test func workerThatRanStablyIsReplacedAtOnceAndTheBackoffResets() {
        var harness = H(workers: 1)
        harness.boot()
        harness.exit(harness.pids()[0], .exited(1))  // died young: backoff 100 ms
        harness.tick(after: 100 * H.ms)
        let pid = harness.pids()[0]
        _ = harness.ready(pid)
        harness.now += 2 * H.s
        _ = harness.heartbeatAll()
        let actions = harness.exit(pid, .signaled(SIGSEGV))
        #expect(harness.policy.slots[0].consecutiveFailures == 0)
        #expect(harness.policy.slots[0].spawnAt == harness.now)
        #expect(H.logs(actions).contains { $0.contains("was killed by SIGSEGV") && $0.contains("memory fault") })
        #expect(H.spawns(harness.tick()) == [0])
        #expect(harness.policy.slots[0].restarts == 2)
    }

    @Test func bootFailureIsLoggedWithTheWorkersOwnError() {
        var harness = H(workers: 1)
        harness.tick()
        let pid = harness.pids()[0]
        _ = harness.run(harness.policy.fatal(pid: pid, message: "cannot serve: address in use"))
        let actions = harness.exit(pid, .exited(3))
        #expect(H.logs(actions).contains { $0.contains("failed to boot (exit 3): cannot serve: address in use") })
        #expect(harness.policy.slots[0].consecutiveFailures == 1)
    }

    @Test func sigkillOfAReadyWorkerHintsAtMemory() {
        var harness = H(workers: 1)
        let pid = harness.boot()[0]
        let actions = harness.exit(pid, .signaled(SIGKILL))
        #expect(H.logs(actions).contains { $0.contains("pid \(pid)") && $0.contains("possibly out of memory") })
    }

    @Test func startupTimeoutStopsWithTheWorkerErrorInTheLastLogLine() {
        var harness = H(workers: 2) { $0.startupTimeout = 2 * H.s }
        harness.tick()
        let pids = harness.pids()
        _ = harness.run(harness.policy.fatal(pid: pids[0], message: "database config broken"))
        harness.exit(pids[0], .exited(3))
        let halt = harness.tick(after: 2 * H.s)
        #expect(H.signals(halt) == [[pids[1], SIGKILL]])
        let end = harness.exit(pids[1], .signaled(SIGKILL))
        #expect(end.last == .exit(1))
        let lastLog = H.logs(harness.actions).last ?? ""
        #expect(lastLog.contains("exiting with status 1") && lastLog.contains("database config broken"))
    }

    @Test func startupTimeoutWithSomeWorkersReadyKeepsServing() {
        var harness = H(workers: 2) { $0.startupTimeout = 2 * H.s }
        harness.tick()
        _ = harness.ready(harness.pids()[0])
        let actions = harness.tick(after: 2 * H.s)
        #expect(actions.contains(.allReady(workers: 1)))
        #expect(harness.policy.phase == .running)
        #expect(!actions.contains(.exit(1)))
    }

    @Test func workerSpawnFailureIsRetriedWithBackoff() {
        var harness = H(workers: 1)
        harness.now += 0
        let actions = harness.run(harness.policy.spawnFailed(slot: 0, error: "posix_spawn: ENOMEM", now: harness.now))
        #expect(H.logs(actions).contains { $0.contains("posix_spawn: ENOMEM") })
        #expect(harness.policy.slots[0].spawnAt == harness.now + 100 * H.ms)
    }
}
