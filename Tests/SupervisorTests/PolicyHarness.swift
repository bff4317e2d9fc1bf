import Glibc
import Logging

@testable import Supervisor

/// Drives a `SupervisorPolicy` like the edge does, with a fake clock (plain nanoseconds) and
/// fake pids, recording every action.
struct PolicyHarness {
    static let ms = PolicySettings.millisecond
    static let s = PolicySettings.second

    var policy: SupervisorPolicy
    var now: UInt64 = 1_000 * PolicySettings.second
    var nextPID: Int32 = 100
    /// Every action so far, in order.
    var actions: [PolicyAction] = []

    init(workers: Int = 2, configure: (inout PolicySettings) -> Void = { _ in }) {
        var settings = PolicySettings(
            workers: workers,
            startupTimeout: 5 * Self.s,
            heartbeatTimeout: 3 * Self.s,
            shutdownTimeout: 4 * Self.s
        )
        configure(&settings)
        self.policy = SupervisorPolicy(settings: settings, now: self.now, seed: 42)
    }

    /// Advances the clock, ticks, and executes `spawn` actions (giving each a new pid).
    @discardableResult
    mutating func tick(after delay: UInt64 = 0) -> [PolicyAction] {
        self.now += delay
        return self.run(self.policy.tick(now: self.now))
    }

    /// Records `actions`, spawning workers for `spawn` actions as the edge would.
    @discardableResult
    mutating func run(_ actions: [PolicyAction]) -> [PolicyAction] {
        var all: [PolicyAction] = []
        for action in actions {
            all.append(action)
            if case .spawn(let slot, let generation) = action {
                let pid = self.nextPID
                self.nextPID += 1
                all += self.run(self.policy.spawned(slot: slot, generation: generation, pid: pid, now: self.now))
            }
        }
        self.actions += all
        return all
    }

    /// Starts every slot and makes every worker ready; returns their pids by slot.
    @discardableResult
    mutating func boot() -> [Int32] {
        self.tick()
        for pid in self.pids() { self.run(self.policy.ready(pid: pid, now: self.now)) }
        return self.pids()
    }

    /// Pids of the active workers, by slot.
    func pids() -> [Int32] {
        self.policy.workers.values.filter(\.isActive).sorted { $0.slot < $1.slot }.map(\.pid)
    }

    @discardableResult
    mutating func ready(_ pid: Int32) -> [PolicyAction] {
        self.run(self.policy.ready(pid: pid, now: self.now))
    }

    @discardableResult
    mutating func exit(_ pid: Int32, _ how: WorkerExit) -> [PolicyAction] {
        self.run(self.policy.exited(pid: pid, how: how, now: self.now))
    }

    mutating func heartbeatAll(requests: UInt64 = 0) -> [PolicyAction] {
        var all: [PolicyAction] = []
        for pid in self.policy.workers.keys.sorted() {
            all += self.run(self.policy.heartbeat(pid: pid, requests: requests, inFlight: 0, now: self.now))
        }
        return all
    }

    /// The spawn actions in `actions`.
    static func spawns(_ actions: [PolicyAction]) -> [Int] {
        actions.compactMap { if case .spawn(let slot, _) = $0 { return slot } else { return nil } }
    }

    /// The signals sent in `actions`, as (pid, signal).
    static func signals(_ actions: [PolicyAction]) -> [[Int32]] {
        actions.compactMap { if case .signal(let pid, let signal) = $0 { return [pid, signal] } else { return nil } }
    }

    /// The log messages in `actions`.
    static func logs(_ actions: [PolicyAction]) -> [String] {
        actions.compactMap { if case .log(_, let message) = $0 { return message } else { return nil } }
    }
}
