import ArgumentParser
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// `saas-api status [--json]`: asks the running supervisor over its local control socket.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the running supervisor's workers (pid, state, uptime, restarts, requests)."
    )

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "The server's port (PORT), which names the default control socket.")
    var port: String?

    @Option(name: .customLong("control-socket"), help: "The control socket's path (CONTROL_SOCKET).")
    var controlSocket: String?

    @Option(name: .customLong("env-file"), help: "Read variables from this file if it exists.")
    var envFile = ".env"

    func run() throws {
        var overrides: [String: String] = [:]
        if let port = self.port { overrides["PORT"] = port }
        if let controlSocket = self.controlSocket { overrides["CONTROL_SOCKET"] = controlSocket }
        let config: Config
        do {
            config = try ConfigLoader.load(
                environment: ProcessEnvironment.current(),
                dotEnv: ProcessEnvironment.readFile(self.envFile),
                overrides: overrides,
                cpuCount: 1
            )
        } catch {
            Self.fail("\(error.description)", code: 2)
        }
        let path = ControlSocketPath.resolve(config)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 3, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard ControlSocketPath.connect(fd, to: path) else {
            Self.fail("no supervisor answers on \(path): \(errorText()) (is it running? same PORT or CONTROL_SOCKET?)")
        }
        let request = Array("v1 status \(self.json ? "json" : "text")\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count
        else { Self.fail("cannot ask the supervisor on \(path): \(errorText())") }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 { break }
            guard count > 0 else { Self.fail("no answer from the supervisor on \(path): \(errorText())") }
            reply += buffer[0..<count]
        }
        reply.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(1, buffer.baseAddress! + offset, buffer.count - offset)
                guard written > 0 || errno == EINTR else { return }
                offset += max(written, 0)
            }
        }
    }

    private static func fail(_ message: String, code: Int32 = 1) -> Never {
        LogSink.standardError.write(Array("saas-api: \(message)\n".utf8))
        Glibc.exit(code)
    }
}
