import Foundation
import Testing

/// The supervisor/worker process model: N worker processes on one port, replacement after a
/// crash, graceful stop, and refusing bad configuration before anything binds.
@Suite("Process model", .timeLimit(.minutes(3)))
struct ProcessModelTests {
    @Test("--workers 4 runs four distinct worker processes that all serve the port")
    func fourDistinctWorkersServe() throws {
        let server = try ServerProcess(workers: 4)
        try server.waitUntilServing()
        let pids = try server.waitForWorkers(4)
        #expect(Set(pids).count == 4)
        for pid in pids {
            let title = try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)
            #expect(title.hasPrefix("saas-api: worker "))
        }
        let supervisorTitle = try String(contentsOfFile: "/proc/\(server.pid)/cmdline", encoding: .utf8)
        #expect(supervisorTitle.hasPrefix("saas-api: supervisor"))

        // New connections spread over the SO_REUSEPORT sockets: every worker answers some.
        for _ in 0..<200 {
            let response = try HTTPClient.get(port: server.port, "/health/live")
            #expect(response.status == 200)
        }
        try waitFor("access logs from all four workers") {
            let workers = Set(server.logRecords.filter { $0["http_path"] != nil }.compactMap { $0["pid"] as? Int })
            return workers == Set(pids.map(Int.init))
        }
        try server.waitForLog("4 workers ready")
    }

    @Test("a worker killed with SIGKILL is replaced and requests keep succeeding")
    func killedWorkerIsReplaced() throws {
        let server = try ServerProcess(workers: 4)
        try server.waitUntilServing()
        let before = try server.waitForWorkers(4)
        let victim = before[1]
        kill(victim, SIGKILL)
        let after = try server.waitForWorkers(4, excluding: [victim])
        #expect(!after.contains(victim))
        for _ in 0..<100 {
            let response = try HTTPClient.get(port: server.port, "/health/live")
            #expect(response.status == 200)
        }
        #expect(try HTTPClient.get(port: server.port, "/health").status == 200)
        try server.waitForLog("(pid \(victim)) was killed by SIGKILL")
    }

    @Test("SIGTERM drains every worker and exits 0, leaving no process behind")
    func sigtermExitsCleanly() throws {
        let server = try ServerProcess(workers: 3)
        try server.waitUntilServing()
        let workers = try server.waitForWorkers(3)
        server.send(SIGTERM)
        let status = server.waitForExit(timeout: 20)
        #expect(status == 0)
        try waitFor("workers to be gone", timeout: 5) { workers.allSatisfy { !isAlive($0) } }
        #expect(!TestEnvironment.isListening(port: server.port))
        #expect(server.log.contains("all workers stopped"))
    }

    @Test("SIGTERM lets an in-flight request finish with Connection: close")
    func sigtermAnswersInFlightRequest() throws {
        let server = try ServerProcess(workers: 1)
        try server.waitUntilServing()
        // A keep-alive connection with one answered request, then SIGTERM: the idle connection
        // is closed by the drain, and the server exits 0.
        let socket = try RawSocket.connect(port: server.port)
        defer { socket.close() }
        try socket.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try socket.readResponse().status == 200)
        server.send(SIGTERM)
        #expect(try socket.receive().isEmpty)  // closed by the server, not by us
        let status = server.waitForExit(timeout: 20)
        #expect(status == 0, "server log:\n\(server.log)")
    }

    @Test(
        "a bad configuration value is one line naming the variable, exit 2, nothing bound",
        arguments: [
            (["PORT": "70000"], "invalid PORT"),
            (["WORKERS": "zero"], "invalid WORKERS"),
            (["LOG_LEVEL": "loud"], "invalid LOG_LEVEL"),
            (["DATABASE_URL": "mysql://root:secret@db/x"], "invalid DATABASE_URL"),
            (["REDIS_URL": "redis://h:99999"], "invalid REDIS_URL"),
            (["SHUTDOWN_TIMEOUT": "-1"], "invalid SHUTDOWN_TIMEOUT"),
        ]
    )
    func badConfigurationExitsTwo(environment: [String: String], expected: String) throws {
        try TestEnvironment.requireServices()
        let (status, text) = try ChildProcess.run(
            TestEnvironment.binary,
            [],
            environment: TestEnvironment.serverEnvironment(environment),
            directory: FileManager.default.temporaryDirectory.path
        )
        #expect(status == 2)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(text.contains(expected))
        #expect(!text.contains("secret"))
    }

    @Test("a flag overrides the environment and a bad flag is rejected the same way")
    func badFlagExitsTwo() throws {
        try TestEnvironment.requireServices()
        let (status, text) = try ChildProcess.run(
            TestEnvironment.binary,
            ["--workers", "0"],
            environment: TestEnvironment.serverEnvironment(["WORKERS": "2"])
        )
        #expect(status == 2)
        #expect(text.contains("invalid WORKERS: '0'"))
    }

    @Test("a port already in use is one clear error and a non-zero exit before any worker starts")
    func portInUseFails() throws {
        let first = try ServerProcess(workers: 1)
        try first.waitUntilServing()
        let second = try ServerProcess(workers: 2, arguments: ["--port", String(first.port)])
        let status = second.waitForExit(timeout: 10)
        #expect(status == 1)
        #expect(second.log.contains("cannot listen on 0.0.0.0:\(first.port)"))
        #expect(second.log.contains("Address already in use"))
        #expect(!second.log.contains("worker"))
    }
}
