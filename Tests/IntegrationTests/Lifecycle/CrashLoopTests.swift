import Foundation
import Testing

/// A worker that cannot boot, switched on and off with the test-only fault file
/// (`SAAS_API_FAULT_BOOT_FILE`, honoured only outside `APP_ENV=production`).
@Suite struct CrashLoopTests {
    private static func faultFile() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("saas-api-fault-\(UUID().uuidString)")
            .path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }

    @Test func crashLoopBacksOffStaysIdleAndRecoversWhenTheFaultIsRemoved() throws {
        let fault = Self.faultFile()
        defer { unlink(fault) }
        let server = try LifecycleServer(
            workers: 1,
            environment: ["SAAS_API_FAULT_BOOT_FILE": fault, "STARTUP_TIMEOUT": "30"],
            waitUntilServing: false
        )
        defer { server.stop() }
        try server.server.waitForLog("restarting worker 0 in 1600 ms")
        let cpuBefore = server.cpuSeconds()
        let sampleStart = Date()
        try server.server.waitForLog("restarting worker 0 in 3200 ms")
        let cpu = (server.cpuSeconds() - cpuBefore) / Date().timeIntervalSince(sampleStart)
        let failures = server.logTimes(containing: "failed to boot (exit 3)")
        let gaps = zip(failures.dropFirst(), failures).map { ($0 - $1) * 1000 }
        print(
            "crash loop: boot failures \(gaps.map { Int($0) }) ms apart; supervisor CPU \(String(format: "%.1f", cpu * 100))%"
        )
        // 100, 200, 400, 800, 1600 ms of backoff (plus a worker's boot time each).
        #expect(gaps.count >= 5)
        for (gap, backoff) in zip(gaps, [100.0, 200, 400, 800, 1600]) {
            #expect(gap >= backoff && gap < backoff + 1000, "\(gaps)")
        }
        #expect(cpu < 0.05)
        #expect(server.server.log.contains("injected boot fault"))
        unlink(fault)
        try server.server.waitUntilServing(timeout: 10)
        try server.waitForStatus(timeout: 5) { $0["ready"] as? Int == 1 && $0["phase"] as? String == "running" }
    }

    @Test func nothingReadyWithinTheStartupTimeoutExitsOneWithTheWorkerError() throws {
        let fault = Self.faultFile()
        defer { unlink(fault) }
        let server = try LifecycleServer(
            workers: 2,
            environment: ["SAAS_API_FAULT_BOOT_FILE": fault, "STARTUP_TIMEOUT": "2"],
            waitUntilServing: false
        )
        defer { server.stop() }
        let status = server.server.waitForExit(timeout: 10)
        #expect(status == 1)
        let last = server.server.logRecords.last?["msg"] as? String ?? ""
        #expect(last.contains("no worker became ready within 2 s") && last.contains("injected boot fault"), "\(last)")
        #expect(server.server.workerPIDs().isEmpty)
    }
}
