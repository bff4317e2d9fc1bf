import Foundation
import Testing

/// Debian's `prometheus` scraping one target every second, on a free port with its own
/// temporary storage; stopped (and its files removed) by `stop()` or deinit. Missing binaries
/// fail the test: `scripts/services` installs the `prometheus` package.
final class PrometheusServer {
    static let binary = "/usr/bin/prometheus"
    static let promtool = "/usr/bin/promtool"

    let port: Int
    let process: ChildProcess
    let directory: URL

    /// Starts Prometheus scraping `http://127.0.0.1:<target>/metrics` every second.
    init(scraping target: Int) throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.binary),
            "no \(Self.binary): install Debian's prometheus (scripts/services installs it)"
        )
        self.port = TestEnvironment.freePort()
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "saas-api-prom-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        let config = """
            global:
              scrape_interval: 1s
              scrape_timeout: 900ms
            scrape_configs:
              - job_name: saas-api
                static_configs:
                  - targets: ['127.0.0.1:\(target)']
            """
        let configPath = self.directory.appendingPathComponent("prometheus.yml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        self.process = try ChildProcess(
            executable: Self.binary,
            arguments: [
                "--config.file=\(configPath)",
                "--storage.tsdb.path=\(self.directory.appendingPathComponent("data").path)",
                "--web.listen-address=127.0.0.1:\(self.port)",
                "--log.level=warn",
            ],
            environment: ProcessInfo.processInfo.environment,
            directory: self.directory.path,
            outputPath: self.directory.appendingPathComponent("prometheus.log").path
        )
    }

    deinit { self.stop() }

    /// Prometheus's own log.
    var log: String {
        (try? String(contentsOf: self.directory.appendingPathComponent("prometheus.log"), encoding: .utf8)) ?? ""
    }

    /// Waits until the HTTP API answers.
    func waitUntilReady(timeout: Double = 30) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let response = try? HTTPClient.get(port: self.port, "/-/ready", timeout: 1), response.status == 200 {
                return
            }
            try #require(self.process.isRunning, "prometheus exited:\n\(self.log)")
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("prometheus not ready within \(timeout) s:\n\(self.log)")
        throw RawSocket.Failure(description: "prometheus not ready")
    }

    /// The value of the instant query `expression` now, or `nil` when it has no result.
    func query(_ expression: String) throws -> Double? {
        let body = try Self.curl([
            "-G", "--data-urlencode", "query=\(expression)", "http://127.0.0.1:\(self.port)/api/v1/query",
        ])
        let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        try #require(json?["status"] as? String == "success", "query \(expression): \(body)")
        let data = json?["data"] as? [String: Any]
        guard let result = (data?["result"] as? [[String: Any]])?.first, let value = result["value"] as? [Any],
            value.count == 2, let text = value[1] as? String
        else { return nil }
        return Double(text)
    }

    /// `curl -sS ARGS…` (Prometheus may answer chunked, which the tests' raw client does not
    /// read); fails the test when curl fails.
    static func curl(_ arguments: [String]) throws -> String {
        let (status, output) = try ChildProcess.run("/usr/bin/curl", ["-sS", "--max-time", "5"] + arguments)
        try #require(status == 0, "curl \(arguments.joined(separator: " ")) failed: \(output)")
        return output
    }

    /// Polls `expression` until `accept` holds for its value; returns the last value seen.
    @discardableResult
    func waitFor(_ expression: String, timeout: Double = 20, _ accept: (Double?) -> Bool) throws -> Double? {
        let deadline = Date().addingTimeInterval(timeout)
        var last: Double?
        while Date() < deadline {
            last = try self.query(expression)
            if accept(last) { return last }
            Thread.sleep(forTimeInterval: 0.25)
        }
        Issue.record("\(expression) stayed at \(String(describing: last)) for \(timeout) s")
        return last
    }

    /// Stops Prometheus and removes its files.
    func stop() {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
        self.process.waitUntilExit()
        try? FileManager.default.removeItem(at: self.directory)
    }
}
