import Foundation
import Testing

/// `/health` follows its dependencies: 503 `degraded` while one is down, 200 again by itself
/// when it returns, with no worker restart. Each test owns a private real server instance.
@Suite("Dependency outages", .timeLimit(.minutes(3)))
struct DependencyOutageTests {
    @Test("Redis stopped → 503 redis disconnected; Redis back → 200 without a worker restart")
    func redisOutageAndRecovery() throws {
        let redis = try PrivateRedis()
        let server = try ServerProcess(workers: 2, environment: ["REDIS_URL": redis.url, "HEALTH_TIMEOUT_MS": "500"])
        try server.waitUntilServing()
        let workers = try server.waitForWorkers(2)
        try waitFor("healthy") { try HTTPClient.get(port: server.port, "/health").status == 200 }

        redis.stop()
        let degraded = try HTTPClient.get(port: server.port, "/health")
        #expect(degraded.status == 503)
        let json = try degraded.json()
        #expect(json["status"] as? String == "degraded")
        #expect(json["redis"] as? String == "disconnected")
        #expect(json["db"] as? String == "connected")

        try redis.start()
        try waitFor("/health back to 200") { try HTTPClient.get(port: server.port, "/health").status == 200 }
        #expect(try HTTPClient.get(port: server.port, "/health").json()["redis"] as? String == "connected")
        #expect(server.workerPIDs() == workers)
    }

    @Test("PostgreSQL stopped → 503 db disconnected; PostgreSQL back → 200 without a worker restart")
    func postgresOutageAndRecovery() throws {
        let postgres = try PrivatePostgres()
        let server = try ServerProcess(
            workers: 2,
            environment: ["DATABASE_URL": postgres.url, "HEALTH_TIMEOUT_MS": "500"]
        )
        try server.waitUntilServing()
        let workers = try server.waitForWorkers(2)
        try waitFor("healthy") { try HTTPClient.get(port: server.port, "/health").status == 200 }

        try postgres.stop()
        let degraded = try HTTPClient.get(port: server.port, "/health")
        #expect(degraded.status == 503)
        let json = try degraded.json()
        #expect(json["status"] as? String == "degraded")
        #expect(json["db"] as? String == "disconnected")
        #expect(json["redis"] as? String == "connected")

        try postgres.start()
        try waitFor("/health back to 200", timeout: 20) {
            try HTTPClient.get(port: server.port, "/health").status == 200
        }
        #expect(try HTTPClient.get(port: server.port, "/health").json()["db"] as? String == "connected")
        #expect(server.workerPIDs() == workers)
    }
}
