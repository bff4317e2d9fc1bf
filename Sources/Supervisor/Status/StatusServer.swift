import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The supervisor's end of the local control socket: a non-blocking `AF_UNIX` listener (mode
/// 0600) served from the poll loop. A client sends one line (`v1 status json` or
/// `v1 status text`), gets the answer, and the connection closes. Nothing here ever blocks:
/// a client that does not send its line within a second is dropped.
final class StatusServer {
    /// The socket could not be created.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// What a client asked for.
    enum Request: Equatable {
        case json, text
    }

    /// The socket's path (removed again by `close()`).
    let path: String
    private let listenFD: Int32
    /// Accepted clients: fd → (deadline, bytes received so far).
    private var clients: [Int32: (deadline: UInt64, buffer: [UInt8])] = [:]
    private static let clientTimeout: UInt64 = 1_000_000_000
    private static let maxClients = 16

    /// Listens on `path`, replacing a stale socket there but never a live one or a non-socket.
    init(path: String) throws(Failure) {
        self.path = path
        var info = stat()
        if lstat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFSOCK else {
                throw Failure(description: "control socket \(path): the path exists and is not a socket")
            }
            let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            let live = ControlSocketPath.connect(probe, to: path)
            Glibc.close(probe)
            guard !live else { throw Failure(description: "control socket \(path) is in use by another supervisor") }
            unlink(path)
        }
        guard var address = ControlSocketPath.address(path) else {
            throw Failure(description: "control socket \(path): the path is too long")
        }
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(AF_UNIX, type, 0)
        guard fd >= 0 else { throw Failure(description: "control socket: \(errorText())") }
        // Private from birth: no window in which another user could connect.
        let previous = umask(0o177)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
        umask(previous)
        guard bound, Glibc.listen(fd, 16) == 0 else {
            let text = errorText()
            Glibc.close(fd)
            throw Failure(description: "control socket \(path): \(text)")
        }
        self.listenFD = ListenerSet.moveHigh(fd)
    }

    /// The fds to poll for reading.
    var pollFDs: [Int32] {
        [self.listenFD] + self.clients.keys.sorted()
    }

    /// The earliest client deadline, for the poll timeout.
    var nextDeadline: UInt64? {
        self.clients.values.map(\.deadline).min()
    }

    /// Handles readiness of `fd` (one of `pollFDs`); `answer` renders the reply.
    func handle(fd: Int32, now: UInt64, answer: (Request) -> [UInt8]) {
        if fd == self.listenFD {
            self.accept(now: now)
            return
        }
        guard var client = self.clients[fd] else { return }
        var chunk = [UInt8](repeating: 0, count: 256)
        let count = recv(fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
        guard count > 0 else {
            if count == 0 || (errno != EAGAIN && errno != EINTR) { self.drop(fd) }
            return
        }
        client.buffer += chunk[0..<count]
        guard let newline = client.buffer.firstIndex(of: UInt8(ascii: "\n")) else {
            if client.buffer.count > 1024 { self.drop(fd) } else { self.clients[fd] = client }
            return
        }
        let line = String(decoding: client.buffer[..<newline], as: UTF8.self)
        let reply: [UInt8]
        switch line.split(separator: " ") {
        case ["v1", "status", "json"]: reply = answer(.json)
        case ["v1", "status", "text"], ["v1", "status"]: reply = answer(.text)
        default: reply = Array("error: unknown request '\(line.prefix(60))'\n".utf8)
        }
        // Small replies fit the socket buffer; a client that stopped reading loses the rest.
        _ = reply.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) }
        self.drop(fd)
    }

    /// Drops clients past their deadline.
    func expire(now: UInt64) {
        for (fd, client) in self.clients where client.deadline <= now { self.drop(fd) }
    }

    /// Closes everything and removes the socket file.
    func close() {
        for fd in self.clients.keys { self.drop(fd) }
        Glibc.close(self.listenFD)
        unlink(self.path)
    }

    private func accept(now: UInt64) {
        NonBlockingAccept.drain(self.listenFD) { fd in
            guard self.clients.count < Self.maxClients else { return false }
            self.clients[fd] = (now &+ Self.clientTimeout, [])
            return true
        }
    }

    private func drop(_ fd: Int32) {
        self.clients.removeValue(forKey: fd)
        Glibc.close(fd)
    }
}
