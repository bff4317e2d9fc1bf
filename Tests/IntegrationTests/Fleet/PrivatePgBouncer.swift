import Foundation

/// A PgBouncer (transaction pooling) owned by one test, in front of the shared test
/// PostgreSQL: `scripts/services start pgbouncer` (the config the tenant suites run through)
/// in a private folder and on a free port. It accepts the roles of `DATABASE_URL` and
/// `MIGRATION_DATABASE_URL` with their passwords.
final class PrivatePgBouncer {
    private let service: PrivateService

    init() throws {
        var environment = [
            "PGPORT": String(TestEnvironment.port(of: TestEnvironment.value("DATABASE_URL"), default: 5432))
        ]
        for name in ["DATABASE_URL", "MIGRATION_DATABASE_URL"] {
            environment[name] = TestEnvironment.value(name)
        }
        self.service = try PrivateService("pgbouncer", portVariable: "PGBOUNCER_PORT", environment: environment)
    }

    /// `url` (a `postgres://` URL of the test PostgreSQL) pointed at this PgBouncer instead.
    func url(replacingPortOf url: String) -> String {
        var components = URLComponents(string: url)!
        components.host = "127.0.0.1"
        components.port = self.service.port
        return components.string!
    }
}
