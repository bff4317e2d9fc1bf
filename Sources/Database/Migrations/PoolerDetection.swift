/// Tells whether a connection reaches PostgreSQL through a pooler such as PgBouncer.
///
/// A pooler answers the startup itself and announces a made-up backend id, while
/// `pg_backend_pid()` names the real server process the query ran on: the two differ only
/// when something sits in between. Unlike comparing ports, this survives port mappings (a
/// container's `5433:5432`) and Unix sockets.
public enum PoolerDetection {
    /// `true` when `connection` goes through a pooler. One round trip.
    public static func isThroughPooler(
        _ connection: PostgresConnection,
        timeout: Duration = .seconds(10)
    ) throws(MigrationError) -> Bool {
        let rows: PostgresRows
        do {
            rows = try connection.query("SELECT pg_backend_pid()", timeout: timeout)
        } catch {
            throw .database(error)
        }
        guard let text = rows.scalar, let backend = Int32(text) else { return false }
        return backend != connection.announcedBackendPID
    }
}
