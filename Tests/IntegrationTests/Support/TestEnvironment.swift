import Foundation
import Shared
import Synchronization
import Testing

/// Where the package, the built binary and the local services are, for integration tests.
///
/// Integration tests never skip: a missing binary or dependency is a failure that says how to
/// fix it (`scripts/test` builds the binary and starts PostgreSQL and Redis).
enum TestEnvironment {
    /// The package root (three levels above this file's folder).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The supervisor binary under test: `SAAS_API_BINARY`, else `.build/debug/Supervisor`.
    static var binary: String {
        ProcessInfo.processInfo.environment["SAAS_API_BINARY"]
            ?? self.packageRoot.appendingPathComponent(".build/debug/Supervisor").path
    }

    /// `.env` of the package root, parsed (empty when absent).
    static let dotEnv: [String: String] = {
        let path = packageRoot.appendingPathComponent(".env").path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        return (try? DotEnv.parse(text)) ?? [:]
    }()

    /// A variable from the real environment, else from `.env`.
    static func value(_ key: String) -> String? {
        ProcessInfo.processInfo.environment[key] ?? self.dotEnv[key]
    }

    /// The environment a server under test gets: the real one plus `.env` (real wins).
    static func serverEnvironment(_ extra: [String: String]) -> [String: String] {
        var environment = self.dotEnv
        environment.merge(ProcessInfo.processInfo.environment) { _, real in real }
        // Never let a test server inherit systemd's variables from the test runner.
        for key in ["NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "JOURNAL_STREAM", "WATCHDOG_USEC"] {
            environment.removeValue(forKey: key)
        }
        environment["LOG_FORMAT"] = "json"
        // Servers run in parallel: none binds the default metrics port unless a test asks.
        environment["METRICS_ADDRESS"] = ""
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Fails the test (with how to fix it) unless the binary exists and PostgreSQL and Redis
    /// answer on their configured ports.
    static func requireServices() throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: self.binary),
            "no binary at \(self.binary): run `swift build` (or scripts/test)"
        )
        let postgresPort = self.port(of: self.value("DATABASE_URL"), default: 5432)
        let redisPort = self.port(of: self.value("REDIS_URL"), default: 6379)
        try #require(
            self.isListening(port: postgresPort),
            "PostgreSQL is not listening on 127.0.0.1:\(postgresPort): run `scripts/services start`"
        )
        try #require(
            self.isListening(port: redisPort),
            "Redis is not listening on 127.0.0.1:\(redisPort): run `scripts/services start`"
        )
    }

    /// The port of a `scheme://…host:port/…` URL.
    static func port(of url: String?, default fallback: Int) -> Int {
        guard let url, let components = URLComponents(string: url), let port = components.port else { return fallback }
        return port
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func isListening(port: Int) -> Bool {
        (try? RawSocket.connect(port: port, timeout: 1)).map { $0.close() } != nil
    }

    /// `DATABASE_URL` and `REDIS_URL` pointed at a port where nothing listens: for tests that
    /// prove an endpoint touches no dependency.
    static func unreachableDependencies() -> [String: String] {
        let deadPort = self.freePort()
        return [
            "DATABASE_URL": "postgres://app_rw:x@127.0.0.1:\(deadPort)/saas_api",
            "REDIS_URL": "redis://127.0.0.1:\(deadPort)/0",
        ]
    }

    /// A TCP port that is free right now on all interfaces, and stays free for the test to
    /// bind: it is taken below the kernel's ephemeral range (32768–60999 by default), from a
    /// per-process sequence starting at a random offset. A port the kernel picks for `bind(0)`
    /// is an ephemeral one, and between the probe and the server's own bind the kernel could
    /// hand it to any outgoing connection of the tests running beside (a client, a pool):
    /// the server then failed with "Address already in use".
    static func freePort() -> Int {
        for _ in 0..<Self.portRange.count {
            let port = Self.portRange.lowerBound + Int(Self.nextPort.add(1) % UInt64(Self.portRange.count))
            if Self.isBindable(port) { return port }
        }
        return 0  // every port of the range taken: the server's bind fails and says so
    }

    /// Ports no one gets without asking for them by number (below `ip_local_port_range`).
    private static let portRange = 20_000..<32_000
    private static let nextPort = PortCounter(start: UInt64.random(in: 0..<12_000))

    /// Whether `port` can be bound on all interfaces now.
    private static func isBindable(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var reuse: Int32 = 1  // as the server binds: a closed connection's TIME_WAIT does not count
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = INADDR_ANY
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Runs `scripts/services ARGS…` and fails the test if it fails.
    static func services(_ arguments: String...) throws {
        let script = self.packageRoot.appendingPathComponent("scripts/services").path
        let (status, output) = try ChildProcess.run(script, arguments)
        try #require(status == 0, "scripts/services \(arguments.joined(separator: " ")) failed:\n\(output)")
    }
}

/// A thread-safe counter for `TestEnvironment.freePort`.
private final class PortCounter: Sendable {
    private let value: Mutex<UInt64>

    init(start: UInt64) {
        self.value = Mutex(start)
    }

    /// Adds `amount` and returns the value before.
    func add(_ amount: UInt64) -> UInt64 {
        self.value.withLock { value in
            defer { value &+= amount }
            return value
        }
    }
}
