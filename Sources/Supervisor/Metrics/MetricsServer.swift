import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The `/metrics` listener (`METRICS_ADDRESS`), served from the supervisor's poll loop: a
/// tiny non-blocking HTTP/1.x responder. It reads one request head, answers `GET /metrics`
/// with the exposition (anything else 404 or 405) and closes the connection. It never waits:
/// a client has a second to send its head and to take the answer, and at most 16 are served
/// at once. The exposition is rendered from shared memory, never by asking a worker, so it
/// keeps answering while workers crash, hang or reload.
final class MetricsServer {
    /// The listener could not be set up.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private struct Client {
        var deadline: UInt64
        var input: [UInt8] = []
        var output: [UInt8] = []
        var sent = 0
        var answered = false
    }

    /// The address actually bound (the port filled in when `0` was asked).
    let address: MetricsAddress
    private let listenFD: Int32
    private var clients: [Int32: Client] = [:]
    private static let clientTimeout: UInt64 = 1_000_000_000
    private static let maxClients = 16

    /// Binds and listens on `address`.
    init(address: MetricsAddress) throws(Failure) {
        var storage = sockaddr_storage()
        var length: socklen_t
        let family: Int32
        if address.host.contains(":") {
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(address.port).bigEndian)
            guard inet_pton(AF_INET6, address.host, &v6.sin6_addr) == 1 else {
                throw Failure(description: "METRICS_ADDRESS \(address): not an IPv6 address")
            }
            withUnsafeBytes(of: v6) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            family = AF_INET6
        } else {
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(address.port).bigEndian)
            guard inet_pton(AF_INET, address.host, &v4.sin_addr) == 1 else {
                throw Failure(description: "METRICS_ADDRESS \(address): not an IPv4 address")
            }
            withUnsafeBytes(of: v4) { raw in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: raw) } }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            family = AF_INET
        }
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(family, type, 0)
        guard fd >= 0 else { throw Failure(description: "metrics listener: \(errorText())") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) == 0 }
        }
        guard bound, Glibc.listen(fd, 64) == 0 else {
            let text = errorText()
            Glibc.close(fd)
            throw Failure(description: "cannot listen for metrics on \(address) (METRICS_ADDRESS): \(text)")
        }
        withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        let port = withUnsafeBytes(of: storage) { raw -> UInt16 in
            // sin_port and sin6_port sit at the same offset, right after the family.
            UInt16(bigEndian: raw.load(fromByteOffset: 2, as: UInt16.self))
        }
        self.address = MetricsAddress(host: address.host, port: Int(port))
        self.listenFD = ListenerSet.moveHigh(fd)
    }

    /// The fds to poll and the events each waits for.
    var pollRequests: [(fd: Int32, events: Int16)] {
        [(self.listenFD, Int16(POLLIN))]
            + self.clients.sorted { $0.key < $1.key }.map { fd, client in
                (fd, Int16(client.answered ? POLLOUT : POLLIN))
            }
    }

    /// The earliest client deadline, for the poll timeout.
    var nextDeadline: UInt64? {
        self.clients.values.map(\.deadline).min()
    }

    /// Handles readiness of `fd` (one of `pollRequests`); `render` makes the exposition.
    func handle(fd: Int32, now: UInt64, render: () -> [UInt8]) {
        if fd == self.listenFD {
            self.accept(now: now)
            return
        }
        guard var client = self.clients[fd] else { return }
        if !client.answered {
            var chunk = [UInt8](repeating: 0, count: 2048)
            let count = recv(fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            guard count > 0 else {
                if count == 0 || (errno != EAGAIN && errno != EINTR) { self.drop(fd) }
                return
            }
            client.input += chunk[0..<count]
            guard let head = MetricsRequest(client.input) else {
                if client.input.count > 8192 { self.drop(fd) } else { self.clients[fd] = client }
                return
            }
            client.output = head.response(render: render)
            client.answered = true
        }
        while client.sent < client.output.count {
            let count = client.output[client.sent...].withUnsafeBytes {
                send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            }
            guard count > 0 else {
                if errno == EAGAIN || errno == EINTR {
                    self.clients[fd] = client  // the rest when the socket is writable again
                } else {
                    self.drop(fd)
                }
                return
            }
            client.sent += count
        }
        self.drop(fd)
    }

    /// Drops clients past their deadline.
    func expire(now: UInt64) {
        for (fd, client) in self.clients where client.deadline <= now { self.drop(fd) }
    }

    /// Closes the listener and every client.
    func close() {
        for fd in self.clients.keys { self.drop(fd) }
        Glibc.close(self.listenFD)
    }

    private func accept(now: UInt64) {
        NonBlockingAccept.drain(self.listenFD) { fd in
            guard self.clients.count < Self.maxClients else { return false }
            self.clients[fd] = Client(deadline: now &+ Self.clientTimeout)
            return true
        }
    }

    private func drop(_ fd: Int32) {
        self.clients.removeValue(forKey: fd)
        Glibc.close(fd)
    }
}
