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

/// A service of `scripts/services` owned by one test: run in a private data folder and on a
/// free port (`portVariable`), stopped and its folder removed on deinit.
final class PrivateService {
    let port: Int
    private let name: String
    private let directory: URL
    private let environment: [String: String]

    /// Starts `scripts/services start NAME` with `environment` added to the test's own.
    init(_ name: String, portVariable: String, environment: [String: String] = [:]) throws {
        self.name = name
        self.port = TestEnvironment.freePort()
        self.directory = URL(fileURLWithPath: "/tmp/saas-api-test-\(name)-\(UUID().uuidString.prefix(8))")
        var merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        merged["SAAS_DATA_DIR"] = self.directory.path
        merged[portVariable] = String(self.port)
        self.environment = merged
        try self.run("start")
    }

    deinit {
        try? self.run("stop")
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// Runs `scripts/services VERB NAME` for this instance and fails the test if it fails.
    func run(_ verb: String) throws {
        let script = TestEnvironment.packageRoot.appendingPathComponent("scripts/services").path
        let (status, output) = try ChildProcess.run(script, [verb, self.name], environment: self.environment)
        try #require(status == 0, "scripts/services \(verb) \(self.name) (port \(self.port)) failed:\n\(output)")
    }
}

/// A PostgreSQL cluster owned by one test, run by `scripts/services` in a private data folder
/// and port (Debian's PostgreSQL 15: a fresh folder has no PostgreSQL 16 venv, and an outage
/// behaves the same on both).
final class PrivatePostgres {
    private let service: PrivateService

    init() throws {
        self.service = try PrivateService(
            "postgres",
            portVariable: "PGPORT",
            environment: ["PG_VERSION": "15", "PG_FAST": "1"]
        )
    }

    var port: Int { self.service.port }

    /// `DATABASE_URL` of the shared configuration with this cluster's port.
    var url: String {
        var components = URLComponents(
            string: TestEnvironment.value("DATABASE_URL") ?? "postgres://app_rw@127.0.0.1/saas_api"
        )!
        components.host = "127.0.0.1"
        components.port = self.port
        return components.string!
    }

    func start() throws { try self.service.run("start") }
    func stop() throws { try self.service.run("stop") }
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
