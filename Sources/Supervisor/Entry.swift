import ArgumentParser
import CommandLineSupport
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The supervisor's entry point: the `saas-api` command line.
///
/// `migrate` needs libpq, which lives in the worker executable only: it is handed over, whole,
/// to `saas-api-worker migrate …` by `exec`, so this process never maps libpq.
@main
enum Entry {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if MigrateCommand.isMigrate(arguments) {
            MigrateCommand.handOver(arguments)
        }
        SupervisorCommand.runAsRoot(arguments)
    }
}

/// `saas-api`: the root command; `serve` runs when no subcommand is named.
struct SupervisorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: CommandNames.root,
        abstract: CommandNames.rootAbstract,
        version: Version.current,
        subcommands: [ServeCommand.self, MigrateCommand.self, StatusCommand.self],
        defaultSubcommand: ServeCommand.self
    )
}
