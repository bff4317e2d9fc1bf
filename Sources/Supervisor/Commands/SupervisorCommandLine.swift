import Shared

/// The supervisor's command line: `saas-api [serve] OPTIONS`, `saas-api status OPTIONS`,
/// `help`, `--help`, `--version` (`migrate` is handed to the `saas-api-migrate` executable before this).
///
/// Parsed by hand rather than with swift-argument-parser: that package (and the
/// FoundationEssentials it links) was about a megabyte of the long-running supervisor's
/// resident memory for reading a few options once. Help, usage errors and exit codes read as
/// the argument parser's did; `SupervisorCommandLineTests` pins them.
enum SupervisorCommandLine {
    /// What the command line asks for.
    enum Parsed: Equatable {
        /// Run the supervisor with these options (long name without `--` → value).
        case serve([String: String])
        /// Ask a running supervisor; `json` when `--json` was given.
        case status(json: Bool, options: [String: String])
        /// Print this text on stdout, exit 0.
        case output(String)
        /// Print this text on stderr, exit 2.
        case usageError(String)
    }

    /// One `--name <value>` option, or a `--name` flag when `value` is nil.
    struct Option {
        let name: String
        let value: String?
        /// The option's help, on one line (as a missing value's error quotes it).
        let help: String
    }

    /// A subcommand: its options, usage line and help screen.
    struct Command {
        let name: String
        let options: [Option]
        let help: String

        var usage: String {
            "saas-api \(self.name) "
                + self.options.map { "[--\($0.name)" + ($0.value.map { " <\($0)>" } ?? "") + "]" }.joined(
                    separator: " "
                )
        }
    }

    /// Parses the arguments after the executable's name.
    static func parse(_ arguments: [String]) -> Parsed {
        var arguments = arguments
        var command = self.serve
        var named = false
        if let first = arguments.first, let sub = [self.serve, self.status].first(where: { $0.name == first }) {
            command = sub
            named = true
            arguments.removeFirst()
        } else if arguments.first == "help" {
            let topic = arguments.dropFirst().first
            return .output([self.serve, self.status].first { $0.name == topic }?.help ?? self.rootHelp)
        }
        let options = arguments.prefix { $0 != "--" }
        if options.contains("--help") || options.contains("-h") {
            return .output(named ? command.help : self.rootHelp)
        }
        if options.contains("--version") { return .output(Version.current + "\n") }
        return self.parseOptions(arguments, of: command)
    }

