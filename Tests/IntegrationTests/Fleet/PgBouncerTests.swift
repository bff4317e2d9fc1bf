import Foundation
import Testing

/// The service behind PgBouncer in transaction mode, and `migrate` refusing it.
@Suite("Behind PgBouncer", .timeLimit(.minutes(2)))
struct PgBouncerTests {
    static func bouncer() throws -> (PrivatePgBouncer, service: String, migration: String) {
        let service = try #require(TestEnvironment.value("DATABASE_URL"), "DATABASE_URL is not set (.env)")
        let migration = try #require(
            TestEnvironment.value("MIGRATION_DATABASE_URL"),
            "MIGRATION_DATABASE_URL is not set (.env)"
        )
        let bouncer = try PrivatePgBouncer()
        return (bouncer, bouncer.url(replacingPortOf: service), bouncer.url(replacingPortOf: migration))
    }

    @Test("health passes through PgBouncer and the connection budget line names the pooler")
    func serviceThroughPgBouncer() throws {
        let (bouncer, service, _) = try Self.bouncer()
        defer { withExtendedLifetime(bouncer) {} }
        let server = try ServerProcess(workers: 2, environment: ["DATABASE_URL": service, "PG_POOL_SIZE": "3"])
        try server.waitUntilServing()
        try waitFor("/health through PgBouncer") {
            try HTTPClient.get(port: server.port, "/health").status == 200
        }
        for _ in 0..<20 {
            let health = try HTTPClient.get(port: server.port, "/health")
            #expect(health.status == 200)
            #expect(try health.json()["db"] as? String == "connected")
        }
        try server.waitForLog("connection budget: PG_POOL_SIZE 3 × 2 workers = 6 connections from this host")
        #expect(server.log.contains("through a pooler (PgBouncer)"))
    }

    @Test("a direct connection gets the budget line without the pooler note")
    func budgetDirect() throws {
        let server = try ServerProcess(workers: 2, environment: ["PG_POOL_SIZE": "3"])
        try server.waitUntilServing()
        try server.waitForLog("connection budget: PG_POOL_SIZE 3 × 2 workers = 6 connections from this host")
        #expect(server.log.contains("max_connections"))
        #expect(!server.log.contains("through a pooler"))
        let lines = server.log.split(separator: "\n").filter { $0.contains("connection budget") }
        #expect(lines.count == 1, "one worker logs it: \(lines)")
    }

    @Test("migrate pointed at PgBouncer refuses, says why, and changes nothing; direct works")
    func migrateRefusesPgBouncer() throws {
        let (bouncer, _, migration) = try Self.bouncer()
        defer { withExtendedLifetime(bouncer) {} }
        let migrate = URL(fileURLWithPath: TestEnvironment.binary).deletingLastPathComponent()
            .appendingPathComponent("saas-api-migrate").path
        let directory = TestEnvironment.packageRoot.path
        let environment = TestEnvironment.serverEnvironment([:])
        for command in [["migrate", "status"], ["migrate", "up"]] {
            let (status, text) = try ChildProcess.run(
                migrate,
                command + ["--database-url", migration],
                environment: environment,
                directory: directory
            )
            #expect(status == 1, "\(command): \(text)")
            #expect(text.contains("is a connection pooler (PgBouncer?), not PostgreSQL itself"), "\(text)")
            #expect(text.contains("MIGRATION_DATABASE_URL"), "\(text)")
            #expect(!text.contains(URLComponents(string: migration)!.password!), "no password in: \(text)")
        }
        let direct = try #require(TestEnvironment.value("MIGRATION_DATABASE_URL"))
        let (status, text) = try ChildProcess.run(
            migrate,
            ["migrate", "status", "--database-url", direct],
            environment: environment,
            directory: directory
        )
        #expect(status == 0, "\(text)")
    }
}
