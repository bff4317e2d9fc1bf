import Shared

#if canImport(Glibc)
import Glibc
#endif

/// `saas-api migrate …` runs in its own executable, `saas-api-migrate`, which links libpq and
/// swift-argument-parser; the supervisor's process never does. `Entry` hands the whole command
/// line over before parsing anything, so the options, help, output and exit codes are
/// `saas-api-migrate`'s exactly.
enum MigrateHandOver {
    /// `migrate …`, or `help migrate …`.
    static func applies(to arguments: [String]) -> Bool {
        arguments.first == CommandNames.migrate
            || (arguments.first == "help" && arguments.dropFirst().first == CommandNames.migrate)
    }

    /// Replaces this process with `saas-api-migrate ARGUMENTS` (same pid, stdio, environment
    /// and working directory). A missing executable: one line, exit 2.
    static func exec(_ arguments: [String]) -> Never {
        let path: String
        do throws(SiblingExecutable.Missing) {
            path = try SiblingExecutable.migrate.locate()
        } catch {
            LogSink.standardError.write(Array("saas-api: \(error.description)\n".utf8))
            exit(2)
        }
        withMutableCStringArray([path] + arguments) { argv in
            _ = execv(path, argv)
        }
        LogSink.standardError.write(Array("saas-api: cannot run \(path): \(errorText())\n".utf8))
        exit(2)
    }
}
