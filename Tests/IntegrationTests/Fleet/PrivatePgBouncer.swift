import Foundation
import Testing

/// A PgBouncer (Debian's, transaction pooling) owned by one test, in front of the shared test
/// PostgreSQL: real `pgbouncer` on a free port, its own config and userlist in a temporary
/// folder, stopped and removed on deinit.
final class PrivatePgBouncer {
    let port: Int
    private let directory: URL
    private var process: ChildProcess?

    /// Fronts the PostgreSQL of `DATABASE_URL`; `users` are name → password pairs it accepts
    /// (and logs in to PostgreSQL with).
    init(users: [String: String]) throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: "/usr/sbin/pgbouncer"),
            "pgbouncer is not installed: run `scripts/services deps`"
        )
        self.port = TestEnvironment.freePort()
        self.directory = URL(fileURLWithPath: "/tmp/saas-api-test-pgbouncer-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: false)
        chmod(self.directory.path, 0o755)
        let postgresPort = TestEnvironment.port(of: TestEnvironment.value("DATABASE_URL"), default: 5432)
        let userlist = users.map { "\"\($0.key)\" \"\($0.value)\"" }.joined(separator: "\n") + "\n"
        let config = """
            [databases]
            * = host=127.0.0.1 port=\(postgresPort)
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(self.port)
            unix_socket_dir =
            auth_type = scram-sha-256
            auth_file = \(self.directory.path)/userlist.txt
            pool_mode = transaction
            max_client_conn = 200
            default_pool_size = 10

            """
        try userlist.write(to: self.directory.appendingPathComponent("userlist.txt"), atomically: true, encoding: .utf8)
        try config.write(to: self.directory.appendingPathComponent("pgbouncer.ini"), atomically: true, encoding: .utf8)
        // PgBouncer refuses to run as root; it switches to `postgres` (scripts/services creates it)
        // and logs to the output file the test opened, so the folder need not be writable.
        let user = getuid() == 0 ? ["-u", "postgres"] : []
        self.process = try ChildProcess(
            executable: "/usr/sbin/pgbouncer",
            arguments: user + [self.directory.appendingPathComponent("pgbouncer.ini").path],
            environment: ProcessInfo.processInfo.environment,
            outputPath: self.directory.appendingPathComponent("pgbouncer.log").path
        )
        try waitFor("pgbouncer on port \(self.port)") { TestEnvironment.isListening(port: self.port) }
    }

    deinit {
        if let process = self.process {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: self.directory)
    }

    /// `url` (a `postgres://` URL of the test PostgreSQL) pointed at this PgBouncer instead.
    func url(replacingPortOf url: String) -> String {
        var components = URLComponents(string: url)!
        components.host = "127.0.0.1"
        components.port = self.port
        return components.string!
    }
}
