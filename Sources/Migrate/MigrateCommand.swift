import ArgumentParser

import Database
import Shared

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `saas-api migrate up|down|status|create`: schema migrations over libpq.
///
/// Runs in its own executable: the supervisor's `saas-api migrate …` execs
/// `saas-api-migrate migrate …` with the same arguments, so libpq stays out of the supervisor.
///
/// Exit codes: 0 done, 1 the run failed (one line on stderr naming the file and the
/// PostgreSQL SQLSTATE and message), 2 bad usage.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: CommandNames.migrate,
        abstract: CommandNames.migrateAbstract,
        discussion: """
            Connects with --database-url, else MIGRATION_DATABASE_URL, else DATABASE_URL (the \
            environment first, then .env in the current directory). Use an owner or superuser \
            role: the migrations create roles and the schema.
            """,
        subcommands: [Up.self, Down.self, Status.self, Create.self]
    )
}

/// Options every `migrate` subcommand shares.
struct MigrationOptions: ParsableArguments {
    @Option(help: "The migrations directory (default: ./sql, else sql/ next to the executable).")
    var dir: String?

    @Option(name: .customLong("database-url"), help: "PostgreSQL URL of an owner role (overrides the environment).")
    var databaseURL: String?

    @Option(help: "Seconds one step, or the wait for another migrate's lock, may take.")
    var timeout: Int = 900

    func validate() throws {
        guard self.timeout > 0 else { throw MigrateCommand.usage("--timeout must be a positive number of seconds") }
    }

    var directory: MigrationDirectory {
        MigrationDirectory(path: self.dir ?? MigrationDirectory.defaultPath())
    }

    /// Loads the files, connects and builds a runner; progress goes to stdout.
    func runner() throws -> MigrationRunner {
        try MigrateCommand.failing {
            let migrations = try self.directory.load()
            let url = try MigrationSettings.databaseURL(flag: self.databaseURL)
            let connection: PostgresConnection
            do throws(PostgresError) {
                connection = try PostgresConnection.connect(url: url, timeout: .seconds(10))
            } catch {
                throw MigrationError.connectionFailed(url: Secrets.mask(url), error: error)
            }
            if try PoolerDetection.isThroughPooler(connection) {
                throw MigrationError.throughPooler(url: Secrets.mask(url))
            }
            return MigrationRunner(
                connection: connection,
                migrations: migrations,
                stepTimeout: .seconds(self.timeout),
                lockTimeout: .seconds(self.timeout),
                report: MigrateCommand.printEvent
            )
        }
    }
}

extension MigrateCommand {
    /// `migrate up [--to N]`.
    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply pending migrations (all, or up to --to N).")

        @OptionGroup var options: MigrationOptions

        @Option(help: "Stop after migration N.")
        var to: Int?

        func run() throws {
            let runner = try self.options.runner()
            let applied = try MigrateCommand.failing { try runner.up(to: self.to) }
            if applied.isEmpty { print("nothing to do: the database is up to date") }
        }
    }

    /// `migrate down [--steps N | --all]`.
    struct Down: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revert the last migration (or --steps N, or --all).")

        @OptionGroup var options: MigrationOptions

        @Option(help: "How many migrations to revert, newest first.")
        var steps: Int?

        @Flag(help: "Revert every applied migration.")
        var all = false

        func validate() throws {
            if self.all && self.steps != nil { throw MigrateCommand.usage("use --steps N or --all, not both") }
            if let steps = self.steps, steps < 1 { throw MigrateCommand.usage("--steps must be at least 1") }
        }

        func run() throws {
            let runner = try self.options.runner()
            let reverted = try MigrateCommand.failing { try runner.down(steps: self.all ? .max : self.steps ?? 1) }
            if reverted.isEmpty { print("nothing to do: no migration is applied") }
        }
    }

    /// `migrate status`.
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List migrations: applied (with time and duration), pending, changed or missing."
        )

        @OptionGroup var options: MigrationOptions

        func run() throws {
            let runner = try self.options.runner()
            let lines = try MigrateCommand.failing { try runner.status() }
            let width = max(4, lines.map(\.id.count).max() ?? 0)
            print(Self.padded("MIGRATION", width) + "  STATE    APPLIED AT                     DURATION")
            for line in lines {
                var text = Self.padded(line.id, width) + "  " + Self.padded(line.state.rawValue, 7)
                if let appliedAt = line.appliedAt { text += "  " + Self.padded(appliedAt, 29) }
                if let durationMs = line.durationMs { text += "  \(durationMs) ms" }
                print(text)
            }
            let applied = lines.filter { $0.state == .applied }.count
            let pending = lines.filter { $0.state == .pending }.count
            let broken = lines.filter { $0.state == .changed || $0.state == .missing }
            print("\(applied) applied, \(pending) pending")
            if !broken.isEmpty {
                MigrateCommand.printError(
                    "\(broken.count) applied migration(s) changed or missing; up and down will refuse"
                )
                throw ExitCode.failure
            }
        }

        private static func padded(_ text: String, _ width: Int) -> String {
            text + String(repeating: " ", count: max(0, width - text.count))
        }
    }

    /// `migrate create NAME`.
    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the next numbered pair of empty migration files."
        )

        @OptionGroup var options: MigrationOptions

        @Argument(help: "What the migration does, in lowercase_with_underscores (e.g. add_refunds).")
        var name: String

        func run() throws {
            let paths = try MigrateCommand.failing { try self.options.directory.create(name: self.name) }
            print("created \(paths.up)")
            print("created \(paths.down)")
        }
    }
}

extension MigrateCommand {
    /// Runs `body`; a `MigrationError` becomes one stderr line and exit code 1 (2 for usage).
    static func failing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as MigrationError {
            self.printError(error.description)
            throw ExitCode(error.isUsageError ? 2 : 1)
        }
    }

    /// A usage error: one line on stderr, exit code 2.
    static func usage(_ message: String) -> ExitCode {
        self.printError(message)
        return ExitCode(2)
    }

    static func printError(_ message: String) {
        let line = Array("migrate: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    @Sendable static func printEvent(_ event: MigrationEvent) {
        switch event {
        case .waitingForLock:
            print("waiting for another migrate to finish (advisory lock \(MigrationRunner.lockKey))")
        case .applied(let id, let durationMs):
            print("applied \(id) (\(durationMs) ms)")
        case .reverted(let id, let durationMs):
            print("reverted \(id) (\(durationMs) ms)")
        }
    }
}
