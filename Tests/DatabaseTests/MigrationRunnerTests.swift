import Database
import Foundation
import Shared
import TestSupport
import Testing

/// The migrator against a real PostgreSQL: each test gets its own empty database.
@Suite("Migration runner")
struct MigrationRunnerTests {
    private let expectedCount = 8
    /// The number of the migration after the last one, as file names spell it (`0009`).
    private var nextVersion: String {
        let digits = String(self.expectedCount + 1)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    @Test func upFromEmptyAppliesEveryMigrationAndRecordsIt() throws {
        try Self.withDatabase { database in
            let applied = try database.migrating { try $0.up() }
            #expect(applied.map(\.version) == Array(1...self.expectedCount))
            let admin = try database.connect(.admin)
            let rows = try admin.query(
                "SELECT version, name, checksum, duration_ms >= 0 FROM public.schema_migrations ORDER BY version",
                timeout: .seconds(10)
            )
            let files = try MigrationDirectory(path: TestCluster.sqlDirectory).load()
            #expect(rows.rows.map { $0[1] } == files.map(\.name))
            #expect(rows.rows.map { $0[2] } == files.map(\.checksum))
            #expect(rows.column("?column?").allSatisfy { $0 == "t" })
            let again = try database.migrating { try $0.up() }
            #expect(again.isEmpty)
        }
    }

    @Test func statusListsAppliedWithTimesAndPending() throws {
        try Self.withDatabase { database in
            let before = try database.runner().status()
            #expect(before.count == self.expectedCount && before.allSatisfy { $0.state == .pending })
            try database.migrating { try $0.up(to: 3) }
            let status = try database.runner().status()
            #expect(
                status.map(\.state)
                    == [.applied, .applied, .applied] + Array(repeating: .pending, count: self.expectedCount - 3)
            )
            #expect(status.prefix(3).allSatisfy { $0.appliedAt != nil && $0.durationMs != nil })
            #expect(status.dropFirst(3).allSatisfy { $0.appliedAt == nil })
        }
    }

    @Test func upToAnUnknownVersionIsAUsageError() throws {
        try Self.withDatabase { database in
            #expect(throws: MigrationError.unknownTarget(99)) { try database.runner().up(to: 99) }
            #expect(MigrationError.unknownTarget(99).isUsageError)
        }
    }

