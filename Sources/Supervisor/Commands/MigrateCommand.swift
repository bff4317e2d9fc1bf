import ArgumentParser
import CommandLineSupport
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// `saas-api migrate …`: runs in the worker executable, which links libpq; the supervisor's own
/// process never does. `Entry` hands the whole command line over before parsing, so the
/// options, help, output and exit codes are the worker's `migrate` exactly. This type only
/// lists `migrate` in `saas-api --help`.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: CommandNames.migrate,
        abstract: CommandNames.migrateAbstract
    )

    /// `migrate …`, or `help migrate …`.
    static func isMigrate(_ arguments: [String]) -> Bool {
        arguments.first == CommandNames.migrate
            || (arguments.first == "help" && arguments.dropFirst().first == CommandNames.migrate)
    }

    /// Replaces this process with `saas-api-worker ARGUMENTS` (same pid, stdio, environment
    /// and working directory). A missing worker executable: one line, exit 2.
    static func handOver(_ arguments: [String]) -> Never {
        let path: String
        do throws(WorkerBinary.Missing) {
            path = try WorkerBinary.locate()
        } catch {
            LogSink.standardError.write(Array("saas-api: \(error.description)\n".utf8))
            Glibc.exit(2)
        }
        withCStrings([path] + arguments) { argv in
            _ = execv(path, argv)
        }
        LogSink.standardError.write(Array("saas-api: cannot run \(path): \(errorText())\n".utf8))
        Glibc.exit(2)
    }
}
