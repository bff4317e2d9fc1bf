// Swift Testing is there only when tests are built: release builds of the products also compile
// this target (`swift build` builds every target), and a --static-swift-stdlib build has no
// Testing module at all.
#if canImport(Testing)
import Database
import Foundation
import Shared
import Testing

/// A uniquely named database created for one suite (or one test) and dropped afterwards.
public final class TestDatabase: Sendable {
    /// The roles a test connects as.
    public enum Role: Sendable {
        /// The cluster's superuser (seeding, catalog checks, the migrator).
        case admin
        /// The service role.
        case rw
        /// The read-only role.
        case ro
    }

    /// The suite's database, set by the `.migratedDatabase` trait.
    @TaskLocal public static var current: TestDatabase?

    /// `saas_test_<random>`.
    public let name: String
    private let cluster: TestURL

    private init(name: String, cluster: TestURL) {
        self.name = name
        self.cluster = cluster
    }

    /// Creates an empty database (no migrations applied).
    public static func create() throws -> TestDatabase {
        let cluster = try TestCluster.adminURL()
        let name = "saas_test_" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let admin = try PostgresConnection.connect(url: cluster.description, timeout: .seconds(10))
        try admin.execute("CREATE DATABASE \(name)", timeout: .seconds(60))
        return TestDatabase(name: name, cluster: cluster)
    }

    /// The URL of `role` on this database.
    public func url(_ role: Role) -> String {
        switch role {
        case .admin: self.cluster.with(database: self.name).description
        case .rw:
            self.appCluster.with(user: "app_rw", password: TestCluster.rwPassword, database: self.name).description
        case .ro:
            self.cluster.with(user: "app_ro", password: TestCluster.roPassword, database: self.name).description
        }
    }

    /// Where the service role (app_rw) connects: PgBouncer when `TEST_PGBOUNCER_ADDRESS` is set
    /// (see `TestCluster.pgbouncerAddress`), else the server itself.
    private var appCluster: TestURL {
        guard let address = TestCluster.pgbouncerAddress else { return self.cluster }
        var url = self.cluster
        url.hostAndPort = address
        return url
    }

    /// A new connection as `role`.
    public func connect(_ role: Role) throws -> PostgresConnection {
        try PostgresConnection.connect(url: self.url(role), timeout: .seconds(10))
    }

    /// A migrator over a new superuser connection, for the files in `directory`.
    public func runner(
        directory: String = TestCluster.sqlDirectory,
        report: @escaping @Sendable (MigrationEvent) -> Void = { _ in }
    ) throws -> MigrationRunner {
        let migrations = try MigrationDirectory(path: directory).load()
        return MigrationRunner(connection: try self.connect(.admin), migrations: migrations, report: report)
    }

    /// Runs `body` under the cluster-wide test migration lock (see `TestCluster`).
    @discardableResult
    public func migrating<T>(
        directory: String = TestCluster.sqlDirectory,
        _ body: (MigrationRunner) throws -> T
    ) throws -> T {
        let runner = try self.runner(directory: directory)
        return try TestCluster.withMigrationLock { try body(runner) }
    }

    /// Drops the database, closing any connection left open.
    public func drop() {
        do {
            let admin = try PostgresConnection.connect(url: self.cluster.description, timeout: .seconds(10))
            try admin.execute("DROP DATABASE IF EXISTS \(self.name) WITH (FORCE)", timeout: .seconds(60))
        } catch {
            Issue.record("could not drop test database \(self.name): \(error)")
        }
    }

    /// `pg_dump --schema-only` of the database, without the per-run `\restrict` key lines
    /// that recent pg_dump releases add.
    ///
    /// pg_dump refuses a server newer than itself, so the binary comes from `PG_DUMP`, else
    /// `PG_BIN_DIR/pg_dump` (e.g. the pgserver wheel's `pginstall/bin` for PostgreSQL 16),
    /// else `pg_dump` on the PATH.
    public func schemaDump() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let executable =
            environment["PG_DUMP"].flatMap { $0.isEmpty ? nil : $0 }
            ?? environment["PG_BIN_DIR"].flatMap { $0.isEmpty ? nil : $0 + "/pg_dump" }
            ?? "pg_dump"
        let output = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(self.name)-\(Foundation.UUID()).sql"
        )
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable, "--schema-only", "--no-password", "--file", output.path, self.url(.admin)]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DumpFailed(
                description: "\(executable) exited \(process.terminationStatus): \(Secrets.mask(message)) "
                    + "(set PG_BIN_DIR to the bin directory of the server's major version)"
            )
        }
        let dump = try String(contentsOf: output, encoding: .utf8)
        return dump.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("\\restrict ") && !$0.hasPrefix("\\unrestrict ") }
            .joined(separator: "\n")
    }

    /// pg_dump failed.
    public struct DumpFailed: Error, CustomStringConvertible {
        /// What pg_dump said, passwords masked.
        public let description: String
    }
}

/// Gives a suite one freshly created and migrated database, dropped when the suite ends; its
/// tests read it from `TestDatabase.current`.
public struct MigratedDatabaseTrait: SuiteTrait, TestScoping {
    /// The trait applies to the suite as a whole, not to each test again.
    public var isRecursive: Bool { false }

    /// Creates and migrates the database, runs the suite with it, drops it.
    public func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        try database.migrating { try $0.up() }
        try await TestDatabase.$current.withValue(database) {
            try await function()
        }
    }
}

extension Trait where Self == MigratedDatabaseTrait {
    /// A fresh, fully migrated database for the suite (`TestDatabase.current`).
    public static var migratedDatabase: Self { Self() }
}
#endif
