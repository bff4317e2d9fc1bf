import Shared

/// Progress reported by `MigrationRunner` while it works.
public enum MigrationEvent: Sendable, Equatable {
    /// Another `migrate` holds the advisory lock; this run waits for it.
    case waitingForLock
    /// A migration was applied (`0003_stores`, milliseconds).
    case applied(String, durationMs: Int)
    /// A migration was reverted.
    case reverted(String, durationMs: Int)
}

/// Applies and reverts migrations over one connection (an owner or superuser role).
///
/// Every run holds a session-level advisory lock on `lockKey` for its whole duration, so two
/// deploys never migrate at once: the second waits, then finds nothing to do. Before changing
/// anything it checks that every applied migration still has its file, unchanged. Each step
/// runs in its own transaction together with its bookkeeping row, so a failing step leaves
/// nothing behind.
public struct MigrationRunner: Sendable {
    /// The advisory lock key: the ASCII bytes of "saasmigr". Advisory locks are per database,
    /// so migrating one database never waits for another.
    public static let lockKey: Int64 = 0x7361_6173_6d69_6772

    private let connection: PostgresConnection
    private let migrations: [Migration]
    private let stepTimeout: Duration
    private let lockTimeout: Duration
    private let report: @Sendable (MigrationEvent) -> Void

    /// A runner for `migrations` (ordered 1…n, as `MigrationDirectory.load` returns them).
    ///
    /// - Parameters:
    ///   - stepTimeout: the deadline of one step (and of each bookkeeping query).
    ///   - lockTimeout: how long to wait for another run's lock before giving up.
    ///   - report: called with progress, on the calling thread.
    public init(
        connection: PostgresConnection,
        migrations: [Migration],
        stepTimeout: Duration = .seconds(900),
        lockTimeout: Duration = .seconds(900),
        report: @escaping @Sendable (MigrationEvent) -> Void = { _ in }
    ) {
        self.connection = connection
        self.migrations = migrations
        self.stepTimeout = stepTimeout
        self.lockTimeout = lockTimeout
        self.report = report
    }

    private var ledger: MigrationLedger {
        MigrationLedger(connection: self.connection, timeout: self.stepTimeout)
    }

    /// Applies every pending migration up to and including `target` (all when nil); returns
    /// the ones applied, empty when there was nothing to do.
    @discardableResult
    public func up(to target: Int? = nil) throws(MigrationError) -> [Migration] {
        if let target, !self.migrations.contains(where: { $0.version == target }) {
            throw .unknownTarget(target)
        }
        return try self.withLock { () throws(MigrationError) in
            let appliedCount = try self.verifiedAppliedCount()
            let pending = self.migrations.filter { $0.version > appliedCount && $0.version <= (target ?? .max) }
            for migration in pending {
                let durationMs = try self.step(migration.upSQL, file: migration.upFileName) {
                    (duration) throws(PostgresError) in
                    try self.ledger.record(migration, durationMs: duration)
                }
                self.report(.applied(migration.id, durationMs: durationMs))
            }
            return pending
        }
    }

    /// Reverts the last `steps` applied migrations, newest first (all when `steps` exceeds
    /// them); returns the ones reverted.
    @discardableResult
    public func down(steps: Int) throws(MigrationError) -> [Migration] {
        try self.withLock { () throws(MigrationError) in
            let appliedCount = try self.verifiedAppliedCount()
            let reverting = Array(self.migrations[0..<appliedCount].suffix(max(0, steps)).reversed())
            for migration in reverting {
                let durationMs = try self.step(migration.downSQL, file: migration.downFileName) {
                    (_) throws(PostgresError) in
                    try self.ledger.remove(migration)
                }
                self.report(.reverted(migration.id, durationMs: durationMs))
            }
            return reverting
        }
    }

