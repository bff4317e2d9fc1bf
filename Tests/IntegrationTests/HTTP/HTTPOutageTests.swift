import Foundation
import Testing

/// Dependency outages seen through a `FaultyProxy` in front of the real PostgreSQL and Redis:
/// a database that hangs (accepts, never answers) or refuses. `/health` answers 503 within its
/// timeout every time, concurrent probes do not pile up, no worker dies, and the pools heal by
/// themselves. (Stopping and restarting real private instances: `DependencyOutageTests`.)
@Suite("HTTP dependency outages", .serialized, .timeLimit(.minutes(3)))
struct HTTPOutageTests {
    enum Dependency { case postgres, redis }

    /// A server whose PostgreSQL and Redis both go through proxies.
    struct Setup {
        let postgres: FaultyProxy
        let redis: FaultyProxy
        let server: ServerProcess
        let worker: Int32

        init(_ extra: [String: String] = [:]) throws {
            try TestEnvironment.requireServices()
            let databaseURL = try #require(TestEnvironment.value("DATABASE_URL"))
            let redisURL = TestEnvironment.value("REDIS_URL") ?? "redis://127.0.0.1:6379/0"
            self.postgres = try FaultyProxy(target: TestEnvironment.port(of: databaseURL, default: 5432))
            self.redis = try FaultyProxy(target: TestEnvironment.port(of: redisURL, default: 6379))
            var environment = [
                "DATABASE_URL": self.postgres.url(replacingPortOf: databaseURL),
                "REDIS_URL": self.redis.url(replacingPortOf: redisURL),
                "HEALTH_TIMEOUT_MS": "500",
                "DB_CONNECT_TIMEOUT_MS": "1000",
            ]
            environment.merge(extra) { _, new in new }
            self.server = try ServerProcess(workers: 1, environment: environment)
            try self.server.waitUntilServing()
            self.worker = try #require(try self.server.waitForWorkers(1).first)
            try HTTPOutageTests.eventually("healthy") {
                try HTTPClient.get(port: self.server.port, "/health").status == 200
            }
        }

        func proxy(_ dependency: Dependency) -> FaultyProxy {
            dependency == .postgres ? self.postgres : self.redis
        }

        /// `/health` with its duration in seconds.
        func health() throws -> (HTTPResponse, Double) {
            let started = Date()
            let response = try HTTPClient.get(port: self.server.port, "/health", timeout: 10)
            return (response, Date().timeIntervalSince(started))
        }
    }

    @Test(arguments: [
        (Dependency.postgres, FaultyProxy.Mode.silent), (.redis, .silent), (.postgres, .refusing), (.redis, .refusing),
    ])
    func outageIs503WithinTheTimeoutAndHeals(dependency: Dependency, mode: FaultyProxy.Mode) throws {
        let setup = try Setup()
        let field = dependency == .postgres ? "db" : "redis"
        let other = dependency == .postgres ? "redis" : "db"
        try setup.proxy(dependency).set(mode)

        for _ in 0..<4 {
            let (response, seconds) = try setup.health()
            #expect(response.status == 503)
            let json = try response.json()
            #expect(json["status"] as? String == "degraded")
            #expect(json[field] as? String == "disconnected")
            #expect(json[other] as? String == "connected")
            #expect(seconds < 1.2, "took \(seconds) s")
        }
        // A burst of probes during the outage: each answered within the timeout, nothing queues.
        let slowest = Self.burst(port: setup.server.port, count: 40)
        #expect(slowest.statuses == [503])
        #expect(slowest.seconds < 2.5, "slowest probe took \(slowest.seconds) s")
        let live = Date()
        #expect(try HTTPClient.get(port: setup.server.port, "/health/live").status == 200)
        #expect(Date().timeIntervalSince(live) < 0.5)

        try setup.proxy(dependency).set(.forward)
        try Self.eventually("/health back to 200", timeout: 15) {
            try HTTPClient.get(port: setup.server.port, "/health").status == 200
        }
        #expect(setup.server.workerPIDs() == [setup.worker])
    }

    @Test func handlerDeadlineAnswers504() throws {
        let setup = try Setup(["HANDLER_TIMEOUT_MS": "200", "HEALTH_TIMEOUT_MS": "3000"])
        try setup.postgres.set(.silent)
        let (response, seconds) = try setup.health()
        #expect(response.status == 504)
        #expect(response.errorCode == "GATEWAY_TIMEOUT")
        #expect(response.header("X-Request-Id") != nil)
        #expect(seconds < 1.5)
        #expect(try HTTPClient.get(port: setup.server.port, "/health/live").status == 200)
        try setup.postgres.set(.forward)
        try Self.eventually("/health back to 200", timeout: 15) {
            try HTTPClient.get(port: setup.server.port, "/health").status == 200
        }
    }

    @Test func longHangDoesNotBuildABacklog() throws {
        let setup = try Setup()
        let threadsBefore = Self.threads(of: setup.worker)
        try setup.postgres.set(.silent)
        try setup.redis.set(.silent)
        for _ in 0..<5 {
            let result = Self.burst(port: setup.server.port, count: 60)
            #expect(result.statuses == [503])
            #expect(result.seconds < 2.5)
        }
        #expect(Self.threads(of: setup.worker) <= threadsBefore + 2)
        try setup.postgres.set(.forward)
        try setup.redis.set(.forward)
        // Recovery is not delayed by work queued during the outage.
        try Self.eventually("/health back to 200", timeout: 8) {
            try HTTPClient.get(port: setup.server.port, "/health").status == 200
        }
        #expect(setup.server.workerPIDs() == [setup.worker])
    }

    /// Polls `condition` every 50 ms until it holds; fails after `timeout` seconds.
    static func eventually(_ what: String, timeout: Double = 15, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? condition()) == true { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("timed out after \(timeout) s waiting for \(what)")
        throw RawSocket.Failure(description: "timed out waiting for \(what)")
    }

    /// `count` concurrent `/health` probes: the distinct statuses and the slowest duration.
    static func burst(port: Int, count: Int) -> (statuses: Set<Int>, seconds: Double) {
        let tally = Tally()
        let group = DispatchGroup()
        for _ in 0..<count {
            // Threads of their own, so the probes really are concurrent on a small machine.
            group.enter()
            Thread.detachNewThread {
                let started = Date()
                let status = (try? HTTPClient.get(port: port, "/health", timeout: 10).status) ?? -1
                tally.add(status, seconds: Date().timeIntervalSince(started))
                group.leave()
            }
        }
        group.wait()
        return tally.result
    }

    /// Statuses and the slowest duration, from many threads.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var statuses = Set<Int>()
        private var slowest = 0.0

        func add(_ status: Int, seconds: Double) {
            self.lock.lock()
            defer { self.lock.unlock() }
            self.statuses.insert(status)
            self.slowest = max(self.slowest, seconds)
        }

        var result: (statuses: Set<Int>, seconds: Double) {
            self.lock.lock()
            defer { self.lock.unlock() }
            return (self.statuses, self.slowest)
        }
    }

    /// The `Threads:` count of a process.
    static func threads(of pid: Int32) -> Int {
        procStatus(pid, "Threads:")
    }
}

/// A numeric field of `/proc/<pid>/status` (e.g. `VmRSS:` in kB), 0 when absent.
func procStatus(_ pid: Int32, _ field: String) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field) })
    else { return 0 }
    return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? 0
}
