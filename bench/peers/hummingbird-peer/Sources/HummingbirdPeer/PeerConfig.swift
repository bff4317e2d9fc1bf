import Foundation
import PostgresNIO

/// The peer's settings, from the same environment variables saas-api reads (bench/run passes
/// them from `.env`), so both servers talk to the same database as the same role.
struct PeerConfig: Sendable {
    /// Loopback address and port the HTTP server binds.
    let host: String
    let port: Int
    /// Event-loop threads: HTTP connections and PostgreSQL connections share them (saas-api runs
    /// 2 worker processes; the peer runs one process with 2 threads).
    let threads: Int
    /// Connections of the `PostgresClient` pool, all opened at start (saas-api: `PG_POOL_SIZE` per
    /// worker, so bench/run passes 2 × `PG_POOL_SIZE`).
    let connections: Int
    /// `statement_timeout` set in every transaction, in milliseconds (saas-api's `DB_QUERY_TIMEOUT_MS`).
    let statementTimeoutMilliseconds: Int
    /// How long a store's timezone and currency stay cached (saas-api: 30 s per worker).
    let tenantTTL: Duration
    /// `DATABASE_URL`, taken apart for postgres-nio.
    let database: PostgresClient.Configuration

    /// Why the peer cannot start.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads the environment; fails with a message naming the variable.
    static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws
        -> PeerConfig
    {
        func integer(_ name: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            guard let text = environment[name], !text.isEmpty else { return fallback }
            guard let value = Int(text), range.contains(value) else {
                throw Invalid(description: "\(name) must be an integer in \(range), got '\(text)'")
            }
            return value
        }
        guard let url = environment["DATABASE_URL"], !url.isEmpty else {
            throw Invalid(description: "DATABASE_URL is not set")
        }
        var database = try Self.database(url: url)
        let connections = try integer("PEER_PG_CONNECTIONS", 8, 1...200)
        database.options.minimumConnections = connections
        database.options.maximumConnections = connections
        return PeerConfig(
            host: environment["HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1",
            port: try integer("PORT", 8080, 1...65535),
            threads: try integer("PEER_THREADS", 2, 1...64),
            connections: connections,
            statementTimeoutMilliseconds: try integer("DB_QUERY_TIMEOUT_MS", 5000, 1...3_600_000),
            tenantTTL: .seconds(try integer("PEER_TENANT_TTL_S", 30, 0...86_400)),
            database: database
        )
    }

    /// `postgres://user:password@host:port/database` as a plain-TCP postgres-nio configuration.
    private static func database(url: String) throws -> PostgresClient.Configuration {
        guard let parts = URLComponents(string: url), let user = parts.user, let host = parts.host else {
            throw Invalid(description: "DATABASE_URL is not a postgres://user:password@host:port/database URL")
        }
        let name = parts.path.hasPrefix("/") ? String(parts.path.dropFirst()) : parts.path
        return PostgresClient.Configuration(
            host: host,
            port: parts.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: parts.password.map { $0.removingPercentEncoding ?? $0 },
            database: name.isEmpty ? nil : name,
            tls: .disable
        )
    }
}
