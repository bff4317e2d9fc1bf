import Shared

/// One line of `migrate status`: a migration file, an applied record, or both.
public struct MigrationStatus: Sendable, Equatable {
    /// How a migration stands.
    public enum State: String, Sendable {
        /// Applied, and the file is unchanged.
        case applied
        /// Not applied yet.
        case pending
        /// Applied, but the up file was edited since (`up` and `down` refuse to run).
        case changed
        /// Applied, but its files are gone or renamed (`up` and `down` refuse to run).
        case missing
    }

    /// The version.
    public let version: Int
    /// The name (the applied name for `missing`).
    public let name: String
    /// How it stands.
    public let state: State
    /// When it was applied, if it was.
    public let appliedAt: String?
    /// How long it took, if applied.
    public let durationMs: Int?

    /// `0003_stores`.
    public var id: String { "\(Migration.paddedVersion(self.version))_\(self.name)" }

    /// Lines for the files in `migrations` against the `applied` records, by version.
    public static func compare(_ migrations: [Migration], applied: [AppliedMigration]) -> [MigrationStatus] {
        var lines: [MigrationStatus] = []
        var recorded = Dictionary(applied.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        for migration in migrations {
            guard let record = recorded.removeValue(forKey: migration.version) else {
                lines.append(.init(migration, state: .pending))
                continue
            }
            if record.name != migration.name {
                lines.append(.init(record, state: .missing))
                lines.append(.init(migration, state: .pending))
            } else {
                let state: State = record.checksum == migration.checksum ? .applied : .changed
                lines.append(
                    MigrationStatus(
                        version: migration.version,
                        name: migration.name,
                        state: state,
                        appliedAt: record.appliedAt,
                        durationMs: record.durationMs
                    )
                )
            }
        }
        for record in recorded.values.sorted(by: { $0.version < $1.version }) {
            lines.append(.init(record, state: .missing))
        }
        return lines
    }

    /// Creates a line.
    public init(version: Int, name: String, state: State, appliedAt: String?, durationMs: Int?) {
        self.version = version
        self.name = name
        self.state = state
        self.appliedAt = appliedAt
        self.durationMs = durationMs
    }

    private init(_ migration: Migration, state: State) {
        self.init(version: migration.version, name: migration.name, state: state, appliedAt: nil, durationMs: nil)
    }

    private init(_ record: AppliedMigration, state: State) {
        self.init(
            version: record.version,
            name: record.name,
            state: state,
            appliedAt: record.appliedAt,
            durationMs: record.durationMs
        )
    }
}
