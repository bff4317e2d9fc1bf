import Foundation
import Testing

/// saas-api under a real systemd: runs `scripts/systemd-e2e` (a systemd-nspawn container with
/// the installed binary and units) and asserts every check it reports. Needs root, as CI is;
/// the script installs systemd-container when it is missing.
@Suite struct SystemdEndToEndTests {
    /// The checks the script must report as passed (prefixes of its `PASS:` lines).
    static let required = [
        "make install into the container root",
        "systemd boots in the container",
        "systemd-analyze verify is clean",
        "security exposure",
        "socket started, service not yet",
        "the first request activates the service",
        "systemctl show: Type=notify, running, STATUS",
        "/health answers",
        "journalctl REQUEST_ID=",
        "journalctl -u saas-api WORKER=0 finds records",
        "systemctl reload under load: nothing refused or failed",
        "reload replaced the workers",
        "systemctl restart under load (socket activation): nothing refused or failed",
        "restart started a new supervisor",
        "kill -9 of worker",
        "without the socket unit the service binds port",
        "systemctl restart under load (fd store): nothing refused or failed",
        "the restarted supervisor took its sockets back from the fd store",
        "kill -9 of the supervisor under load (fd store): nothing refused",
        "systemd restarted the killed supervisor",
        "a frozen supervisor trips the watchdog and systemd restarts it",
        "systemctl stop ends with Result=success",
    ]

    @Test func runsUnderARealSystemd() throws {
        try #require(getuid() == 0, "the systemd end-to-end test boots a container: run it as root (CI does)")
        try TestEnvironment.requireServices()
        let script = TestEnvironment.packageRoot.appendingPathComponent("scripts/systemd-e2e").path
        var environment = ProcessInfo.processInfo.environment
        environment["SAAS_API_BINARY"] = TestEnvironment.binary
        let (status, output) = try ChildProcess.run(
            "/usr/bin/timeout",
            ["900", script],
            environment: environment,
            directory: TestEnvironment.packageRoot.path
        )
        // The measured numbers (security score, failures under load) end up in the test log.
        let lines = output.split(separator: "\n")
        print(lines.filter { $0.hasPrefix("MEASURE:") || $0.hasPrefix("FAIL:") }.joined(separator: "\n"))
        let passed = Set(lines.filter { $0.hasPrefix("PASS: ") }.map { String($0.dropFirst(6)) })
        for check in Self.required {
            #expect(passed.contains { $0.hasPrefix(check) }, "not passed: \(check)")
        }
        #expect(output.contains("\n0 failed") || output.contains(" passed, 0 failed"), "\(output)")
        #expect(status == 0, "scripts/systemd-e2e exited \(status):\n\(output)")
    }
}
