import Shared

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `migrate` connects: `--database-url`, else `MIGRATION_DATABASE_URL`, else
/// `DATABASE_URL`, else the design default. Variables come from the real environment, then
/// from `.env` in the current directory (a real variable always wins), as in `ConfigLoader`.
public enum MigrationSettings {
    /// The variables consulted, strongest first.
    public static let variables = ["MIGRATION_DATABASE_URL", "DATABASE_URL"]

    /// Resolves the URL from the process environment and `./.env` (if present).
    public static func databaseURL(flag: String?) throws(MigrationError) -> String {
        var environment: [String: String] = [:]
        for name in self.variables {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        let path = MigrationFileSystem.currentDirectory() + "/.env"
        let dotEnv = MigrationFileSystem.isReadableFile(path) ? try MigrationFileSystem.readFile(path) : nil
        return try self.resolve(flag: flag, environment: environment, dotEnv: dotEnv)
    }

    /// The pure resolution; empty values count as unset.
    public static func resolve(
        flag: String?,
        environment: [String: String],
        dotEnv: String?
    ) throws(MigrationError) -> String {
        if let flag, !flag.isEmpty { return flag }
        var values: [String: String] = [:]
        if let dotEnv {
            do {
                values = try DotEnv.parse(dotEnv)
            } catch {
                throw .fileUnreadable(path: ".env", reason: "line \(error.line): \(error.reason)")
            }
        }
        values.merge(environment) { _, real in real }
        for name in self.variables {
            if let value = values[name], !value.isEmpty { return value }
        }
        return Config(cpuCount: 1).migrationDatabaseURL
    }
}
