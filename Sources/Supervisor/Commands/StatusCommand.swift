import Shared

#if canImport(Glibc)
import Glibc
#endif

/// `saas-api status [--json]`: asks the running supervisor over its local control socket.
struct StatusCommand {
    var json = false
    var port: String?
    var controlSocket: String?
    var envFile = ".env"

    /// The command for the options `SupervisorCommandLine` parsed.
    init(json: Bool, options: [String: String]) {
        self.json = json
        self.port = options["port"]
        self.controlSocket = options["control-socket"]
        if let envFile = options["env-file"] { self.envFile = envFile }
    }

    func run() {
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
        LogSink.standardOutput.write(reply)
    }

    private static func fail(_ message: String, code: Int32 = 1) -> Never {
        LogSink.standardError.write(Array("saas-api: \(message)\n".utf8))
        Glibc.exit(code)
    }
}
