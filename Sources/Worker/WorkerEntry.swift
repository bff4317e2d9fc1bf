import ArgumentParser

import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The worker executable's entry point (`saas-api-worker`). Two roles:
/// - a worker, when the supervisor spawned it (`SAAS_API_WORKER` in the environment);
/// - `migrate …`, when the supervisor's `saas-api migrate …` handed its command line over
///   (this executable links libpq; the supervisor does not).
@main
enum WorkerEntry {
    static func main() {
        if let encoded = getenv(WorkerLaunch.environmentKey).map({ String(cString: $0) }) {
            unsetenv(WorkerLaunch.environmentKey)
            guard let launch = WorkerLaunch(encoded: encoded) else {
                LogSink.standardError.write(Array("saas-api: malformed \(WorkerLaunch.environmentKey)\n".utf8))
                exit(WorkerLaunch.exitBootFailure)
            }
            WorkerMain.run(launch)
        }
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let first = arguments.first, first == CommandNames.migrate || first == "help" else {
            LogSink.standardError.write(
                Array(
                    "\(WorkerLaunch.binaryName): the supervisor starts workers (saas-api serve); run by hand, this takes only `migrate …`\n"
                        .utf8
                )
            )
            exit(2)
        }
        MigrateRootCommand.runAsRoot(arguments)
    }
}

/// The root above `migrate`: named `saas-api`, so usage and help read exactly as they do from
/// the supervisor's command line.
struct MigrateRootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: CommandNames.root,
        abstract: CommandNames.rootAbstract,
        version: Version.current,
        subcommands: [MigrateCommand.self]
    )
}
