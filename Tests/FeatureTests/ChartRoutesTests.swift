import Shared
import Testing

@testable import TestSupport
@testable import Worker

/// Saved charts: read, create, update, delete, with their field rules, tenancy and optimistic
/// concurrency, against a real PostgreSQL, in process and through the real parser.
@Suite("Charts", .migratedDatabase)
struct ChartRoutesTests {
    static let body = #"{"title":"Revenue by day","spec":{"mark":"line"},"query_sql":"SELECT 1"}"#

    @Test("POST creates a chart: 201, Location, ETag, defaults, explicit nulls", arguments: TestServer.Mode.allCases)
    func createsAChart(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        let server = try FeatureFixture.server(mode)
        let client = FeatureFixture.client(server, store: store)
        let created = try await client.post("/v1/charts", jsonText: Self.body)
        #expect(created.status == 201)
        let chart = try created.chart
        #expect(created.header("Location") == "/v1/charts/\(chart.id)")
        #expect(created.header("ETag") == ChartVersion.etag(updatedAt: chart.updatedAt))
        #expect(chart.title == "Revenue by day" && chart.querySQL == "SELECT 1")
        #expect(try chart.specValue == .object("mark", "line"))
        #expect(chart.specFormat == "vega-lite" && !chart.pinned)
        #expect(try chart.queryParamsValue == .object([]))
        #expect(chart.description == .null && chart.position == .null && chart.createdBy == .null)
        #expect(chart.conversationId == .null && chart.messageId == .null)
        #expect(chart.createdAt == chart.updatedAt)
        let read = try await client.get("/v1/charts/\(chart.id)")
        #expect(read.status == 200)
        #expect(try read.chart == chart)
        #expect(read.header("ETag") == created.header("ETag"))
    }

    @Test(
        "POST stores every field, references to this store's conversation included",
        arguments: TestServer.Mode.allCases
    )
    func createsAChartWithEveryField(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        let (conversation, message) = try FeatureFixture.conversation(store: store)
        let client = FeatureFixture.client(try FeatureFixture.server(mode), store: store)
        let created = try await client.post(
            "/v1/charts",
            jsonText: """
                {"title":"Top \\"products\\" é","description":"d","spec":{"mark":"bar"},"spec_format":"vega-lite",
                 "query_sql":"SELECT 2","query_params":{"days":30},"pinned":true,"position":3,
                 "conversation_id":"\(conversation)","message_id":"\(message)","created_by":"ann"}
                """
        )
        #expect(created.status == 201)
        let chart = try created.chart
        #expect(chart.title == #"Top "products" é"# && chart.description == .value("d"))
        #expect(try chart.queryParamsValue == .object([JSONMember(key: "days", value: .number("30"))]))
        #expect(chart.pinned && chart.position == .value(3) && chart.createdBy == .value("ann"))
        #expect(chart.conversationId == .value(conversation) && chart.messageId == .value(message))
    }

