import Foundation
import Testing

/// The built supervisor running as a real process on a free port, with its log captured.
/// `stop()` (or deinit) kills whatever is left, so no test leaves processes behind.
final class ServerProcess {
    let port: Int
    let process: ChildProcess
    let logURL: URL

    /// Starts `Supervisor serve --port <free> --workers N ARGS` with `.env` + `environment`.
    init(workers: Int, environment: [String: String] = [:], arguments: [String] = []) throws {
        try TestEnvironment.requireServices()
        self.port = TestEnvironment.freePort()
        self.logURL = FileManager.default.temporaryDirectory.appendingPathComponent(
            "saas-api-test-\(UUID().uuidString).log"
        )
        _ = FileManager.default.createFile(atPath: self.logURL.path, contents: nil)
        // Run from an empty folder so the developer's .env is read only through `environment`.
        self.process = try ChildProcess(
            executable: TestEnvironment.binary,
            arguments: ["--port", String(self.port), "--workers", String(workers)] + arguments,
            environment: TestEnvironment.serverEnvironment(environment),
            directory: FileManager.default.temporaryDirectory.path,
            outputPath: self.logURL.path
        )
    }

    deinit { self.stop() }

    var pid: Int32 { self.process.processIdentifier }

    /// Polls `/health/live` until it answers 200 (or fails the test after `timeout` seconds).
    func waitUntilServing(timeout: Double = 15) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let response = try? HTTPClient.get(port: self.port, "/health/live", timeout: 1), response.status == 200 {
                return
            }
            try #require(self.process.isRunning, "the server exited early:\n\(self.log)")
            Thread.sleep(forTimeInterval: 0.02)
        }
        Issue.record("the server did not serve within \(timeout) s:\n\(self.log)")
        throw RawSocket.Failure(description: "not serving")
    }

    /// Waits until the log has a line containing `text`.
    func waitForLog(_ text: String, timeout: Double = 15) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if self.log.contains(text) { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
        Issue.record("no log line containing '\(text)' within \(timeout) s:\n\(self.log)")
        throw RawSocket.Failure(description: "log line missing")
    }

    /// Everything the server logged so far.
    var log: String { (try? String(contentsOf: self.logURL, encoding: .utf8)) ?? "" }

    /// The log as parsed JSON objects (lines that are not JSON are skipped).
    var logRecords: [[String: Any]] {
        self.log.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// The supervisor's live children, read from /proc.
    func workerPIDs() -> [Int32] {
        childPIDs(of: self.pid)
    }

    /// Waits until there are `count` workers and none of `excluding`; returns them.
    func waitForWorkers(_ count: Int, excluding: Set<Int32> = [], timeout: Double = 15) throws -> [Int32] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let pids = self.workerPIDs()
            if pids.count == count && excluding.isDisjoint(with: pids) { return pids }
            Thread.sleep(forTimeInterval: 0.01)
        }
        Issue.record("expected \(count) workers (not \(excluding)), have \(self.workerPIDs()):\n\(self.log)")
        throw RawSocket.Failure(description: "worker count")
    }

    /// Sends `signal` to the supervisor.
    func send(_ signal: Int32) { kill(self.pid, signal) }

    /// Waits for the supervisor to exit; returns its status, or `nil` on timeout.
    func waitForExit(timeout: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while self.process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        guard !self.process.isRunning else { return nil }
        return self.process.terminationStatus
    }

    /// Kills the supervisor and its workers if still running.
    func stop() {
        let children = self.workerPIDs()
        if self.process.isRunning {
            kill(self.pid, SIGKILL)
        }
        self.process.waitUntilExit()
        for child in children { kill(child, SIGKILL) }
        try? FileManager.default.removeItem(at: self.logURL)
    }
}

/// Direct children of `parent`, from /proc/*/stat.
func childPIDs(of parent: Int32) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    return entries.compactMap { entry -> Int32? in
        guard let pid = Int32(entry),
            let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state, fields[1] the parent pid; zombies are not alive.
        guard fields.count > 1, fields[0] != "Z", Int32(fields[1]) == parent else { return nil }
        return pid
    }.sorted()
}

/// Whether `pid` is a live (non-zombie) process.
func isAlive(_ pid: Int32) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return false }
    return !stat[stat.index(after: close)...].hasPrefix(" Z")
}
