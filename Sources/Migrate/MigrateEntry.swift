import ArgumentParser
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// `saas-api-migrate`'s entry point: `saas-api migrate …`, handed over by the supervisor with
/// the same arguments (`migrate …` or `help migrate …`). Its own executable, so that libpq and
/// swift-argument-parser are in neither the supervisor nor the workers.
@main
enum MigrateEntry {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let first = arguments.first, first == CommandNames.migrate || first == "help" else {
            let name = SiblingExecutable.migrate.name
            LogSink.standardError.write(Array("\(name): run it as saas-api migrate …\n".utf8))
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
