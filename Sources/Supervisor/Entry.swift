import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The supervisor's entry point: the `saas-api` command line.
///
/// `migrate` needs libpq: it is handed over, whole, to `saas-api-migrate migrate …` by `exec`,
/// so this process never maps libpq.
@main
enum Entry {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if MigrateHandOver.applies(to: arguments) {
            MigrateHandOver.exec(arguments)
        }
        switch SupervisorCommandLine.parse(arguments) {
        case .serve(let options):
            do throws(ExitStatus) {
                try ServeCommand(options: options).run()
            } catch {
                exit(error.code)
            }
        case .status(let json, let options):
            StatusCommand(json: json, options: options).run()
        case .output(let text):
            LogSink.standardOutput.write(Array(text.utf8))
        case .usageError(let text):
            LogSink.standardError.write(Array(text.utf8))
            exit(2)
        }
    }
}

/// A command's non-zero exit status.
struct ExitStatus: Error {
    let code: Int32

    init(_ code: Int32) {
        self.code = code
    }
}
