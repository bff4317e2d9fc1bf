import Shared

/// Why a migration command refused to run or failed.
///
/// `description` is one line for stderr: it names the file involved and, for database errors,
/// the SQLSTATE and PostgreSQL's message. It never contains a password or the SQL text.
public enum MigrationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The migrations directory cannot be listed.
    case directoryUnreadable(path: String, reason: String)
    /// A migration file cannot be read or written.
    case fileUnreadable(path: String, reason: String)
    /// A `.sql` file whose name is not `NNNN_name.up.sql` / `NNNN_name.down.sql`.
    case invalidFileName(String)
    /// Two migrations share a version number.
    case duplicateVersion(version: Int, files: [String])
    /// An up file without its down file, or the reverse.
    case missingPair(file: String, missing: String)
    /// Versions must run 0001, 0002, … without holes.
    case gap(missingVersion: Int)
    /// A file has its own BEGIN / COMMIT / ROLLBACK; the migrator owns the transaction.
    case transactionControl(file: String, line: Int)
    /// `schema_migrations` lists a migration whose files are gone or renamed.
    case appliedFileMissing(version: Int, name: String)
    /// An applied migration's up file was edited after it ran.
    case checksumMismatch(file: String, recorded: String, current: String)
    /// `schema_migrations` is not a prefix 1…k of the versions (edited by hand?).
    case ledgerInconsistent(String)
    /// `up --to N` with no migration N.
    case unknownTarget(Int)
    /// `create NAME` with a name that is not lowercase letters, digits and underscores.
    case invalidName(String)
    /// `create` would overwrite a file.
    case fileExists(String)
    /// The connection could not be made (the URL is shown masked).
    case connectionFailed(url: String, error: PostgresError)
    /// The URL leads to a connection pooler (PgBouncer), not to PostgreSQL itself.
    case throughPooler(url: String)
    /// The advisory lock or the bookkeeping failed.
    case database(PostgresError)
    /// A migration step failed and was rolled back.
    case stepFailed(file: String, error: PostgresError)

    /// Whether the command line was wrong (exit code 2) rather than the run failing (1).
    public var isUsageError: Bool {
        switch self {
        case .unknownTarget, .invalidName: true
        default: false
        }
    }

    /// One line naming what failed and where.
    public var description: String {
        switch self {
        case .directoryUnreadable(let path, let reason):
            "cannot read migrations directory \(path): \(reason)"
        case .fileUnreadable(let path, let reason):
            "cannot access \(path): \(reason)"
        case .invalidFileName(let file):
            "\(file): not a migration file name (expected NNNN_name.up.sql or NNNN_name.down.sql)"
        case .duplicateVersion(let version, let files):
            "duplicate migration version \(Migration.paddedVersion(version)): \(files.joined(separator: ", "))"
        case .missingPair(let file, let missing):
            "\(file) has no matching \(missing)"
        case .gap(let version):
            "migration \(Migration.paddedVersion(version)) is missing: versions must be 0001, 0002, … without gaps"
        case .transactionControl(let file, let line):
            "\(file) line \(line): transaction control statement; the migrator wraps each file in its own transaction"
        case .appliedFileMissing(let version, let name):
            "applied migration \(Migration.paddedVersion(version))_\(name) has no file any more; "
                + "restore it (nothing was changed)"
        case .checksumMismatch(let file, let recorded, let current):
            "\(file) was edited after it was applied (checksum \(recorded.prefix(12))… recorded, "
                + "\(current.prefix(12))… now); restore it or add a new migration (nothing was changed)"
        case .ledgerInconsistent(let detail):
            "public.schema_migrations is inconsistent: \(detail) (nothing was changed)"
        case .unknownTarget(let version):
            "there is no migration \(Migration.paddedVersion(version))"
        case .invalidName(let name):
            "invalid migration name '\(name)': use lowercase letters, digits and underscores"
        case .fileExists(let path):
            "\(path) already exists"
        case .connectionFailed(let url, let error):
            "cannot connect to \(url): \(Self.describe(error))"
        case .throughPooler(let url):
            "\(url) is a connection pooler (PgBouncer?), not PostgreSQL itself: migrations need a direct "
                + "connection (session advisory lock, DDL); set MIGRATION_DATABASE_URL to the PostgreSQL server "
                + "(nothing was changed)"
        case .database(let error):
            "migration bookkeeping failed: \(Self.describe(error))"
        case .stepFailed(let file, let error):
            "\(file) failed and was rolled back: \(Self.describe(error))"
        }
    }

    /// `SQLSTATE 42P07: relation "x" already exists`, or the error kind when there is no state.
    private static func describe(_ error: PostgresError) -> String {
        if let sqlState = error.sqlState {
            return "SQLSTATE \(sqlState): \(error.message)"
        }
        return "\(error.kind.rawValue): \(error.message)"
    }
}
