import Shared

/// A migration recorded in `public.schema_migrations`.
public struct AppliedMigration: Sendable, Equatable {
    /// The version.
    public let version: Int
    /// The name it had when applied.
    public let name: String
    /// SHA-256 of the up file when applied.
    public let checksum: String
    /// When it was applied (PostgreSQL's text form of a `timestamptz`).
    public let appliedAt: String
    /// How long the step took, in milliseconds.
    public let durationMs: Int
}

/// The bookkeeping table `public.schema_migrations`.
///
/// It lives in `public`, outside schema `app`, and the migrator creates it itself (it is not a
/// migration), so `migrate down --all` leaves it in place, empty.
struct MigrationLedger {
    static let table = "public.schema_migrations"

    let connection: PostgresConnection
    let timeout: Duration

    /// Creates the table when missing. Called with the advisory lock held, so two first runs
    /// do not race on `CREATE TABLE IF NOT EXISTS`.
    func create() throws(PostgresError) {
        try self.connection.execute(
            """
            CREATE TABLE IF NOT EXISTS \(Self.table) (
                version integer PRIMARY KEY CHECK (version >= 1),
                name text NOT NULL,
                checksum text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
                applied_at timestamptz NOT NULL DEFAULT now(),
                duration_ms bigint NOT NULL CHECK (duration_ms >= 0)
            )
            """,
            timeout: self.timeout
        )
    }

    /// Whether the table exists (`status` reads without creating it).
    func exists() throws(PostgresError) -> Bool {
        let rows = try self.connection.query("SELECT to_regclass($1) IS NOT NULL", [Self.table], timeout: self.timeout)
        return rows.scalar == "t"
    }

    /// Every applied migration, by version.
    func applied() throws(PostgresError) -> [AppliedMigration] {
        let rows = try self.connection.query(
            """
            SELECT version, name, checksum, applied_at, duration_ms
            FROM \(Self.table) ORDER BY version
            """,
            timeout: self.timeout
        )
        return rows.rows.map { row in
            AppliedMigration(
                version: Int(row[0] ?? "") ?? 0,
                name: row[1] ?? "",
                checksum: row[2] ?? "",
                appliedAt: row[3] ?? "",
                durationMs: Int(row[4] ?? "") ?? 0
            )
        }
    }

    /// Records `migration` as applied (inside the step's transaction).
    func record(_ migration: Migration, durationMs: Int) throws(PostgresError) {
        try self.connection.query(
            "INSERT INTO \(Self.table) (version, name, checksum, duration_ms) VALUES ($1, $2, $3, $4)",
            [String(migration.version), migration.name, migration.checksum, String(durationMs)],
            timeout: self.timeout
        )
    }

    /// Forgets `migration` (inside the down step's transaction).
    func remove(_ migration: Migration) throws(PostgresError) {
        try self.connection.query(
            "DELETE FROM \(Self.table) WHERE version = $1",
            [String(migration.version)],
            timeout: self.timeout
        )
    }
}