    /// Every migration file and applied record, compared. Read-only: creates nothing and
    /// takes no lock.
    public func status() throws(MigrationError) -> [MigrationStatus] {
        do {
            let applied = try self.ledger.exists() ? self.ledger.applied() : []
            return MigrationStatus.compare(self.migrations, applied: applied)
        } catch {
            throw .database(error)
        }
    }

    // MARK: - Private

    /// Creates the ledger if needed and checks it against the files; returns k when versions
    /// 1…k are applied. Throws, having changed nothing, when a file is missing or edited.
    private func verifiedAppliedCount() throws(MigrationError) -> Int {
        let applied: [AppliedMigration]
        do {
            try self.ledger.create()
            applied = try self.ledger.applied()
        } catch {
            throw .database(error)
        }
        for (index, record) in applied.enumerated() {
            guard record.version == index + 1 else {
                throw .ledgerInconsistent(
                    "version \(Migration.paddedVersion(record.version)) is recorded without "
                        + Migration.paddedVersion(index + 1)
                )
            }
            guard index < self.migrations.count, self.migrations[index].name == record.name else {
                throw .appliedFileMissing(version: record.version, name: record.name)
            }
            let migration = self.migrations[index]
            guard migration.checksum == record.checksum else {
                throw .checksumMismatch(
                    file: migration.upFileName,
                    recorded: record.checksum,
                    current: migration.checksum
                )
            }
        }
        return applied.count
    }

    /// Runs `sql` and `bookkeeping` in one transaction; returns the script's duration in ms.
    private func step(
        _ sql: String,
        file: String,
        bookkeeping: (Int) throws(PostgresError) -> Void
    ) throws(MigrationError) -> Int {
        do {
            try self.connection.execute("BEGIN", timeout: self.stepTimeout)
            // The server gives up when we do, rather than running DDL for a client that left.
            let milliseconds = max(1, self.stepTimeout.components.seconds * 1000)
            try self.connection.execute("SET LOCAL statement_timeout = \(milliseconds)", timeout: self.stepTimeout)
        } catch {
            self.rollback()
            throw .database(error)
        }
        let start = MonotonicClock.nanoseconds()
        do {
            try self.connection.execute(sql, timeout: self.stepTimeout)
        } catch {
            self.rollback()
            throw .stepFailed(file: file, error: error)
        }
        let durationMs = Int((MonotonicClock.nanoseconds() &- start) / 1_000_000)
        do {
            // A file may leave `SET ROLE app_owner` behind; the ledger belongs to us.
            try self.connection.execute("RESET ROLE", timeout: self.stepTimeout)
            try bookkeeping(durationMs)
        } catch {
            self.rollback()
            throw .database(error)
        }
        do {
            try self.connection.execute("COMMIT", timeout: self.stepTimeout)
        } catch {
            self.rollback()
            throw .stepFailed(file: file, error: error)  // e.g. a deferred constraint
        }
        return durationMs
    }

    private func rollback() {
        guard self.connection.isUsable else { return }
        _ = try? self.connection.execute("ROLLBACK", timeout: .seconds(30))
    }

    /// Runs `body` holding the advisory lock; waits (reporting it) when another run holds it.
    private func withLock<T>(_ body: () throws(MigrationError) -> T) throws(MigrationError) -> T {
        let key = [String(Self.lockKey)]
        do {
            let acquired = try self.connection.query(
                "SELECT pg_try_advisory_lock($1::bigint)",
                key,
                timeout: .seconds(30)
            )
            if acquired.scalar != "t" {
                self.report(.waitingForLock)
                try self.connection.query("SELECT pg_advisory_lock($1::bigint)", key, timeout: self.lockTimeout)
            }
        } catch {
            if error.kind == .timeout {
                throw .database(
                    PostgresError(kind: .timeout, message: "another migrate held the migration lock for too long")
                )
            }
            throw .database(error)
        }
        defer {
            if self.connection.isUsable {
                _ = try? self.connection.query("SELECT pg_advisory_unlock($1::bigint)", key, timeout: .seconds(30))
            }
        }
        return try body()
    }
}
