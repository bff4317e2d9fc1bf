import Database
import Logging
import NIOCore
import Shared

/// The start-up check of this host's PostgreSQL connections against the server's limit:
/// `PG_POOL_SIZE` × `WORKERS` beside `max_connections` minus the reserved slots, logged once
/// by one worker, with a warning when this host alone would exceed it.
///
/// Behind a pooler (PgBouncer) the host's connections count against the pooler's
/// `max_client_conn` instead, and only the pooler's own pool reaches the server; the line says
/// so. `docs/deploy.md` has the formula for N hosts.
struct ConnectionBudget: Sendable {
    /// What the server reported.
    struct Server: Equatable, Sendable {
        var maxConnections: Int
        /// `superuser_reserved_connections` + `reserved_connections` (PostgreSQL 16).
        var reserved: Int
        var throughPooler: Bool
    }

    /// Connections this host opens at most.
    let hostConnections: Int
    let poolSize: Int
    let workers: Int
    private let logger: Logger
    /// Between attempts while PostgreSQL cannot be reached (each costs a connection attempt).
    static let retryInterval = TimeAmount.seconds(15)

    init(config: Config, logger: Logger) {
        self.poolSize = config.postgresPoolSize
        self.workers = config.workers
        self.hostConnections = config.postgresPoolSize * config.workers
        self.logger = logger
    }

    /// Queries the server (retrying while it is down) and logs the budget once. Its first
    /// attempt opens the pool's first connection, so it doubles as the pool's warm-up.
    func report(postgres: PostgresPool, on eventLoop: any EventLoop) {
        let query = """
            SELECT current_setting('max_connections'),
                   current_setting('superuser_reserved_connections'),
                   coalesce(current_setting('reserved_connections', true), '0')
            """
        postgres.withConnection(on: eventLoop) { connection -> Server? in
            let row = try connection.query(query, timeout: .seconds(5))
            let values = (row.rows.first ?? []).map { $0.flatMap { Int($0) } ?? 0 }
            guard values.count == 3, values[0] > 0 else { return nil }
            let pooler = (try? PoolerDetection.isThroughPooler(connection, timeout: .seconds(5))) ?? false
            return Server(maxConnections: values[0], reserved: values[1] + values[2], throughPooler: pooler)
        }.whenComplete { result in
            guard case .success(let server?) = result else {
                eventLoop.scheduleTask(in: Self.retryInterval) { self.report(postgres: postgres, on: eventLoop) }
                return
            }
            let (level, message) = self.line(for: server)
            self.logger.log(level: level, "\(message)")
        }
    }

    /// The log level and line for `server`.
    func line(for server: Server) -> (Logger.Level, String) {
        let available = server.maxConnections - server.reserved
        var text =
            "connection budget: PG_POOL_SIZE \(self.poolSize) × \(self.workers) workers = \(self.hostConnections) "
            + "connections from this host; server max_connections \(server.maxConnections), "
            + "\(server.reserved) reserved, \(available) for clients"
        if server.throughPooler {
            text += "; through a pooler (PgBouncer): its max_client_conn must cover every host's connections"
            return (.info, text)
        }
        guard self.hostConnections > available else { return (.info, text) }
        return (.warning, text + "; this host alone exceeds it: lower PG_POOL_SIZE or WORKERS, or use PgBouncer")
    }
}
