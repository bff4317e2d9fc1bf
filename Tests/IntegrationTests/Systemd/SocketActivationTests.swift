import Foundation
import Glibc
import Testing

/// Socket activation through Debian's `systemd-socket-activate`: the supervisor serves on the
/// socket it was passed and opens no listening socket of its own; a passed fd that is not a
/// listening stream socket is refused with a clear error.
@Suite(.serialized) struct SocketActivationTests {
    static let activator = "/usr/bin/systemd-socket-activate"

    /// `systemd-socket-activate ARGS… <binary>` with the server's environment passed by `-E`
    /// (the activator passes nothing else), logging to a temporary file.
    static func activate(
        _ arguments: [String],
        environment extra: [String: String]
    ) throws -> (
        ChildProcess, URL
    ) {
        try TestEnvironment.requireServices()
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.activator),
            "\(Self.activator) is missing: apt-get install systemd"
        )
        var environment = TestEnvironment.serverEnvironment(extra)
        for key in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "NOTIFY_SOCKET"] { environment[key] = nil }
        let passed = environment.filter { key, _ in
            ["PATH", "HOME", "METRICS_ADDRESS"].contains(key) || key.hasSuffix("_URL") || extra[key] != nil
        }
        let log = FileManager.default.temporaryDirectory.appendingPathComponent(
            "saas-api-activate-\(UUID().uuidString).log"
        )
        let child = try ChildProcess(
            executable: Self.activator,
            arguments: arguments + passed.flatMap { ["-E", "\($0.key)=\($0.value)"] } + [TestEnvironment.binary],
            environment: environment,
            directory: FileManager.default.temporaryDirectory.path,
            outputPath: log.path
        )
        // The activator binds before it waits for the first connection: wait for that.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("Listening on") {
            Thread.sleep(forTimeInterval: 0.01)
        }
        return (child, log)
    }

    @Test func servesOnThePassedSocketAndBindsNothingItself() throws {
        let port = TestEnvironment.freePort()
        // PORT names a port this test keeps busy: had the supervisor tried to bind, it would fail.
        let blocker = try RawListener()
        defer { blocker.close() }
        let (child, log) = try Self.activate(
            ["-l", "127.0.0.1:\(port)", "--fdname=http"],
            environment: ["PORT": String(blocker.port), "WORKERS": "2", "LOG_FORMAT": "json"]
        )
        defer {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            try? FileManager.default.removeItem(at: log)
        }
        // The first connection makes the activator exec the supervisor (same pid).
        let response = try HTTPClient.get(port: port, "/health/live", timeout: 20)
        #expect(response.status == 200)
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(text.contains("systemd socket activation (1 socket)"), "\(text)")
        let passed = SocketInspection.listeningInodes(port: port)
        #expect(passed.count == 1)
        let supervisor = child.processIdentifier
        let workers = childPIDs(of: supervisor)
        #expect(workers.count == 2)
        let listening = SocketInspection.listeningInodes()
        for pid in [supervisor] + workers {
            let listeners = SocketInspection.socketInodes(pid: pid).intersection(listening)
            #expect(listeners == passed, "pid \(pid) holds listening sockets \(listeners), passed \(passed)")
        }
        kill(supervisor, SIGTERM)
        child.waitUntilExit()
        #expect(child.terminationStatus == 0)
    }

    @Test func refusesAPassedSocketThatIsNotAListeningStream() throws {
        let port = TestEnvironment.freePort()
        let (child, log) = try Self.activate(
            ["--datagram", "-l", "127.0.0.1:\(port)", "--fdname=udp"],
            environment: ["WORKERS": "1", "LOG_FORMAT": "json"]
        )
        defer {
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            try? FileManager.default.removeItem(at: log)
        }
        // A datagram wakes the activator.
        let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(udp) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(udp, "x", 1, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        let deadline = Date().addingTimeInterval(15)
        while child.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(!child.isRunning)
        #expect(child.terminationStatus == 1)
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(text.contains("fd 3 (udp) is not a listening stream socket"), "\(text)")
    }
}

/// A TCP socket listening on a free port of 127.0.0.1, to keep that port busy.
struct RawListener {
    let fd: Int32
    let port: Int

    init() throws {
        self.fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = INADDR_ANY
        let fd = self.fd
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 1) == 0, let port = SocketInspection.localPort(fd) else {
            Glibc.close(fd)
            throw RawSocket.Failure(description: "cannot listen: \(errno)")
        }
        self.port = port
    }

    func close() { Glibc.close(self.fd) }
}
