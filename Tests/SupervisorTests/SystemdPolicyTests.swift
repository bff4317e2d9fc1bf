import Glibc
import Testing

@testable import Supervisor

/// What the policy tells systemd: the watchdog pings, `READY=1`, and the `STATUS=` line.
@Suite struct SystemdPolicyTests {
    typealias H = PolicyHarness

    /// A harness with the watchdog on: a ping every second (`WatchdogSec=2`), hung workers
    /// aborted only after 30 s.
    static func watched(workers: Int = 2) -> H {
        H(workers: workers) {
            $0.watchdogInterval = 1 * H.s
            $0.heartbeatTimeout = 30 * H.s
        }
    }

    static func pings(_ actions: [PolicyAction]) -> Int {
        actions.count { $0 == .watchdog }
    }

    @Test func watchdogPingsFromTheFirstTickAndEveryInterval() {
        var harness = Self.watched()
        #expect(Self.pings(harness.tick()) == 1)
        #expect(Self.pings(harness.tick(after: 500 * H.ms)) == 0)
        #expect(Self.pings(harness.tick(after: 500 * H.ms)) == 1)
        #expect(harness.policy.nextDeadline.map { $0 <= harness.now + 1 * H.s } == true)
    }

    @Test func readyIsFollowedByAnImmediatePing() {
        var harness = Self.watched(workers: 1)
        harness.tick()
        let pid = harness.pids()[0]
        let ready = harness.ready(pid)
        let readyIndex = ready.firstIndex(of: .allReady(workers: 1))
        let pingIndex = ready.firstIndex(of: .watchdog)
        #expect(readyIndex != nil && pingIndex != nil && readyIndex! < pingIndex!)
    }

    @Test func noPingsWithoutTheWatchdog() {
        var harness = H(workers: 1)
        harness.boot()
        #expect(Self.pings(harness.actions) == 0)
        #expect(Self.pings(harness.tick(after: 10 * H.s)) == 0)
    }

    @Test func watchdogIsWithheldWhileEveryReadyWorkerIsSilent() {
        var harness = Self.watched()
        harness.boot()
        _ = harness.heartbeatAll()
        #expect(Self.pings(harness.tick(after: 1 * H.s)) == 1)
        // No heartbeat for two intervals (WatchdogSec): withheld, logged once.
        let withheld = harness.tick(after: 1 * H.s)
        #expect(Self.pings(withheld) == 0)
        #expect(H.logs(withheld).contains { $0.contains("withholding the systemd watchdog ping") })
        #expect(H.logs(harness.tick(after: 1 * H.s)).isEmpty)
        // One worker alive is enough: a single hung worker is the supervisor's to replace.
        let pid = harness.pids()[0]
        harness.run(harness.policy.heartbeat(pid: pid, requests: 0, inFlight: 0, now: harness.now))
        #expect(Self.pings(harness.tick(after: 1 * H.s)) == 1)
    }

    @Test func watchdogKeepsPingingWhileNoWorkerIsReady() {
        var harness = Self.watched(workers: 1)
        harness.tick()
        #expect(Self.pings(harness.tick(after: 1 * H.s)) == 1)
        #expect(Self.pings(harness.tick(after: 1 * H.s)) == 1)
    }

    @Test func statusCountsRequestsOfExitedWorkersToo() {
        var harness = H(workers: 1)
        let pid = harness.boot()[0]
        harness.run(harness.policy.heartbeat(pid: pid, requests: 40, inFlight: 0, now: harness.now))
        #expect(harness.actions.last == .status("1/1 workers ready, 40 requests served"))
        harness.tick(after: 2 * H.s)
        harness.exit(pid, .signaled(SIGKILL))
        #expect(harness.policy.requestsServed == 40)
        #expect(harness.actions.last == .status("0/1 workers ready, 40 requests served"))
    }

    @Test func statusSaysAReloadIsRunningThenThatItFailed() {
        var harness = H(workers: 1)
        harness.boot()
        let start = harness.run(harness.policy.reload(now: harness.now))
        #expect(start.first == .reloading)
        #expect(start.contains(.status("1/1 workers ready, 0 requests served; reloading to generation 2")))
        let new = harness.nextPID - 1
        let failure = harness.exit(new, .exited(3))
        #expect(failure.contains(.reloaded))
        let failed = failure.compactMap { action -> String? in
            if case .status(let text) = action { return text } else { return nil }
        }
        #expect(failed.last?.hasPrefix("1/1 workers ready, 0 requests served; reload failed: worker 0:") == true)
        // The next reload clears the failure.
        let again = harness.run(harness.policy.reload(now: harness.now))
        #expect(again.contains(.status("1/1 workers ready, 0 requests served; reloading to generation 3")))
    }
}