    @Test func downOneRevertsOnlyTheNewest() throws {
        try Self.withDatabase { database in
            try database.migrating { try $0.up() }
            let reverted = try database.migrating { try $0.down(steps: 1) }
            #expect(reverted.map(\.id) == ["0008_chart_list_indexes"])
            let admin = try database.connect(.admin)
            let index = "SELECT to_regclass('app.saved_charts_store_id_created_at_id_idx')"
            #expect(try admin.query(index, timeout: .seconds(5)).scalar == nil)
            #expect(
                try admin.query("SELECT to_regclass('app.sync_logs')", timeout: .seconds(5)).scalar == "app.sync_logs"
            )
            #expect(try admin.query("SELECT max(version) FROM schema_migrations", timeout: .seconds(5)).scalar == "7")
        }
    }

    /// Case 13: every migration goes down and up again cleanly. The schema is dumped after
    /// each step up; each step down must give back exactly the dump before that step, and up
    /// again from zero the same final schema.
    @Test func everyStepDownRestoresTheSchemaBeforeItAndUpAgainIsIdentical() throws {
        try Self.withDatabase { database in
            // A down with nothing applied changes nothing but creates the (empty) ledger, which
            // stays when everything is reverted.
            #expect(try database.migrating { try $0.down(steps: 1) }.isEmpty)
            var dumps = [try database.schemaDump()]
            for version in 1...self.expectedCount {
                try database.migrating { try $0.up(to: version) }
                dumps.append(try database.schemaDump())
            }
            for version in stride(from: self.expectedCount, through: 1, by: -1) {
                let reverted = try database.migrating { try $0.down(steps: 1) }
                #expect(reverted.map(\.version) == [version])
                let dump = try database.schemaDump()
                #expect(dump == dumps[version - 1], "down of migration \(version) did not restore the schema")
            }
            let admin = try database.connect(.admin)
            #expect(try admin.query("SELECT to_regnamespace('app')", timeout: .seconds(5)).scalar == nil)
            #expect(try admin.query("SELECT count(*) FROM schema_migrations", timeout: .seconds(5)).scalar == "0")
            try database.migrating { try $0.up() }
            #expect(try database.schemaDump() == dumps[self.expectedCount])
        }
    }

    @Test func downAllThenUpAgainGivesTheSameSchema() throws {
        try Self.withDatabase { database in
            try database.migrating { try $0.up() }
            let first = try database.schemaDump()
            let reverted = try database.migrating { try $0.down(steps: .max) }
            #expect(reverted.map(\.version) == Array((1...self.expectedCount).reversed()))
            try database.migrating { try $0.up() }
            #expect(try database.schemaDump() == first)
        }
    }

    @Test func editedAppliedFileIsRefusedAndNothingChanges() throws {
        try Self.withDatabase { database in
            let directory = try Self.copyOfMigrations()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try database.migrating(directory: directory) { try $0.up(to: 3) }
            let path = directory + "/0002_app_schema.up.sql"
            try (String(contentsOfFile: path, encoding: .utf8) + "-- edited\n").write(
                toFile: path,
                atomically: true,
                encoding: .utf8
            )
            let error = #expect(throws: MigrationError.self) {
                try database.migrating(directory: directory) { try $0.up() }
            }
            guard case .checksumMismatch(let file, _, _) = error else {
                Issue.record("expected a checksum mismatch, got \(String(describing: error))")
                return
            }
            #expect(file == "0002_app_schema.up.sql")
            #expect(error?.description.contains("0002_app_schema.up.sql") == true)
            #expect(throws: MigrationError.self) {
                try database.migrating(directory: directory) { try $0.down(steps: 1) }
            }
            let status = try database.runner(directory: directory).status()
            #expect(status.map(\.state).prefix(3) == [.applied, .changed, .applied])
            let admin = try database.connect(.admin)
            #expect(try admin.query("SELECT count(*) FROM schema_migrations", timeout: .seconds(5)).scalar == "3")
            #expect(try admin.query("SELECT to_regclass('app.customers')", timeout: .seconds(5)).scalar == nil)
            #expect(try admin.query("SELECT to_regclass('app.stores')", timeout: .seconds(5)).scalar == "app.stores")
        }
    }

    @Test func missingAppliedFileIsRefused() throws {
        try Self.withDatabase { database in
            let directory = try Self.copyOfMigrations()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try database.migrating(directory: directory) { try $0.up() }
            for suffix in ["up", "down"] {
                try FileManager.default.removeItem(atPath: "\(directory)/0008_chart_list_indexes.\(suffix).sql")
            }
            #expect(throws: MigrationError.appliedFileMissing(version: 8, name: "chart_list_indexes")) {
                try database.migrating(directory: directory) { try $0.down(steps: 1) }
            }
            let status = try database.runner(directory: directory).status()
            #expect(status.last?.state == .missing)
        }
    }

    @Test func concurrentUpRunsAreSerialisedByTheAdvisoryLock() throws {
        try Self.withDatabase { database in
            // Hold the migrator's lock ourselves, so both runs must wait for it.
            let holder = try database.connect(.admin)
            try holder.query(
                "SELECT pg_advisory_lock($1::bigint)",
                [String(MigrationRunner.lockKey)],
                timeout: .seconds(5)
            )
            let results = try TestCluster.withMigrationLock {
                let waits = LockedCounter()
                let runners = try (0..<2).map { _ in
                    try database.runner { if $0 == .waitingForLock { waits.increment() } }
                }
                let threads = runners.map { runner in ResultThread { try runner.up() } }
                let waiting = try Self.poll {
                    try holder.query(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = "
                            + "(SELECT oid FROM pg_database WHERE datname = current_database())",
                        timeout: .seconds(5)
                    ).scalar == "2"
                }
                #expect(waiting, "both runs should be waiting for the advisory lock")
                #expect(waits.value == 2)
                try holder.query(
                    "SELECT pg_advisory_unlock($1::bigint)",
                    [String(MigrationRunner.lockKey)],
                    timeout: .seconds(5)
                )
                return try threads.map { try $0.join() }
            }
            #expect(results.map(\.count).sorted() == [0, self.expectedCount])
            let count = try holder.query("SELECT count(*) FROM schema_migrations", timeout: .seconds(5)).scalar
            #expect(count == String(self.expectedCount))
        }
    }

    @Test func failingStepRollsBackCompletelyAndNamesTheFileAndSQLState() throws {
        try Self.withDatabase { database in
            let directory = try Self.copyOfMigrations()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try """
            SET ROLE app_owner;
            CREATE TABLE app.half_done (id integer);
            INSERT INTO app.half_done VALUES (1);
            SELECT 1 / 0;
            RESET ROLE;
            """.write(toFile: directory + "/\(self.nextVersion)_broken.up.sql", atomically: true, encoding: .utf8)
            try "DROP TABLE app.half_done;\n".write(
                toFile: directory + "/\(self.nextVersion)_broken.down.sql",
                atomically: true,
                encoding: .utf8
            )
            let error = #expect(throws: MigrationError.self) {
                try database.migrating(directory: directory) { try $0.up() }
            }
            guard case .stepFailed(let file, let cause) = error else {
                Issue.record("expected a failed step, got \(String(describing: error))")
                return
            }
            #expect(file == "\(self.nextVersion)_broken.up.sql")
            #expect(cause.sqlState == "22012")
            #expect(error?.description.contains("\(self.nextVersion)_broken.up.sql") == true)
            #expect(error?.description.contains("SQLSTATE 22012") == true)
            let admin = try database.connect(.admin)
            #expect(try admin.query("SELECT to_regclass('app.half_done')", timeout: .seconds(5)).scalar == nil)
            let newest = try admin.query("SELECT max(version) FROM schema_migrations", timeout: .seconds(5)).scalar
            #expect(newest == String(self.expectedCount))
        }
    }

    @Test func createWritesTheNextNumberedPairThatApplies() throws {
        try Self.withDatabase { database in
            let directory = try Self.copyOfMigrations()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let paths = try MigrationDirectory(path: directory).create(name: "add_refunds")
            #expect(paths.up.hasSuffix("/\(self.nextVersion)_add_refunds.up.sql"))
            #expect(FileManager.default.fileExists(atPath: paths.down))
            #expect(throws: MigrationError.invalidName("Add-Refunds")) {
                try MigrationDirectory(path: directory).create(name: "Add-Refunds")
            }
            let applied = try database.migrating(directory: directory) { try $0.up() }
            #expect(applied.last?.id == "\(self.nextVersion)_add_refunds")
            let reverted = try database.migrating(directory: directory) { try $0.down(steps: 1) }
            #expect(reverted.map(\.id) == ["\(self.nextVersion)_add_refunds"])
        }
    }

    // MARK: - Helpers

    /// Runs `body` with a new empty database, dropped afterwards.
    private static func withDatabase(_ body: (TestDatabase) throws -> Void) throws {
        let database = try TestDatabase.create()
        defer { database.drop() }
        try body(database)
    }

    /// A temporary copy of `sql/`, file by file: the tests edit and delete files in it, so it
    /// must never be (or link to) the repository's directory.
    private static func copyOfMigrations() throws -> String {
        let files = FileManager.default
        let directory = files.temporaryDirectory.appendingPathComponent("saas-sql-\(Foundation.UUID())").path
        try files.createDirectory(atPath: directory, withIntermediateDirectories: false)
        for name in try files.contentsOfDirectory(atPath: TestCluster.sqlDirectory) where name.hasSuffix(".sql") {
            let contents = try Data(contentsOf: URL(fileURLWithPath: TestCluster.sqlDirectory + "/" + name))
            try contents.write(to: URL(fileURLWithPath: directory + "/" + name))
        }
        return directory
    }

    /// Polls `condition` for up to 10 s.
    private static func poll(_ condition: () throws -> Bool) throws -> Bool {
        for _ in 0..<200 {
            if try condition() { return true }
            usleep(50_000)
        }
        return false
    }
}
