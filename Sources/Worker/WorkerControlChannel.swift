import Dispatch
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The worker's end of its control channel (fd 3): messages to the supervisor, and the
/// supervisor's disappearance (EOF) as an event.
/// `@unchecked Sendable`: `source` is set once in `init` and only retained afterwards.
final class WorkerControlChannel: @unchecked Sendable {
    private let fd = WorkerLaunch.controlFD
    private let source: any DispatchSourceRead

    /// Watches the channel; `onClose` runs once, on `queue`, when the supervisor is gone.
    init(queue: DispatchQueue, onClose: @escaping @Sendable () -> Void) {
        let fd = self.fd
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler {
            var byte: UInt8 = 0
            let count = recv(fd, &byte, 1, Int32(MSG_DONTWAIT))
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) {
                source.cancel()
                onClose()
            }
        }
        source.resume()
        self.source = source
    }

    /// Sends `message` without blocking. Returns `false` when the supervisor is gone.
    @discardableResult
    func send(_ message: ControlMessage) -> Bool {
        let bytes = message.encoded
        let sent = bytes.withUnsafeBytes {
            Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
        }
        return sent >= 0 || errno == EAGAIN
    }

    /// Whether fd 3 is a socket: the check that this process really was spawned as a worker.
    static func isPresent() -> Bool {
        var info = stat()
        return fstat(WorkerLaunch.controlFD, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK
    }
}
