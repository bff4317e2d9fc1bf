import Foundation

/// A TCP proxy on a free port in front of a real dependency (the shared PostgreSQL or Redis),
/// which a test switches between forwarding, hanging and refusing, without touching the
/// dependency other suites use.
///
/// - `forward`: bytes flow both ways.
/// - `silent`: connections are accepted (new ones too) but no byte moves: a database that hangs.
/// - `refusing`: every connection is reset and the port refuses: a database that is stopped.
/// Switching back to `forward` resets the connections of the outage (as a restart would).
final class FaultyProxy: @unchecked Sendable {
    enum Mode { case forward, silent, refusing }

    let port: Int
    private let target: Int
    private let lock = NSLock()
    private var mode = Mode.forward
    private var listener: Int32 = -1
    private var connections: [Int32] = []
    private var stopped = false

    /// Starts forwarding 127.0.0.1:`port` → 127.0.0.1:`target`.
    init(target: Int) throws {
        self.target = target
        self.port = TestEnvironment.freePort()
        try self.listen()
    }

    deinit { self.stop() }

    /// `scheme://…@127.0.0.1:<proxy port>/…` from a URL pointing at the target.
    func url(replacingPortOf url: String) -> String {
        var components = URLComponents(string: url)!
        components.host = "127.0.0.1"
        components.port = self.port
        return components.string!
    }

    /// Switches the mode; a switch resets every connection carried so far.
    func set(_ mode: Mode) throws {
        self.lock.lock()
        let wasListening = self.listener >= 0
        self.mode = mode
        let open = mode == .silent ? [] : self.connections
        if mode != .silent { self.connections.removeAll() }
        self.lock.unlock()
        for fd in open { Self.reset(fd) }
        if mode == .refusing {
            self.lock.lock()
            let listener = self.listener
            self.listener = -1
            self.lock.unlock()
            if listener >= 0 {
                shutdown(listener, Int32(SHUT_RDWR))
                close(listener)
            }
        } else if !wasListening {
            try self.listen()
        }
    }

    /// Stops listening and resets every connection.
    func stop() {
        self.lock.lock()
        self.stopped = true
        let open = self.connections
        let listener = self.listener
        self.connections.removeAll()
        self.listener = -1
        self.lock.unlock()
        // The carrying threads close the connections once their pumps stop.
        for fd in open { Self.reset(fd) }
        if listener >= 0 {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    private func listen() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(self.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, Glibc.listen(fd, 128) == 0 else {
            close(fd)
            throw RawSocket.Failure(description: "proxy cannot listen on \(self.port): errno \(errno)")
        }
        self.lock.lock()
        self.listener = fd
        self.lock.unlock()
        Thread.detachNewThread { self.acceptLoop(fd) }
    }

    private func acceptLoop(_ listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            self.lock.lock()
            if self.stopped || self.mode == .refusing {
                self.lock.unlock()
                Self.reset(client)
                continue
            }
            self.connections.append(client)
            self.lock.unlock()
            Thread.detachNewThread { self.carry(client) }
        }
    }

    private func carry(_ client: Int32) {
        guard let upstream = try? RawSocket.connect(port: self.target, timeout: 2) else {
            Self.reset(client)
            return
        }
        self.lock.lock()
        self.connections.append(upstream.fd)
        self.lock.unlock()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            self.pump(from: upstream.fd, to: client)
            done.signal()
        }
        self.pump(from: client, to: upstream.fd)
        done.wait()
        self.lock.lock()
        self.connections.removeAll { $0 == client || $0 == upstream.fd }
        self.lock.unlock()
        close(client)
        close(upstream.fd)
    }

    /// Copies bytes until EOF or error; in `silent` mode, holds them (and reads no more).
    private func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 16384)
        var timeout = timeval(tv_sec: 0, tv_usec: 50000)
        setsockopt(source, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        while true {
            self.lock.lock()
            let mode = self.mode
            let alive = self.connections.contains(source) && self.connections.contains(destination) && !self.stopped
            self.lock.unlock()
            guard alive, mode != .refusing else { break }
            if mode == .silent {
                Thread.sleep(forTimeInterval: 0.05)
                continue
            }
            let count = recv(source, &buffer, buffer.count, 0)
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { continue }
            guard count > 0 else { break }
            self.lock.lock()
            let stillForwarding = self.mode == .forward
            self.lock.unlock()
            // Bytes read just as the proxy went silent are swallowed: a hung peer answers nothing.
            guard stillForwarding else { continue }
            guard send(destination, buffer, count, Int32(MSG_NOSIGNAL)) == count else { break }
        }
        Self.reset(source)
        Self.reset(destination)
    }

    private static func reset(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }
}
