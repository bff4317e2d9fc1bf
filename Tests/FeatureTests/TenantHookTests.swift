import Logging
import Shared
import Synchronization
import Testing

@testable import TestSupport
@testable import Worker

/// The `/v1` group's tenant hook against a real PostgreSQL, in process and through the real
/// parser on a socket.
@Suite("Tenant hook", .migratedDatabase)
struct TenantHookTests {
    @Test("no X-Store-Id is 401, one that is not a UUID 400, an unknown store 404", arguments: TestServer.Mode.allCases)
    func refusesMissingMalformedAndUnknownStores(mode: TestServer.Mode) async throws {
        let server = try FeatureFixture.server(mode)
        let client = FeatureFixture.client(server)
        let anonymous = try await client.get("/v1/charts")
        #expect(anonymous.status == 401)
        #expect(anonymous.errorCode == "UNAUTHORIZED")
        #expect(anonymous.errorMessage == "The X-Store-Id header is required (development and test only)")
        let malformed = try await client.get("/v1/charts", headers: [("X-Store-Id", "store-1")])
        #expect(malformed.status == 400)
        #expect(malformed.errorCode == "BAD_REQUEST")
        #expect(malformed.errorMessage == "The X-Store-Id header must be a UUID")
        let unknown = try await FeatureFixture.client(server, store: UUID()).get("/v1/charts")
        #expect(unknown.status == 404)
        #expect(unknown.errorCode == "NOT_FOUND")
        #expect(unknown.errorMessage == "Store not found")
        // The hook runs before the handler: a bad chart id behind an unknown store is still 404.
        let unknownChart = try await FeatureFixture.client(server, store: UUID()).get("/v1/charts/nope")
        #expect(unknownChart.status == 404)
    }

    @Test("a known store reaches the handler with its tenant", arguments: TestServer.Mode.allCases)
    func resolvesAKnownStore(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        let server = try FeatureFixture.server(mode)
        let response = try await FeatureFixture.client(server, store: store).get("/v1/charts")
        #expect(response.status == 200)
        #expect(try response.page.data.isEmpty)
    }

    @Test(
        "a store is cached: deleted meanwhile, it still resolves (and shows no rows) until its TTL",
        arguments: TestServer.Mode.allCases
    )
    func cachesAStoreForItsTTL(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        try FeatureFixture.chart(store: store)
        let server = try FeatureFixture.server(mode)
        let client = FeatureFixture.client(server, store: store)
        #expect(try await client.get("/v1/charts").page.data.count == 1)
        try FeatureFixture.execute("DELETE FROM app.stores WHERE id = $1", [store.description])
        let stale = try await client.get("/v1/charts")
        #expect(stale.status == 200)
        #expect(try stale.page.data.isEmpty)
        // A new router (a new worker) has its own cache and finds no store.
        let fresh = try FeatureFixture.server(mode)
        #expect(try await FeatureFixture.client(fresh, store: store).get("/v1/charts").status == 404)
    }

    @Test(
        "staging and production answer 401 on every /v1 route, whatever the header",
        arguments: TestServer.Mode.allCases
    )
    func refusesEveryRouteWithoutAuthenticator(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        let chart = try FeatureFixture.chart(store: store)
        for environment in [Config.AppEnv.staging, .production] {
            let server = try FeatureFixture.server(mode, environment: environment)
            let client = FeatureFixture.client(server, store: store)
            let responses = [
                try await client.get("/v1/charts"),
                try await client.get("/v1/charts/\(chart)"),
                try await client.post("/v1/charts", jsonText: #"{"title":"t","spec":{},"query_sql":"SELECT 1"}"#),
                try await client.send("PATCH", "/v1/charts/\(chart)", body: Array(#"{"title":"x"}"#.utf8)),
                try await client.delete("/v1/charts/\(chart)"),
            ]
            for response in responses {
                #expect(response.status == 401, "\(environment)")
                #expect(response.errorCode == "UNAUTHORIZED")
                #expect(response.errorMessage == "Authentication is required")
            }
            #expect(try await FeatureFixture.client(server).get("/health/live").status == 200)
        }
        #expect(
            try FeatureFixture.execute("SELECT count(*) FROM app.saved_charts WHERE id = $1", [chart.description])
                .scalar == "1"
        )
    }

    @Test("the worker warns once at start when /v1 has no authenticator")
    func announcesTheRefusalOnceOutsideDevelopment() {
        for environment in Config.AppEnv.allCases {
            let lines = LogLines()
            var config = Config(cpuCount: 1)
            config.appEnv = environment
            TenantHook.announce(config: config, logger: Logger(label: "test") { _ in lines })
            let expected = environment == .staging || environment == .production ? 1 : 0
            #expect(lines.messages.count == expected, "\(environment)")
            #expect(
                lines.messages.allSatisfy { $0.level == .warning && $0.text.contains("every /v1 route answers 401") }
            )
        }
    }
}

/// A log handler keeping what it is given.
private struct LogLines: LogHandler {
    private let storage = Storage()
    var messages: [(level: Logger.Level, text: String)] { self.storage.lines.withLock { $0 } }
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        self.storage.lines.withLock { $0.append((event.level, event.message.description)) }
    }

    private final class Storage: Sendable {
        let lines = Mutex<[(level: Logger.Level, text: String)]>([])
    }
}
