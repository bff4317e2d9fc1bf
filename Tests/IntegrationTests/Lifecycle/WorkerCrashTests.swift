import Foundation
import Testing

/// Killed and stopped workers under real load: nothing refused, the slot serving again fast.
@Suite(.serialized) struct WorkerCrashTests {
    @Test func sigkillOfOneOfFourWorkersUnderLoadRefusesNothing() throws {
        let server = try LifecycleServer(workers: 4)
        defer { server.stop() }
        let before = try server.waitForStatus { ($0["ready"] as? Int) == 4 }
        _ = before
        let victims = slotPIDs(try server.status())
        let load = LoadGenerator(port: server.port, connections: 8, keepAlive: false)
        defer { load.stop() }
        #expect(load.waitForSuccesses(200))
        let killedAt = Date()
        kill(victims[1], SIGKILL)
        let replaced = try server.waitForStatus { status in
            (status["ready"] as? Int) == 4 && !slotPIDs(status).contains(victims[1])
        }
        #expect(load.waitForSuccesses(500))
        load.stop()
        let failures = load.failures()
        print(
            "replacement after SIGKILL: \(String(format: "%.0f", replaced * 1000)) ms; requests: \(load.completed), failures: \(failures)"
        )
        #expect(failures.keys.allSatisfy { !$0.contains("refused") && !$0.hasPrefix("status") }, "\(failures)")
        // Only connections the killed worker held at that moment may break: at most one per client.
        #expect(failures.values.reduce(0, +) <= 8, "\(failures)")
        #expect(Date().timeIntervalSince(killedAt) < 10)
        #expect(server.server.log.contains("was killed by SIGKILL"))
    }

    @Test func sigkillOfEveryWorkerUnderLoadRefusesNothing() throws {
        let server = try LifecycleServer(workers: 4)
        defer { server.stop() }
        try server.waitForStatus { ($0["ready"] as? Int) == 4 }
        let victims = slotPIDs(try server.status())
        let load = LoadGenerator(port: server.port, connections: 8, keepAlive: false)
        defer { load.stop() }
        #expect(load.waitForSuccesses(200))
        for pid in victims { kill(pid, SIGKILL) }
        let back = try server.waitForStatus { status in
            (status["ready"] as? Int) == 4 && Set(slotPIDs(status)).isDisjoint(with: victims)
        }
        #expect(load.waitForSuccesses(500))
        load.stop()
        let failures = load.failures()
        print("all 4 workers back after SIGKILL in \(String(format: "%.0f", back * 1000)) ms; failures: \(failures)")
        #expect(failures.keys.allSatisfy { !$0.contains("refused") && !$0.hasPrefix("status") }, "\(failures)")
        #expect(failures.values.reduce(0, +) <= 8, "\(failures)")
    }

    @Test func stoppedWorkerIsReplacedWithinTheTimeoutPlusGrace() throws {
        let server = try LifecycleServer(workers: 2, environment: ["WORKER_TIMEOUT": "2"])
        defer { server.stop() }
        try server.waitForStatus { ($0["ready"] as? Int) == 2 }
        let victim = slotPIDs(try server.status())[0]
        kill(victim, SIGSTOP)
        defer { kill(victim, SIGKILL) }
        let replaced = try server.waitForStatus(timeout: 10) { status in
            (status["ready"] as? Int) == 2 && !slotPIDs(status).contains(victim)
        }
        print("SIGSTOPped worker replaced after \(String(format: "%.1f", replaced)) s (WORKER_TIMEOUT 2 s + 2 s grace)")
        #expect(replaced < 2 + 2 + 1)
        // The stopped process itself is gone within the grace after the abort.
        let deadline = Date().addingTimeInterval(4)
        while isAlive(victim) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(!isAlive(victim))
        #expect(server.server.log.contains("sent no heartbeat for 2 s"))
        let response = try HTTPClient.get(port: server.port, "/health/live")
        #expect(response.status == 200)
    }
}
