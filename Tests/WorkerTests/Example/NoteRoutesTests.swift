import Shared
import Testing

@testable import TestSupport
@testable import Worker

/// The example route's test, run both ways: in process and through the real parser on a socket.
@Suite("Example route: notes")
struct NoteRoutesTests {
    static let store = "5b0c1f9e-3c1d-4c55-9d1e-0a4f6f1c2b3a"
    static let chart = "0e4b8c3a-8d2f-4a51-b6c7-1f2e3d4c5b6a"

    func client(_ mode: TestServer.Mode) throws -> (TestServer, TestClient) {
        let server = try TestServer(mode, routes: NoteRoutes.register)
        var client = server.client
        client.defaultHeaders = [("X-Store-Id", Self.store)]
        return (server, client)
    }

    @Test("creates a note from parameter, query, body and the hook's store", arguments: TestServer.Mode.allCases)
    func createsNote(mode: TestServer.Mode) async throws {
        let (server, client) = try self.client(mode)
        let response = try await client.post(
            "/v1/charts/\(Self.chart)/notes?limit=5",
            jsonText: #"{"text":"Grand \"cru\"","rating":4,"tags":["a","b"]}"#
        )
        #expect(response.status == 201)
        #expect(response.header("Content-Type") == "application/json")
        let note = try response.decode(NoteRoutes.NoteCreated.self)
        #expect(note.chartId.description == Self.chart)
        #expect(note.storeId.description == Self.store)
        #expect(note.text == #"Grand "cru""#)
        #expect(note.rating == 4 && note.limit == 5)
        _ = server
    }

    @Test("lists every failing field of the body at once", arguments: TestServer.Mode.allCases)
    func listsEveryFailingField(mode: TestServer.Mode) async throws {
        let (server, client) = try self.client(mode)
        let response = try await client.post(
            "/v1/charts/\(Self.chart)/notes",
            jsonText: #"{"text":"","rating":9,"tags":"x","colour":"red"}"#
        )
        #expect(response.status == 422)
        #expect(response.errorCode == "VALIDATION_ERROR")
        #expect(
            response.errorDetails.map(\.description) == [
                "tags: must be an array",
                "text: must not be empty",
                "rating: must be between 1 and 5",
                "colour: is not an allowed field",
            ]
        )
        _ = server
    }

    @Test("rejects a bad parameter, query, header, media type and JSON", arguments: TestServer.Mode.allCases)
    func rejectsBadInput(mode: TestServer.Mode) async throws {
        let (server, client) = try self.client(mode)
        let body = #"{"text":"ok","rating":1}"#
        let badChart = try await client.post("/v1/charts/nope/notes", jsonText: body)
        #expect(badChart.status == 400)
        #expect(badChart.errorMessage == "Path parameter 'chartId' must be a UUID")
        let badLimit = try await client.post("/v1/charts/\(Self.chart)/notes?limit=500", jsonText: body)
        #expect(badLimit.status == 422)
        #expect(badLimit.errorDetails == [FieldError(field: "limit", message: "must be between 1 and 100")])
        let notJSON = try await client.send(
            "POST",
            "/v1/charts/\(Self.chart)/notes",
            body: Array(body.utf8),
            headers: [("Content-Type", "text/plain")]
        )
        #expect(notJSON.status == 415)
        #expect(notJSON.errorCode == "UNSUPPORTED_MEDIA_TYPE")
        let anonymous = TestClient(client.transport)
        let refused = try await anonymous.post("/v1/charts/\(Self.chart)/notes", jsonText: body)
        #expect(refused.status == 400)
        #expect(refused.errorMessage == "The X-Store-Id header is required")
        let malformed = try await client.post("/v1/charts/\(Self.chart)/notes", jsonText: "{\n  \"text\": \"a\",,\n}")
        #expect(malformed.status == 400)
        #expect(malformed.errorMessage == "Malformed JSON at line 2, column 15: expected a string key")
        _ = server
    }
}
