import Shared
import Testing

@testable import Supervisor

/// The supervisor's hand-written command line reads as swift-argument-parser's did.
@Suite("Supervisor command line")
struct SupervisorCommandLineTests {
    @Test("serve is the default; options take `--name value` and `--name=value`, the last one wins")
    func serveOptions() {
        #expect(SupervisorCommandLine.parse([]) == .serve([:]))
        #expect(
            SupervisorCommandLine.parse(["--workers", "2", "--port=8080", "--env-file", "x.env", "--port", "9090"])
                == .serve(["workers": "2", "port": "9090", "env-file": "x.env"])
        )
        #expect(
            SupervisorCommandLine.parse(["serve", "--max-requests", "10", "--max-requests-jitter=5", "--host", "::1"])
                == .serve(["max-requests": "10", "max-requests-jitter": "5", "host": "::1"])
        )
    }

    @Test("status takes --json and its own options")
    func statusOptions() {
        #expect(SupervisorCommandLine.parse(["status"]) == .status(json: false, options: [:]))
        #expect(
            SupervisorCommandLine.parse(["status", "--json", "--control-socket", "/run/x.sock"])
                == .status(json: true, options: ["control-socket": "/run/x.sock"])
        )
    }

    @Test("help and version")
    func helpAndVersion() {
        #expect(SupervisorCommandLine.parse(["--help"]) == .output(SupervisorCommandLine.rootHelp))
        #expect(SupervisorCommandLine.parse(["help"]) == .output(SupervisorCommandLine.rootHelp))
        #expect(SupervisorCommandLine.parse(["help", "status"]) == .output(SupervisorCommandLine.status.help))
        #expect(SupervisorCommandLine.parse(["serve", "-h", "--bogus"]) == .output(SupervisorCommandLine.serve.help))
        #expect(SupervisorCommandLine.parse(["status", "--version"]) == .output(Version.current + "\n"))
        #expect(SupervisorCommandLine.rootHelp.contains("  migrate                 \(CommandNames.migrateAbstract)\n"))
    }

    @Test("usage errors: the message, the usage line and where to find help")
    func usageErrors() {
        let serveUsage =
            "Usage: saas-api serve [--workers <workers>] [--port <port>] [--host <host>] [--max-requests <max-requests>] "
            + "[--max-requests-jitter <max-requests-jitter>] [--env-file <env-file>]\n"
            + "  See 'saas-api serve --help' for more information.\n"
        let statusUsage =
            "Usage: saas-api status [--json] [--port <port>] [--control-socket <control-socket>] [--env-file <env-file>]\n"
            + "  See 'saas-api status --help' for more information.\n"
        #expect(
            SupervisorCommandLine.parse(["--bogus"]) == .usageError("Error: Unknown option '--bogus'\n" + serveUsage)
        )
        #expect(SupervisorCommandLine.parse(["-x"]) == .usageError("Error: Unknown option '-x'\n" + serveUsage))
        #expect(
            SupervisorCommandLine.parse(["extra"]) == .usageError("Error: Unexpected argument 'extra'\n" + serveUsage)
        )
        #expect(
            SupervisorCommandLine.parse(["serve", "--port"])
                == .usageError(
                    "Error: Missing value for '--port <port>'\n"
                        + "Help:  --port <port>  TCP port to listen on (PORT; default 3000).\n" + serveUsage
                )
        )
        #expect(
            SupervisorCommandLine.parse(["status", "--json=1"])
                == .usageError(
                    "Error: The option '--json' does not take any value, but '1' was specified.\n" + statusUsage
                )
        )
        #expect(
            SupervisorCommandLine.parse(["status", "--workers", "2"])
                == .usageError("Error: Unknown option '--workers'\n" + statusUsage)
        )
    }

    @Test("migrate goes to the worker executable whole")
    func migrateIsHandedOver() {
        #expect(MigrateHandOver.applies(to: ["migrate", "up"]))
        #expect(MigrateHandOver.applies(to: ["help", "migrate"]))
        #expect(!MigrateHandOver.applies(to: ["serve", "migrate"]))
        #expect(!MigrateHandOver.applies(to: []))
    }
}
