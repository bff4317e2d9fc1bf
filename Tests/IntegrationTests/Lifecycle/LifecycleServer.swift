import Foundation
import Testing

/// A `ServerProcess` plus what the lifecycle tests need: its own control socket (asked
/// directly, or through the `status` subcommand), the supervisor's CPU time, log timing.
final class LifecycleServer {
    let server: ServerProcess
    let controlSocket: String

    /// Starts the binary with `workers` and `environment` and waits until it serves (unless
    /// `waitUntilServing` is false).
    init(
        workers: Int,
        environment: [String: String] = [:],
        arguments: [String] = [],
        waitUntilServing: Bool = true
    ) throws {
        self.controlSocket = "/tmp/saas-api-test-\(UUID().uuidString.prefix(8)).sock"
        var environment = environment
        environment["CONTROL_SOCKET"] = self.controlSocket
        environment["APP_ENV"] = environment["APP_ENV"] ?? "test"
        self.server = try ServerProcess(workers: workers, environment: environment, arguments: arguments)
        if waitUntilServing { try self.server.waitUntilServing() }
    }

    deinit { self.stop() }

    var port: Int { self.server.port }
    var pid: Int32 { self.server.pid }

    /// Kills everything left and removes the control socket.
    func stop() {
        self.server.stop()
        unlink(self.controlSocket)
    }

    /// The supervisor's answer to `v1 status json`, parsed.
    func status() throws -> [String: Any] {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(self.controlSocket.utf8)) }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
        guard connected else { throw RawSocket.Failure(description: "status: cannot connect to \(self.controlSocket)") }
        _ = send(fd, "v1 status json\n", 15, 0)
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            guard count > 0 else { break }
            reply += buffer[0..<count]
        }
        let object = try JSONSerialization.jsonObject(with: Data(reply))
        guard let status = object as? [String: Any] else { throw RawSocket.Failure(description: "status: not JSON") }
        return status
    }

    /// Runs `Supervisor status ARGS` against this server; returns (exit status, stdout).
    func statusCommand(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestEnvironment.binary)
        process.arguments = ["status", "--control-socket", self.controlSocket] + arguments
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Waits until `condition` holds for the status, returning the seconds it took.
    @discardableResult
    func waitForStatus(timeout: Double = 15, _ condition: ([String: Any]) -> Bool) throws -> Double {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            if let status = try? self.status(), condition(status) { return Date().timeIntervalSince(start) }
            Thread.sleep(forTimeInterval: 0.005)
        }
        let last = (try? self.status()).map { "\($0)" } ?? "no status"
        Issue.record("status condition not met within \(timeout) s; last: \(last)\n\(self.server.log)")
        throw RawSocket.Failure(description: "status timeout")
    }

    /// The supervisor's user + system CPU time in seconds (/proc/PID/stat).
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(self.pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the ")": state is field 3 of the man page, utime 14 and stime 15.
        let utime = Double(fields[11]) ?? 0
        let stime = Double(fields[12]) ?? 0
        return (utime + stime) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The messages of log records containing `text`, with their `ts` (seconds since epoch).
    func logTimes(containing text: String) -> [Double] {
        self.server.logRecords.compactMap { record in
            guard let message = record["message"] as? String ?? record["msg"] as? String, message.contains(text)
            else { return nil }
            return Self.time(of: record)
        }
    }

    private static func time(of record: [String: Any]) -> Double? {
        guard let stamp = (record["timestamp"] ?? record["ts"] ?? record["time"]) as? String else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: stamp)?.timeIntervalSince1970
    }
}

/// The `slots` of a status object.
func slots(_ status: [String: Any]) -> [[String: Any]] {
    status["slots"] as? [[String: Any]] ?? []
}

/// The worker pids of a status object's slots.
func slotPIDs(_ status: [String: Any]) -> [Int32] {
    slots(status).compactMap { ($0["pid"] as? NSNumber)?.int32Value }
}
