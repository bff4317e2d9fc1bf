import Shared

#if canImport(Glibc)
import Glibc
#endif

/// `saas-api migrate …` runs in the worker executable, which links libpq; the supervisor's own
/// process never does. `Entry` hands the whole command line over before parsing anything, so
/// the options, help, output and exit codes are the worker's `migrate` exactly.
enum MigrateHandOver {
    /// `migrate …`, or `help migrate …`.
    static func applies(to arguments: [String]) -> Bool {
        arguments.first == CommandNames.migrate
            || (arguments.first == "help" && arguments.dropFirst().first == CommandNames.migrate)
    }

    /// Replaces this process with `saas-api-worker ARGUMENTS` (same pid, stdio, environment
    /// and working directory). A missing worker executable: one line, exit 2.
    static func exec(_ arguments: [String]) -> Never {
        let path: String
        do throws(WorkerBinary.Missing) {
            path = try WorkerBinary.locate()
        } catch {
            LogSink.standardError.write(Array("saas-api: \(error.description)\n".utf8))
            exit(2)
        }
        withCStrings([path] + arguments) { argv in
            _ = execv(path, argv)
        }
        LogSink.standardError.write(Array("saas-api: cannot run \(path): \(errorText())\n".utf8))
        exit(2)
    }
}
