import ArgumentParser
import Shared
import Worker

#if canImport(Glibc)
import Glibc
#endif

/// The process entry point: a worker when the supervisor spawned us as one, else the CLI.
@main
enum Entry {
    static func main() {
        if let encoded = getenv(WorkerLaunch.environmentKey).map({ String(cString: $0) }) {
            unsetenv(WorkerLaunch.environmentKey)
            guard let launch = WorkerLaunch(encoded: encoded) else {
                LogSink.standardError.write(Array("saas-api: malformed \(WorkerLaunch.environmentKey)\n".utf8))
                exit(WorkerLaunch.exitBootFailure)
            }
            WorkerMain.run(launch)
        }
        do {
            var command = try SupervisorCommand.parseAsRoot()
            try command.run()
        } catch {
            // Usage errors exit 2, as every other configuration error does (ArgumentParser's
            // own default would be 64).
            let code = SupervisorCommand.exitCode(for: error)
            if code == .validationFailure {
                LogSink.standardError.write(Array((SupervisorCommand.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            SupervisorCommand.exit(withError: error)
        }
    }
}

/// `saas-api`: the root command; `serve` runs when no subcommand is named.
struct SupervisorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saas-api",
        abstract: "The saas-api server: a supervisor and its worker processes.",
        version: Version.current,
        subcommands: [ServeCommand.self, MigrateCommand.self, StatusCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
