import Foundation
import Glibc
import Testing

/// The `sd_notify` conversation with a test `NOTIFY_SOCKET`, no systemd needed: the exact
/// sequence for start, reload and stop, `READY=1` only once `/health` answers, the watchdog
/// pings, and the slot sockets handed to the fd store.
@Suite(.serialized) struct SystemdNotifyTests {
    @Test func startReloadAndStopSendTheExactSequence() throws {
        // On READY=1, ask /health at once: it must answer (200, or 503 with a dependency down).
        let port = PortBox()
        let receiver = try NotifyReceiver { text in
            guard text == "READY=1" else { return nil }
            return (try? HTTPClient.get(port: port.value, "/health", timeout: 5)).map { "health \($0.status)" }
        }
        defer { receiver.close() }
        let server = try ServerProcess(
            workers: 2,
            environment: ["NOTIFY_SOCKET": receiver.path, "WATCHDOG_USEC": "1000000"]
        )
        port.value = server.port
        defer { server.stop() }
        let ready = receiver.waitFor { $0.text == "READY=1" }
        try #require(ready != nil, "no READY=1:\n\(server.log)")
        #expect(ready?.note == "health 200" || ready?.note == "health 503", "READY=1 before /health answered")

        server.send(SIGHUP)
        try server.waitForLog("reload complete")
        let settled = receiver.waitFor {
            $0.text.hasPrefix("STATUS=2/2 workers ready") && !$0.text.contains("reloading")
        }
        #expect(settled != nil)
        server.send(SIGTERM)
        #expect(server.waitForExit() == 0)
        receiver.waitFor(timeout: 5) { $0.text == "STOPPING=1" }

        let reloading = receiver.sequence.first { $0.hasPrefix("RELOADING=1") } ?? ""
        #expect(
            receiver.sequence == [
                "FDSTORE=1\nFDNAME=saas-api-slot-0", "FDSTORE=1\nFDNAME=saas-api-slot-1", "MAINPID=\(server.pid)",
                "READY=1", reloading, "READY=1", "STOPPING=1",
            ]
        )
        // MONOTONIC_USEC is CLOCK_MONOTONIC, which this process shares.
        let microseconds = UInt64(reloading.split(separator: "=").last ?? "") ?? 0
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nowMicroseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        #expect(microseconds > 0 && microseconds <= nowMicroseconds && nowMicroseconds - microseconds < 60_000_000)
    }

    @Test func watchdogPingsFollowReadyAndKeepComing() throws {
        let receiver = try NotifyReceiver()
        defer { receiver.close() }
        let server = try ServerProcess(
            workers: 1,
            environment: ["NOTIFY_SOCKET": receiver.path, "WATCHDOG_USEC": "600000"]
        )
        defer { server.stop() }
        try #require(receiver.waitFor { $0.text == "READY=1" } != nil, "no READY=1:\n\(server.log)")
        Thread.sleep(forTimeInterval: 1.5)
        let texts = receiver.messages.map(\.text)
        let readyIndex = try #require(texts.firstIndex(of: "READY=1"))
        let afterReady = texts[(readyIndex + 1)...].filter { !$0.hasPrefix("STATUS=") }
        #expect(afterReady.first == "WATCHDOG=1", "a ping right after READY=1")
        // Every 300 ms: at least four in 1.5 s.
        #expect(afterReady.count { $0 == "WATCHDOG=1" } >= 4)
    }

    @Test func statusCountsRequestsServed() throws {
        let receiver = try NotifyReceiver()
        defer { receiver.close() }
        let server = try ServerProcess(workers: 1, environment: ["NOTIFY_SOCKET": receiver.path])
        defer { server.stop() }
        try server.waitUntilServing()
        for _ in 0..<5 { _ = try HTTPClient.get(port: server.port, "/health/live") }
        let status = receiver.waitFor(timeout: 5) { message in
            guard message.text.hasPrefix("STATUS=1/1 workers ready, "),
                let count = Int(message.text.split(separator: " ")[3])
            else { return false }
            return count >= 5
        }
        #expect(status != nil, "STATUS lines: \(receiver.messages.map(\.text).filter { $0.hasPrefix("STATUS") })")
    }

    @Test func slotSocketsGoToTheFileDescriptorStore() throws {
        let receiver = try NotifyReceiver()
        defer { receiver.close() }
        let server = try ServerProcess(workers: 2, environment: ["NOTIFY_SOCKET": receiver.path])
        defer { server.stop() }
        try #require(receiver.waitFor { $0.text == "READY=1" } != nil, "no READY=1:\n\(server.log)")
        let stored = receiver.messages.filter { $0.text.hasPrefix("FDSTORE=1") }
        #expect(stored.map(\.text) == ["FDSTORE=1\nFDNAME=saas-api-slot-0", "FDSTORE=1\nFDNAME=saas-api-slot-1"])
        for message in stored {
            #expect(message.fds.count == 1)
            guard let fd = message.fds.first else { continue }
            #expect(SocketInspection.isListening(fd) && SocketInspection.localPort(fd) == server.port)
        }
    }
}

/// The server's port, known only after the receiver (which needs it) exists.
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port = 0
    var value: Int {
        get { self.lock.withLock { self.port } }
        set { self.lock.withLock { self.port = newValue } }
    }
}
