import Database
import Shared
import Testing

@testable import TestSupport
@testable import Worker

/// What a feature test stands on: a server (in process or live) with the production routes,
/// connected as `app_rw` to the suite's migrated database (`.migratedDatabase`), and stores and
/// charts inserted as the superuser (row security does not apply to it).
enum FeatureFixture {
    /// The production routes against the suite's database, in `mode`, with `APP_ENV`
    /// `environment`.
    static func server(_ mode: TestServer.Mode, environment: Config.AppEnv = .test) throws -> TestServer {
        let database = try #require(TestDatabase.current)
        var config = TestServer.defaultConfig
        config.databaseURL = database.url(.rw)
        config.appEnv = environment
        config.postgresPoolSize = 2
        return try TestServer(mode, config: config)
    }

    /// `server`'s client acting for `store` (`X-Store-Id`). The client keeps the server alive:
    /// a test holding only the client must not see it shut down after its last mention.
    static func client(_ server: TestServer, store: UUID? = nil) -> TestClient {
        TestClient(
            ServingTransport(server: server),
            defaultHeaders: store.map { [("X-Store-Id", $0.description)] } ?? []
        )
    }

    /// The server's own transport, holding the server.
    private struct ServingTransport: TestTransport {
        let server: TestServer

        func send(_ request: TestRequest) async throws -> TestResponse {
            try await self.server.client.transport.send(request)
        }
    }

    /// A new store.
    @discardableResult
    static func store(timezone: String = "Europe/Paris", currency: String = "EUR") throws -> UUID {
        let id = UUID()
        try self.admin().query(
            """
            INSERT INTO app.stores (id, platform, platform_store_id, name, currency_code, timezone)
            VALUES ($1::uuid, 'shopify', $1, 'Feature test shop', $2, $3)
            """,
            [id.description, currency, timezone],
            timeout: .seconds(10)
        )
        return id
    }

    /// A conversation of `store` with one message: `(conversation, message)`.
    static func conversation(store: UUID) throws -> (UUID, UUID) {
        let admin = try self.admin()
        let conversation = try #require(
            try admin.query(
                "INSERT INTO app.conversations (store_id, title) VALUES ($1, 'Chat') RETURNING id",
                [store.description],
                timeout: .seconds(10)
            ).scalar.flatMap { UUID($0) }
        )
        let message = try #require(
            try admin.query(
                """
                INSERT INTO app.conversation_messages (store_id, conversation_id, seq, role, content)
                VALUES ($1, $2, 1, 'user', '{"text":"hi"}') RETURNING id
                """,
                [store.description, conversation.description],
                timeout: .seconds(10)
            ).scalar.flatMap { UUID($0) }
        )
        return (conversation, message)
    }

    /// Inserts a chart of `store` with the given sort keys; returns its id.
    @discardableResult
    static func chart(
        store: UUID,
        title: String = "Chart",
        createdAt: String = "2026-01-01T00:00:00Z",
        pinned: Bool = false,
        position: Int? = nil
    ) throws -> UUID {
        try #require(
            try self.admin().query(
                """
                INSERT INTO app.saved_charts (store_id, title, spec, query_sql, pinned, position, created_at)
                VALUES ($1, $2, '{"mark":"bar"}', 'SELECT 1', $3, $4::int, $5::timestamptz) RETURNING id
                """,
                [store.description, title, pinned ? "t" : "f", position.map(String.init), createdAt],
                timeout: .seconds(10)
            ).scalar.flatMap { UUID($0) }
        )
    }

    /// Runs `sql` as the superuser.
    @discardableResult
    static func execute(_ sql: String, _ parameters: [String?] = []) throws -> PostgresRows {
        try self.admin().query(sql, parameters, timeout: .seconds(10))
    }

    private static func admin() throws -> PostgresConnection {
        try #require(TestDatabase.current).connect(.admin)
    }
}
