import Foundation
import Testing

/// A Redis server owned by one test: real `redis-server` on a free port, stopped and
/// restarted at will without touching the shared instance other suites use.
final class PrivateRedis {
    let port: Int
    private var process: ChildProcess?

    init() throws {
        self.port = TestEnvironment.freePort()
        try self.start()
    }

    deinit { self.stop() }

    /// `redis://127.0.0.1:<port>/0`
    var url: String { "redis://127.0.0.1:\(self.port)/0" }

    /// Starts `redis-server` and waits until it accepts connections.
    func start() throws {
        self.process = try ChildProcess(
            executable: "/usr/bin/redis-server",
            arguments: ["--port", String(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            environment: ProcessInfo.processInfo.environment,
            outputPath: "/dev/null"
        )
        try waitFor("redis on port \(self.port)") { TestEnvironment.isListening(port: self.port) }
    }

    /// Stops it (SIGTERM, then waits).
    func stop() {
        guard let process = self.process else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }
}

/// A PostgreSQL cluster owned by one test, run by `scripts/services` in a private data folder
/// and port (Debian's PostgreSQL 15: a fresh folder has no PostgreSQL 16 venv, and an outage
/// behaves the same on both).
final class PrivatePostgres {
    let port: Int
    private let dataDirectory: URL

    init() throws {
        self.port = TestEnvironment.freePort()
        self.dataDirectory = URL(fileURLWithPath: "/tmp/saas-api-test-pg-\(UUID().uuidString.prefix(8))")
        try self.run("start")
    }

    deinit {
        try? self.run("stop")
        try? FileManager.default.removeItem(at: self.dataDirectory)
    }

    /// `DATABASE_URL` of the shared configuration with this cluster's port.
    var url: String {
        var components = URLComponents(
            string: TestEnvironment.value("DATABASE_URL") ?? "postgres://app_rw@127.0.0.1/saas_api"
        )!
        components.host = "127.0.0.1"
        components.port = self.port
        return components.string!
    }

    func start() throws { try self.run("start") }
    func stop() throws { try self.run("stop") }

    private func run(_ verb: String) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["SAAS_DATA_DIR"] = self.dataDirectory.path
        environment["PGPORT"] = String(self.port)
        environment["PG_VERSION"] = "15"
        environment["PG_FAST"] = "1"
        let script = TestEnvironment.packageRoot.appendingPathComponent("scripts/services").path
        let (status, output) = try ChildProcess.run(script, [verb, "postgres"], environment: environment)
        try #require(status == 0, "scripts/services \(verb) postgres (port \(self.port)) failed:\n\(output)")
    }
}

/// Polls `condition` every 20 ms until it holds, failing after `timeout` seconds.
func waitFor(_ what: String, timeout: Double = 15, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if (try? condition()) == true { return }
        Thread.sleep(forTimeInterval: 0.02)
    }
    Issue.record("timed out after \(timeout) s waiting for \(what)")
    throw RawSocket.Failure(description: "timed out waiting for \(what)")
}
