import ArgumentParser
import Shared

#if canImport(Glibc)
import Glibc
#endif

extension ParsableCommand {
    /// Parses `arguments` as this root command and runs it; returns when it succeeded, exits
    /// otherwise. Usage errors exit 2, as every other configuration error does (ArgumentParser's
    /// own default would be 64), and as the supervisor's own command line does.
    static func runAsRoot(_ arguments: [String]) {
        do {
            var command = try self.parseAsRoot(arguments)
            try command.run()
        } catch {
            let code = self.exitCode(for: error)
            if code == .validationFailure {
                LogSink.standardError.write(Array((self.fullMessage(for: error) + "\n").utf8))
                Glibc.exit(2)
            }
            self.exit(withError: error)
        }
    }
}
