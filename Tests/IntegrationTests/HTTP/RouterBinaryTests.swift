import TestSupport
import Testing

/// The feature kit's routing and envelopes through the real binary: the `TestClient` that unit
/// tests use in process, pointed at a real worker over a socket.
@Suite("Router through the real binary", .timeLimit(.minutes(2)))
struct RouterBinaryTests {
    @Test("static fast path, query, 404, 405 with Allow and HEAD, each as the JSON envelope")
    func routingThroughTheBinary() async throws {
        let server = try ServerProcess(workers: 1)
        try server.waitUntilServing()
        let client = TestClient(SocketTransport(port: server.port))

        let live = try await client.get("/health/live?probe=1&probe=2")
        #expect(live.status == 200)
        #expect(live.text == #"{"status":"ok"}"#)

        let missing = try await client.get("/v2/charts/6f9619ff-8b86-4011-b42d-00c04fc964ff")
        #expect(missing.status == 404)
        #expect(missing.errorCode == "NOT_FOUND")
        #expect(missing.errorMessage == "Route GET /v2/charts/6f9619ff-8b86-4011-b42d-00c04fc964ff not found")

        let wrongMethod = try await client.post("/health/live", jsonText: "{}")
        #expect(wrongMethod.status == 405)
        #expect(wrongMethod.header("Allow") == "GET, HEAD")
        #expect(wrongMethod.errorCode == "METHOD_NOT_ALLOWED")

        let head = try await client.head("/health/live")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)

        let encoded = try await client.get("/health%2Flive")
        #expect(encoded.status == 404)
    }
}
