import Database
import Foundation
import Shared

/// The PostgreSQL cluster the database tests run against.
///
/// `TEST_DATABASE_ADMIN_URL` names a superuser (e.g.
/// `postgres://postgres:PW@127.0.0.1:5432/postgres`). Each suite creates its own database
/// `saas_test_<random>` from it and drops it afterwards, so suites run in parallel and never
/// touch the development database. Without the variable every database test fails: an
/// integration test never skips silently.
public enum TestCluster {
    /// Why the tests cannot run.
    public struct NotConfigured: Error, CustomStringConvertible {
        /// What to set, and how.
        public var description: String {
            let ci = ProcessInfo.processInfo.environment["CI"] == "true" ? " (CI=true: the CI job must set it)" : ""
            return "TEST_DATABASE_ADMIN_URL is not set\(ci): point it at a PostgreSQL 15/16 superuser, e.g. "
                + "postgres://postgres:PW@127.0.0.1:5432/postgres (scripts/services start; see docs/datamodel.md, Tests)"
        }
    }

    /// The superuser URL from the environment.
    public static func adminURL() throws -> TestURL {
        guard let text = ProcessInfo.processInfo.environment["TEST_DATABASE_ADMIN_URL"], !text.isEmpty else {
            throw NotConfigured()
        }
        return try TestURL(text)
    }

    /// `host:port` of a PgBouncer in transaction pooling in front of the cluster
    /// (`TEST_PGBOUNCER_ADDRESS`, set by `scripts/test` for its PgBouncer run): app_rw and
    /// app_ro then connect through it; the superuser always connects directly.
    public static let pgbouncerAddress: String? = {
        guard let value = ProcessInfo.processInfo.environment["TEST_PGBOUNCER_ADDRESS"], !value.isEmpty else {
            return nil
        }
        return value
    }()

    /// Passwords for app_rw / app_ro: from `TEST_APP_RW_PASSWORD` / `TEST_APP_RO_PASSWORD`, else
    /// generated once per test process. Roles are cluster-wide: on a shared cluster set the
    /// variables to the values in `.env`, or the development service loses its login.
    public static let rwPassword = Self.password(from: "TEST_APP_RW_PASSWORD")
    public static let roPassword = Self.password(from: "TEST_APP_RO_PASSWORD")

    private static func password(from variable: String) -> String {
        if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty { return value }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<24).map { _ in alphabet.randomElement()! })
    }

    /// A key for a cluster-wide lock, taken in the admin database (advisory locks are per
    /// database, so every suite must take it in the same one).
    private static let migrationLockKey = "7361617374657374"  // "saastest"

    /// Runs `body` while holding the cluster-wide test migration lock.
    ///
    /// The roles are cluster-wide and `0001_roles.down.sql` drops them when no database uses
    /// them any more. Without this lock, one suite's `down --all` could drop the roles while
    /// another suite sits between `0001_roles` and `0002_app_schema`. `body` must not suspend:
    /// waiters block their thread.
    public static func withMigrationLock<T>(_ body: () throws -> T) throws -> T {
        let admin = try PostgresConnection.connect(url: self.adminURL().description, timeout: .seconds(10))
        try admin.query("SELECT pg_advisory_lock($1::bigint)", [Self.migrationLockKey], timeout: .seconds(600))
        defer {
            _ = try? admin.query(
                "SELECT pg_advisory_unlock($1::bigint)",
                [Self.migrationLockKey],
                timeout: .seconds(10)
            )
        }
        let result = try body()
        try self.setAppPasswords(admin)
        return result
    }

    /// Gives app_rw and app_ro their test passwords (when the roles exist): a down to zero may
    /// have dropped and an up recreated them.
    private static func setAppPasswords(_ admin: PostgresConnection) throws {
        for (role, password) in [("app_rw", self.rwPassword), ("app_ro", self.roPassword)] {
            let statement = try admin.query(
                "SELECT format('ALTER ROLE %I PASSWORD %L', rolname, $2::text) FROM pg_roles WHERE rolname = $1",
                [role, password],
                timeout: .seconds(10)
            )
            if let sql = statement.scalar { try admin.execute(sql, timeout: .seconds(10)) }
        }
    }

    /// The repository's `sql/` directory.
    public static let sqlDirectory: String = {
        var url = URL(fileURLWithPath: #filePath)
        // Tests/TestSupport/Database/TestCluster.swift → the repository root.
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("sql").path
    }()
}
