import Foundation
import Testing

/// `/health`, `/health/live` and the error envelope, against the real binary with real
/// PostgreSQL and Redis.
@Suite("Health contract", .timeLimit(.minutes(2)))
struct HealthContractTests {
    @Test("GET /health returns exactly the contract with both dependencies connected")
    func healthReturnsExactContract() throws {
        let server = try ServerProcess(workers: 2)
        try server.waitUntilServing()
        let response = try HTTPClient.get(port: server.port, "/health")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        let json = try response.json()
        #expect(Set(json.keys) == ["status", "version", "uptime", "db", "redis"])
        #expect(json["status"] as? String == "ok")
        #expect(json["version"] as? String == "1.0.0")
        #expect(json["db"] as? String == "connected")
        #expect(json["redis"] as? String == "connected")
        let uptime = try #require(json["uptime"] as? Int)
        #expect(uptime >= 0 && uptime < 60)
        // The body is the exact key order of the contract.
        #expect(response.text.hasPrefix(#"{"status":"ok","version":"1.0.0","uptime":"#))
        #expect(response.text.hasSuffix(#","db":"connected","redis":"connected"}"#))
    }

    @Test("uptime counts whole seconds since the service started")
    func uptimeGrows() throws {
        let server = try ServerProcess(workers: 1)
        try server.waitUntilServing()
        let first = try #require(try HTTPClient.get(port: server.port, "/health").json()["uptime"] as? Int)
        Thread.sleep(forTimeInterval: 2.1)
        let second = try #require(try HTTPClient.get(port: server.port, "/health").json()["uptime"] as? Int)
        #expect(second >= first + 2)
    }

    @Test("GET /health/live answers without touching any dependency")
    func livenessTouchesNoDependency() throws {
        // Point both dependencies at ports where nothing listens: liveness must still be 200.
        let server = try ServerProcess(workers: 1, environment: TestEnvironment.unreachableDependencies())
        try server.waitUntilServing()
        let live = try HTTPClient.get(port: server.port, "/health/live")
        #expect(live.status == 200)
        #expect(live.text == #"{"status":"ok"}"#)
        let health = try HTTPClient.get(port: server.port, "/health")
        #expect(health.status == 503)
        let json = try health.json()
        #expect(json["status"] as? String == "degraded")
        #expect(json["db"] as? String == "disconnected")
        #expect(json["redis"] as? String == "disconnected")
    }

    @Test("unknown routes and wrong methods answer with the JSON envelope")
    func errorsUseTheEnvelope() throws {
        let server = try ServerProcess(workers: 1)
        try server.waitUntilServing()

        let missing = try HTTPClient.get(port: server.port, "/nope?x=1")
        #expect(missing.status == 404)
        #expect(missing.header("Content-Type") == "application/json")
        #expect(
            missing.text == #"{"success":false,"error":{"code":"NOT_FOUND","message":"Route GET /nope not found"}}"#
        )

        let wrongMethod = try HTTPClient.request(port: server.port, method: "DELETE", "/health")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "GET, HEAD")
        let error = try #require(try wrongMethod.json()["error"] as? [String: Any])
        #expect(error["code"] as? String == "METHOD_NOT_ALLOWED")
        #expect(try wrongMethod.json()["success"] as? Bool == false)
    }

    @Test("a sane X-Request-Id is echoed and logged; a missing or hostile one is replaced")
    func requestIDIsEchoedAndLogged() throws {
        let server = try ServerProcess(workers: 1)
        try server.waitUntilServing()
        let sent = "test-\(UUID().uuidString)"
        let echoed = try HTTPClient.get(port: server.port, "/health/live", headers: ["X-Request-Id": sent])
        #expect(echoed.header("X-Request-Id") == sent)

        let generated = try #require(try HTTPClient.get(port: server.port, "/health/live").header("X-Request-Id"))
        #expect(!generated.isEmpty && generated != sent)
        let hostile = try HTTPClient.get(port: server.port, "/health/live", headers: ["X-Request-Id": "a\"b<script>"])
        #expect(hostile.header("X-Request-Id") != "a\"b<script>")

        try server.waitForLog(sent)
        let record = try #require(server.logRecords.first { $0["request_id"] as? String == sent })
        #expect(record["http_method"] as? String == "GET")
        #expect(record["http_path"] as? String == "/health/live")
        #expect(record["http_status"] as? Int == 200)
        #expect(record["duration_ms"] is Double || record["duration_ms"] is Int)
        #expect(record["worker"] is Int)
        #expect(record["pid"] is Int)
        #expect(record["level"] as? String == "info")
        let time = try #require(record["time"] as? String)
        #expect(time.count == 24 && time.hasSuffix("Z"))  // 2026-11-27T08:07:49.123Z
    }

    @Test("passwords never reach the log")
    func passwordsAreMaskedInLogs() throws {
        let server = try ServerProcess(workers: 1)
        try server.waitUntilServing()
        let url = try #require(TestEnvironment.value("DATABASE_URL"))
        let password = try #require(URLComponents(string: url)?.password)
        #expect(server.log.contains("app_rw:***@"))
        #expect(!server.log.contains(password))
    }
}