    private static func parseOptions(_ arguments: [String], of command: Command) -> Parsed {
        var values: [String: String] = [:]
        var index = 0
        var positionalOnly = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if positionalOnly || !argument.hasPrefix("-") || argument == "-" {
                return .usageError(self.error("Unexpected argument '\(argument)'", command))
            }
            if argument == "--" {
                positionalOnly = true
                continue
            }
            let (name, inline) = Self.split(argument)
            guard argument.hasPrefix("--"), let option = command.options.first(where: { $0.name == name }) else {
                return .usageError(
                    self.error("Unknown option '\(argument.hasPrefix("--") ? "--" + name : argument)'", command)
                )
            }
            guard let valueName = option.value else {
                if let inline {
                    return .usageError(
                        self.error(
                            "The option '--\(name)' does not take any value, but '\(inline)' was specified.",
                            command
                        )
                    )
                }
                values[name] = ""
                continue
            }
            if let inline {
                values[name] = inline
            } else if index < arguments.count, !arguments[index].hasPrefix("-") {
                values[name] = arguments[index]
                index += 1
            } else {
                let help = "Help:  --\(name) <\(valueName)>  \(option.help)"
                return .usageError(self.error("Missing value for '--\(name) <\(valueName)>'", command, help: help))
            }
        }
        if command.name == self.status.name {
            let json = values.removeValue(forKey: "json") != nil
            return .status(json: json, options: values)
        }
        return .serve(values)
    }

    /// `--name=value` → ("name", "value"); `--name` → ("name", nil).
    private static func split(_ argument: String) -> (String, String?) {
        let body = argument.drop { $0 == "-" }
        guard let equals = body.firstIndex(of: "=") else { return (String(body), nil) }
        return (String(body[..<equals]), String(body[body.index(after: equals)...]))
    }

    private static func error(_ message: String, _ command: Command, help: String? = nil) -> String {
        var lines = ["Error: \(message)"]
        if let help { lines.append(help) }
        lines.append("Usage: \(command.usage)")
        lines.append("  See 'saas-api \(command.name) --help' for more information.")
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - The commands

    static let rootHelp = """
        OVERVIEW: \(CommandNames.rootAbstract)

        USAGE: saas-api <subcommand>

        OPTIONS:
          --version               Show the version.
          -h, --help              Show help information.

        SUBCOMMANDS:
          serve (default)         Run the supervisor and its workers (the default
                                  command).
          \(CommandNames.migrate)                 \(CommandNames.migrateAbstract)
          status                  Show the running supervisor's workers (pid, state,
                                  uptime, restarts, requests).

          See 'saas-api help <subcommand>' for detailed help.

        """

    static let serve = Command(
        name: "serve",
        options: [
            Option(name: "workers", value: "workers", help: "Worker processes (WORKERS; default: the number of CPUs)."),
            Option(name: "port", value: "port", help: "TCP port to listen on (PORT; default 3000)."),
            Option(name: "host", value: "host", help: "Address to listen on (HOST; default 0.0.0.0)."),
            Option(
                name: "max-requests",
                value: "max-requests",
                help: "Recycle a worker after this many requests (MAX_REQUESTS; default 0: never)."
            ),
            Option(
                name: "max-requests-jitter",
                value: "max-requests-jitter",
                help: "Up to this many more requests per worker, at random (MAX_REQUESTS_JITTER)."
            ),
            Option(name: "env-file", value: "env-file", help: "Read variables from this file if it exists."),
        ],
        help: """
            OVERVIEW: Run the supervisor and its workers (the default command).

            USAGE: saas-api serve [--workers <workers>] [--port <port>] [--host <host>] [--max-requests <max-requests>] [--max-requests-jitter <max-requests-jitter>] [--env-file <env-file>]

            OPTIONS:
              --workers <workers>     Worker processes (WORKERS; default: the number of
                                      CPUs).
              --port <port>           TCP port to listen on (PORT; default 3000).
              --host <host>           Address to listen on (HOST; default 0.0.0.0).
              --max-requests <max-requests>
                                      Recycle a worker after this many requests
                                      (MAX_REQUESTS; default 0: never).
              --max-requests-jitter <max-requests-jitter>
                                      Up to this many more requests per worker, at random
                                      (MAX_REQUESTS_JITTER).
              --env-file <env-file>   Read variables from this file if it exists. (default:
                                      .env)
              --version               Show the version.
              -h, --help              Show help information.


            """
    )

    static let status = Command(
        name: "status",
        options: [
            Option(name: "json", value: nil, help: "Print one JSON object instead of a table."),
            Option(
                name: "port",
                value: "port",
                help: "The server's port (PORT), which names the default control socket."
            ),
            Option(
                name: "control-socket",
                value: "control-socket",
                help: "The control socket's path (CONTROL_SOCKET)."
            ),
            Option(name: "env-file", value: "env-file", help: "Read variables from this file if it exists."),
        ],
        help: """
            OVERVIEW: Show the running supervisor's workers (pid, state, uptime, restarts,
            requests).

            USAGE: saas-api status [--json] [--port <port>] [--control-socket <control-socket>] [--env-file <env-file>]

            OPTIONS:
              --json                  Print one JSON object instead of a table.
              --port <port>           The server's port (PORT), which names the default
                                      control socket.
              --control-socket <control-socket>
                                      The control socket's path (CONTROL_SOCKET).
              --env-file <env-file>   Read variables from this file if it exists. (default:
                                      .env)
              --version               Show the version.
              -h, --help              Show help information.


            """
    )
}
