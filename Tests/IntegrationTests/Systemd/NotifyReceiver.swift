import Foundation
import Glibc

/// A stand-in for systemd's `NOTIFY_SOCKET`: a unix datagram socket the test binds, and a
/// thread collecting every message (with the fds passed along, as `FDSTORE=1` does).
final class NotifyReceiver: @unchecked Sendable {
    /// One datagram: its text and the fds that came with it (owned by the receiver).
    struct Message {
        let text: String
        let fds: [Int32]
        /// Set by `onMessage` (e.g. the `/health` status seen right after `READY=1`).
        var note: String?
    }

    /// The socket's path, for `NOTIFY_SOCKET`.
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [Message] = []
    private var stopped = false
    private var thread: Thread?

    /// Binds a fresh socket; `onMessage` runs on the receiving thread before the message is
    /// stored, and may return a note to store with it.
    init(onMessage: @escaping @Sendable (String) -> String? = { _ in nil }) throws {
        self.path = NSTemporaryDirectory() + "saas-api-notify-\(UUID().uuidString.prefix(8)).sock"
        self.fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(self.path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(self.fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw RawSocket.Failure(description: "bind \(self.path): \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(self.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let thread = Thread { [self] in self.receiveLoop(onMessage) }
        thread.start()
        self.thread = thread
    }

    deinit { self.close() }

    /// Every message so far, in order.
    var messages: [Message] {
        self.lock.withLock { self.received }
    }

    /// The texts so far, minus the frequent `STATUS=` and `WATCHDOG=1`.
    var sequence: [String] {
        self.messages.map(\.text).filter { !$0.hasPrefix("STATUS=") && $0 != "WATCHDOG=1" }
    }

    /// Waits until some message satisfies `predicate`; returns it.
    @discardableResult
    func waitFor(timeout: Double = 20, _ predicate: (Message) -> Bool) -> Message? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let found = self.messages.first(where: predicate) { return found }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return nil
    }

    /// Stops the thread, closes the socket and every received fd, removes the path.
    func close() {
        let wasStopped = self.lock.withLock {
            defer { self.stopped = true }
            return self.stopped
        }
        guard !wasStopped else { return }
        while self.thread?.isFinished == false { Thread.sleep(forTimeInterval: 0.01) }
        Glibc.close(self.fd)
        for message in self.messages { for fd in message.fds { Glibc.close(fd) } }
        unlink(self.path)
    }

    private func receiveLoop(_ onMessage: @Sendable (String) -> String?) {
        while !self.lock.withLock({ self.stopped }) {
            guard let (text, fds) = self.receiveOne() else { continue }
            let note = onMessage(text)
            self.lock.withLock { self.received.append(Message(text: text, fds: fds, note: note)) }
        }
    }

    /// One datagram and its `SCM_RIGHTS` fds, or `nil` on timeout.
    private func receiveOne() -> (String, [Int32])? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var control = [UInt8](repeating: 0, count: 256)
        return buffer.withUnsafeMutableBytes { data in
            control.withUnsafeMutableBytes { controlBytes in
                var vector = iovec(iov_base: data.baseAddress, iov_len: data.count)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                    var header = msghdr()
                    header.msg_iov = vectorPointer
                    header.msg_iovlen = 1
                    header.msg_control = controlBytes.baseAddress
                    header.msg_controllen = controlBytes.count
                    let count = recvmsg(self.fd, &header, Int32(MSG_CMSG_CLOEXEC))
                    guard count >= 0 else { return nil }
                    let text = String(decoding: data[0..<count], as: UTF8.self)
                    return (text, Self.passedFDs(header, control: controlBytes))
                }
            }
        }
    }

    /// The fds of the `SCM_RIGHTS` records in `header`'s control data.
    private static func passedFDs(_ header: msghdr, control: UnsafeMutableRawBufferPointer) -> [Int32] {
        var fds: [Int32] = []
        var offset = 0
        let headerSize = MemoryLayout<cmsghdr>.size
        while offset + headerSize <= Int(header.msg_controllen) {
            let record = control.loadUnaligned(fromByteOffset: offset, as: cmsghdr.self)
            guard record.cmsg_len >= headerSize else { break }
            if record.cmsg_level == SOL_SOCKET && record.cmsg_type == Int32(SCM_RIGHTS) {
                let count = (Int(record.cmsg_len) - headerSize) / MemoryLayout<Int32>.size
                for index in 0..<count {
                    fds.append(control.loadUnaligned(fromByteOffset: offset + headerSize + index * 4, as: Int32.self))
                }
            }
            offset += (Int(record.cmsg_len) + 7) & ~7
        }
        return fds
    }
}
