import Foundation
import Testing

/// `SIGTTIN` / `SIGTTOU`, the `status` command, and `--max-requests` recycling.
@Suite struct ScalingTests {
    @Test func ttinAndTtouChangeTheWorkerCountAndStatusTellsTheTruth() throws {
        let server = try LifecycleServer(workers: 2)
        defer { server.stop() }
        try server.waitForStatus { ($0["ready"] as? Int) == 2 }
        let (code, text) = try server.statusCommand([])
        #expect(code == 0, "\(text)")
        #expect(text.contains("2/2 workers ready"))

        for expected in [3, 4] {
            server.server.send(SIGTTIN)
            try server.waitForStatus { ($0["workers"] as? Int) == expected && ($0["ready"] as? Int) == expected }
            #expect(server.server.workerPIDs().count == expected)
        }
        #expect(try HTTPClient.get(port: server.port, "/health/live").status == 200)
        for expected in [3, 2, 1, 1] {
            server.server.send(SIGTTOU)
            try server.waitForStatus { status in
                (status["workers"] as? Int) == expected && (status["ready"] as? Int) == expected
                    && (status["retiring"] as? [Any])?.isEmpty == true
            }
            _ = try server.server.waitForWorkers(expected)
        }
        #expect(server.server.log.contains("already down to one worker"))

        let (jsonCode, json) = try server.statusCommand(["--json"])
        #expect(jsonCode == 0)
        let status = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] ?? [:]
        #expect(status["pid"] as? Int == Int(server.pid))
        #expect(status["workers"] as? Int == 1)
        #expect(slotPIDs(status) == server.server.workerPIDs())
        let slot = slots(status).first ?? [:]
        for key in ["pid", "state", "uptime", "restarts", "requests", "in_flight", "generation"] {
            #expect(slot[key] != nil, "missing \(key) in \(json)")
        }
        #expect(try HTTPClient.get(port: server.port, "/health/live").status == 200)
    }

    @Test func statusWithoutASupervisorSaysSo() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.binary)
        process.arguments = ["status", "--control-socket", "/tmp/saas-api-test-nobody-\(getpid()).sock"]
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let output = Pipe()
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(text.contains("no supervisor answers"))
    }

    @Test func maxRequestsRecyclesWorkersGracefullyOneAtATime() throws {
        let server = try LifecycleServer(
            workers: 2,
            arguments: ["--max-requests", "200", "--max-requests-jitter", "20"]
        )
        defer { server.stop() }
        try server.waitForStatus { ($0["ready"] as? Int) == 2 }
        let first = Set(slotPIDs(try server.status()))
        let load = LoadGenerator(port: server.port, connections: 4, keepAlive: true)
        defer { load.stop() }
        try server.waitForStatus { status in
            (status["ready"] as? Int) == 2 && Set(slotPIDs(status)).isDisjoint(with: first)
        }
        load.stop()
        #expect(load.failures().isEmpty, "\(load.failures())")
        #expect(server.server.log.contains("recycling it"))
    }
}
