import Database
import Shared
import TestSupport
import Testing

/// When the tenant suites run through PgBouncer (`TEST_PGBOUNCER_ADDRESS`, see `scripts/test`),
/// this proves the service role really goes through a PgBouncer in transaction pooling, so a
/// passing suite means "works behind PgBouncer", not "connected directly by mistake".
@Suite(
    "Tenant suite runs through PgBouncer",
    .enabled(if: TestCluster.pgbouncerAddress != nil, "TEST_PGBOUNCER_ADDRESS is not set: direct connections")
)
struct TenantPgBouncerTests {
    @Test func theServiceRoleConnectsThroughTransactionPooling() throws {
        let address = try #require(TestCluster.pgbouncerAddress)
        var url = try TestCluster.adminURL().with(
            user: "app_rw",
            password: TestCluster.rwPassword,
            database: "pgbouncer"
        )
        url.hostAndPort = address
        // PgBouncer's admin console speaks only the simple protocol (`execute`).
        let console = try PostgresConnection.connect(url: url.description, timeout: .seconds(10))
        let config = try console.execute("SHOW CONFIG", timeout: .seconds(10))
        let mode = config.rows.first { $0.first == "pool_mode" }?[1]
        #expect(mode == "transaction")
        let version = try console.execute("SHOW VERSION", timeout: .seconds(10)).scalar
        #expect(version?.hasPrefix("PgBouncer") == true, "\(version ?? "no version")")
    }
}
