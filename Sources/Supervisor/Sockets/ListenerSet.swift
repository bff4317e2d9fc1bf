import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The listening sockets the supervisor holds for its whole life and hands to workers.
///
/// Bound mode: one `SO_REUSEPORT` socket per worker slot, so a slot's backlog keeps queued
/// connections while its worker restarts; a slot added by scaling gets a new socket bound the
/// same way, a slot scaled away has its socket closed. Activated mode: the sockets systemd
/// passed, shared by every worker.
struct ListenerSet {
    /// A socket that could not be created or adopted.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The listening fds, all `O_CLOEXEC` and numbered above the fds workers receive; `-1` for
    /// a slot scaled away.
    private(set) var fds: [Int32]
    /// Whether every worker gets all fds (socket activation) or slot k gets `fds[k]`.
    let shared: Bool
    /// `0.0.0.0:3000`, or `systemd socket activation (1 socket)`.
    let address: String

    /// Where bound mode binds (`nil` in activated mode).
    private var endpoint: (host: String, port: Int)?

    /// The fds worker `slot` inherits; in bound mode a slot without a socket gets one now.
    mutating func fds(forSlot slot: Int) throws(Failure) -> [Int32] {
        guard !self.shared else { return self.fds }
        while self.fds.count <= slot { self.fds.append(-1) }
        if self.fds[slot] < 0, let endpoint = self.endpoint {
            self.fds[slot] = try Self.bindOne(host: endpoint.host, port: endpoint.port)
        }
        return [self.fds[slot]]
    }

    /// Closes `slot`'s socket after it was scaled away (bound mode; shared sockets stay).
    mutating func release(slot: Int) {
        guard !self.shared, slot < self.fds.count, self.fds[slot] >= 0 else { return }
        close(self.fds[slot])
        self.fds[slot] = -1
    }

    /// Binds one `SO_REUSEPORT` socket per slot on `host:port`, reusing a slot's socket from
    /// systemd's fd store (`stored`, by slot) when it is bound to that same address. Stored
    /// sockets not reused (another address, a slot beyond `count`) are closed.
    static func bind(
        host: String,
        port: Int,
        count: Int,
        reusing stored: [Int: Int32] = [:]
    ) throws(Failure)
        -> ListenerSet
    {
        let (fds, address) = try Self.withAddress(host: host, port: port) { info, address throws(Failure) in
            let reusable = stored.filter { $0.key < count && Self.isBound($0.value, to: info) }
            for (slot, fd) in stored where reusable[slot] == nil { close(fd) }
            if reusable.isEmpty {
                // A probe without SO_REUSEPORT fails if anyone already listens here, even another
                // SO_REUSEPORT group, which our own sockets would otherwise silently join.
                let probe = try Self.listen(info, address: address, reusePort: false)
                close(probe)
            }
            var fds: [Int32] = []
            do throws(Failure) {
                for slot in 0..<count {
                    if let stored = reusable[slot] {
                        fds.append(stored)
                    } else {
                        fds.append(try Self.listen(info, address: address, reusePort: true))
                    }
                }
            } catch {
                for fd in fds { close(fd) }
                throw error
            }
            return (fds, address)
        }
        var set = ListenerSet(fds: fds, shared: false, address: address)
        set.endpoint = (host, port)
        return set
    }

    /// The sockets of a `.socket` unit, shared by every worker.
    static func activated(_ sockets: [PassedSockets.Socket]) -> ListenerSet {
        let count = sockets.count
        return ListenerSet(
            fds: sockets.map { $0.fd },
            shared: true,
            address: "systemd socket activation (\(count) socket\(count == 1 ? "" : "s"))"
        )
    }

    /// One more `SO_REUSEPORT` socket on `host:port`, joining the group of the others.
    private static func bindOne(host: String, port: Int) throws(Failure) -> Int32 {
        try Self.withAddress(host: host, port: port) { info, address throws(Failure) in
            try Self.listen(info, address: address, reusePort: true)
        }
    }

    /// Resolves `host:port` for listening and runs `body` with it and its printable form.
    private static func withAddress<T>(
        host: String,
        port: Int,
        _ body: (addrinfo, String) throws(Failure) -> T
    ) throws(Failure) -> T {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let info = list else {
            throw Failure(description: "cannot listen on \(address): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        return try body(info.pointee, address)
    }

    /// Whether `fd` is bound to the address and port of `info`.
    private static func isBound(_ fd: Int32, to info: addrinfo) -> Bool {
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &bound) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0, length == info.ai_addrlen, let wanted = info.ai_addr else { return false }
        return withUnsafeBytes(of: &bound) { memcmp($0.baseAddress!, wanted, Int(length)) == 0 }
    }

    private static func listen(_ info: addrinfo, address: String, reusePort: Bool) throws(Failure) -> Int32 {
        let fd = socket(info.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "cannot listen on \(address): \(errorText())") }
        var on: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        if reusePort {
            setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        guard Glibc.bind(fd, info.ai_addr, info.ai_addrlen) == 0, Glibc.listen(fd, SOMAXCONN) == 0 else {
            let text = errorText()
            close(fd)
            throw Failure(description: "cannot listen on \(address): \(text)")
        }
        return Self.moveHigh(fd)
    }

    /// Moves `fd` to a number ≥ 100 (close-on-exec), so the `dup2` to a worker's fixed fds
    /// never lands on a source fd.
    static func moveHigh(_ fd: Int32) -> Int32 {
        let high = fcntl(fd, F_DUPFD_CLOEXEC, 100)
        guard high >= 0 else { return fd }
        close(fd)
        return high
    }
}

/// `strerror(errno)`.
func errorText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