    @Test("422 lists every failing field at once", arguments: TestServer.Mode.allCases)
    func listsEveryFailingField(mode: TestServer.Mode) async throws {
        let client = FeatureFixture.client(try FeatureFixture.server(mode), store: try FeatureFixture.store())
        let response = try await client.post(
            "/v1/charts",
            jsonText: #"""
                {"title":"","spec":[1],"spec_format":"svg","query_params":null,"pinned":"yes","position":-1,
                 "description":"\u0000","conversation_id":"nope","colour":"red"}
                """#
        )
        #expect(response.status == 422)
        #expect(response.errorCode == "VALIDATION_ERROR")
        let fields = Set(response.errorDetails.map(\.field))
        #expect(
            fields == [
                "title", "spec", "spec_format", "query_sql", "query_params", "pinned", "position", "description",
                "conversation_id", "colour",
            ]
        )
        #expect(response.errorDetails.contains(FieldError(field: "query_sql", message: "is required")))
        #expect(response.errorDetails.contains(FieldError(field: "spec", message: "must be an object")))
        #expect(response.errorDetails.contains(FieldError(field: "query_params", message: "must not be null")))
        #expect(response.errorDetails.contains(FieldError(field: "colour", message: "is not an allowed field")))
        let tooLong = try await client.post(
            "/v1/charts",
            jsonText: #"{"title":"\#(String(repeating: "é", count: 201))","spec":{},"query_sql":"x"}"#
        )
        #expect(tooLong.errorDetails == [FieldError(field: "title", message: "must be at most 200 characters")])
        let longest = try await client.post(
            "/v1/charts",
            jsonText: #"{"title":"\#(String(repeating: "é", count: 200))","spec":{},"query_sql":"x"}"#
        )
        #expect(longest.status == 201)
    }

    @Test(
        "a conversation or message that is not this store's is 422 on that field",
        arguments: TestServer.Mode.allCases
    )
    func refusesForeignReferences(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        let other = try FeatureFixture.store()
        let (conversation, message) = try FeatureFixture.conversation(store: other)
        let server = try FeatureFixture.server(mode)
        let client = FeatureFixture.client(server, store: store)
        let base = #"{"title":"t","spec":{},"query_sql":"SELECT 1""#
        let foreignConversation = try await client.post(
            "/v1/charts",
            jsonText: base + #","conversation_id":"\#(conversation)"}"#
        )
        #expect(foreignConversation.status == 422)
        #expect(foreignConversation.errorDetails == [FieldError(field: "conversation_id", message: "does not exist")])
        let missingMessage = try await client.post("/v1/charts", jsonText: base + #","message_id":"\#(UUID())"}"#)
        #expect(missingMessage.errorDetails == [FieldError(field: "message_id", message: "does not exist")])
        let chart = try FeatureFixture.chart(store: store)
        let patched = try await client.send(
            "PATCH",
            "/v1/charts/\(chart)",
            body: Array(#"{"message_id":"\#(message)"}"#.utf8)
        )
        #expect(patched.errorDetails == [FieldError(field: "message_id", message: "does not exist")])
    }

    @Test(
        "PATCH changes the given fields, null clears nullable ones, the ETag changes",
        arguments: TestServer.Mode.allCases
    )
    func patchesAndClears(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        let (conversation, _) = try FeatureFixture.conversation(store: store)
        let client = FeatureFixture.client(try FeatureFixture.server(mode), store: store)
        let created = try await client.post(
            "/v1/charts",
            jsonText:
                #"{"title":"a","description":"d","spec":{},"query_sql":"q","position":1,"created_by":"ann","conversation_id":"\#(conversation)"}"#
        )
        let chart = try created.chart
        let patched = try await client.send(
            "PATCH",
            "/v1/charts/\(chart.id)",
            body: Array(
                #"{"title":"b","description":null,"position":null,"created_by":null,"conversation_id":null,"pinned":true}"#
                    .utf8
            )
        )
        #expect(patched.status == 200)
        let after = try patched.chart
        #expect(after.title == "b" && after.pinned)
        #expect(after.description == .null && after.position == .null && after.createdBy == .null)
        #expect(after.conversationId == .null)
        #expect(after.querySQL == "q" && after.createdAt == chart.createdAt && after.updatedAt > chart.updatedAt)
        #expect(patched.header("ETag") == ChartVersion.etag(updatedAt: after.updatedAt))
        #expect(patched.header("ETag") != created.header("ETag"))
        #expect(try await client.get("/v1/charts/\(chart.id)").chart == after)
        // An empty patch changes nothing and answers the chart as it is.
        let empty = try await client.send("PATCH", "/v1/charts/\(chart.id)", body: Array("{}".utf8))
        #expect(empty.status == 200)
        #expect(try empty.chart == after)
    }

    @Test("PATCH refuses null on a field that is not nullable, and unknown fields", arguments: TestServer.Mode.allCases)
    func patchRefusesNullOnRequiredFields(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        let chart = try FeatureFixture.chart(store: store)
        let client = FeatureFixture.client(try FeatureFixture.server(mode), store: store)
        let response = try await client.send(
            "PATCH",
            "/v1/charts/\(chart)",
            body: Array(
                #"{"title":null,"spec":null,"spec_format":null,"query_sql":null,"query_params":null,"pinned":null,"id":"x"}"#
                    .utf8
            )
        )
        #expect(response.status == 422)
        #expect(
            Set(response.errorDetails.map(\.description)) == [
                "title: must not be null", "spec: must not be null", "spec_format: must not be null",
                "query_sql: must not be null", "query_params: must not be null", "pinned: must not be null",
                "id: is not an allowed field",
            ]
        )
    }

    @Test(
        "If-Match: a matching ETag or * lets PATCH and DELETE through, any other is 412",
        arguments: TestServer.Mode.allCases
    )
    func honoursIfMatch(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        let client = FeatureFixture.client(try FeatureFixture.server(mode), store: store)
        let created = try await client.post("/v1/charts", jsonText: Self.body)
        let id = try created.chart.id
        let etag = try #require(created.header("ETag"))
        let title = Array(#"{"title":"x"}"#.utf8)
        for stale in [
            #""0""#, "W/\(etag)", etag.uppercased() == etag ? #""zz""# : etag.uppercased(), #""junk", "nope""#,
        ] {
            let refused = try await client.send(
                "PATCH",
                "/v1/charts/\(id)",
                body: title,
                headers: [("If-Match", stale)]
            )
            #expect(refused.status == 412, "\(stale)")
            #expect(refused.errorCode == "PRECONDITION_FAILED")
        }
        let accepted = try await client.send(
            "PATCH",
            "/v1/charts/\(id)",
            body: title,
            headers: [("If-Match", #""other", \#(etag)"#)]
        )
        #expect(accepted.status == 200)
        let newTag = try #require(accepted.header("ETag"))
        #expect(newTag != etag)
        // The old version is gone: a second writer holding it loses.
        let lost = try await client.delete("/v1/charts/\(id)", headers: [("If-Match", etag)])
        #expect(lost.status == 412)
        let star = try await client.send("PATCH", "/v1/charts/\(id)", body: title, headers: [("If-Match", "*")])
        #expect(star.status == 200)
        let deleted = try await client.delete(
            "/v1/charts/\(id)",
            headers: [("If-Match", try #require(star.header("ETag")))]
        )
        #expect(deleted.status == 204)
        // A chart that is gone is 404 whatever If-Match says.
        let gone = try await client.send("PATCH", "/v1/charts/\(id)", body: title, headers: [("If-Match", "*")])
        #expect(gone.status == 404)
    }

    @Test("DELETE is 204 with no body, then the chart is 404", arguments: TestServer.Mode.allCases)
    func deletesAChart(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        let chart = try FeatureFixture.chart(store: store)
        let client = FeatureFixture.client(try FeatureFixture.server(mode), store: store)
        let deleted = try await client.delete("/v1/charts/\(chart)")
        #expect(deleted.status == 204)
        #expect(deleted.body.isEmpty)
        #expect(try await client.get("/v1/charts/\(chart)").status == 404)
        #expect(try await client.delete("/v1/charts/\(chart)").status == 404)
    }

    @Test(
        "another store's chart is 404 for every route, exactly like a missing one",
        arguments: TestServer.Mode.allCases
    )
    func hidesAnotherStoresChart(mode: TestServer.Mode) async throws {
        let owner = try FeatureFixture.store()
        let chart = try FeatureFixture.chart(store: owner, title: "secret")
        let client = FeatureFixture.client(try FeatureFixture.server(mode), store: try FeatureFixture.store())
        let missing = try await client.get("/v1/charts/\(UUID())")
        let responses = [
            try await client.get("/v1/charts/\(chart)"),
            try await client.send("PATCH", "/v1/charts/\(chart)", body: Array(#"{"title":"mine"}"#.utf8)),
            try await client.send("PATCH", "/v1/charts/\(chart)", body: Array("{}".utf8), headers: [("If-Match", "*")]),
            try await client.delete("/v1/charts/\(chart)", headers: [("If-Match", #""abc""#)]),
            try await client.delete("/v1/charts/\(chart)"),
        ]
        for response in responses {
            #expect(response.status == 404)
            #expect(response.body == missing.body)
        }
        #expect(try await client.get("/v1/charts").page.data.isEmpty)
        let title = try FeatureFixture.execute("SELECT title FROM app.saved_charts WHERE id = $1", [chart.description])
        #expect(title.scalar == "secret")
    }

    @Test(
        "a malformed chart id is 400 naming it; 415 without JSON; malformed JSON is 400",
        arguments: TestServer.Mode.allCases
    )
    func rejectsBadInput(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        let chart = try FeatureFixture.chart(store: store)
        let client = FeatureFixture.client(try FeatureFixture.server(mode), store: store)
        for response in [
            try await client.get("/v1/charts/42"),
            try await client.delete("/v1/charts/not-a-uuid"),
            try await client.send("PATCH", "/v1/charts/x", body: Array("{}".utf8)),
        ] {
            #expect(response.status == 400)
            #expect(response.errorMessage == "Path parameter 'chartId' must be a UUID")
        }
        let plain = [("Content-Type", "text/plain")]
        #expect(try await client.send("POST", "/v1/charts", body: Array(Self.body.utf8), headers: plain).status == 415)
        let patchPlain = try await client.send("PATCH", "/v1/charts/\(chart)", body: Array("{}".utf8), headers: plain)
        #expect(patchPlain.status == 415)
        #expect(patchPlain.errorCode == "UNSUPPORTED_MEDIA_TYPE")
        let malformed = try await client.post("/v1/charts", jsonText: #"{"title": "a",}"#)
        #expect(malformed.status == 400)
        #expect(malformed.errorMessage?.hasPrefix("Malformed JSON at line 1") == true)
        let empty = try await client.send("PATCH", "/v1/charts/\(chart)", body: [UInt8]())
        #expect(empty.status == 400)
        let notObject = try await client.send("PATCH", "/v1/charts/\(chart)", body: Array("[]".utf8))
        #expect(notObject.status == 422)
    }
}
