import Shared

/// Tells whether a connection reaches PostgreSQL through a pooler such as PgBouncer (see
/// `PostgresConnection.isThroughPooler`).
public enum PoolerDetection {
    /// `true` when `connection` goes through a pooler. One round trip.
    public static func isThroughPooler(
        _ connection: PostgresConnection,
        timeout: Duration = .seconds(10)
    ) throws(MigrationError) -> Bool {
        do {
            return try connection.isThroughPooler(timeout: timeout)
        } catch {
            throw .database(error)
        }
    }
}
