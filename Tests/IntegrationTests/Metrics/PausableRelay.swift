import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP relay on a free loopback port in front of the real PostgreSQL that a test can pause:
/// while paused, bytes in both directions wait inside the relay and every connection stays
/// open, as behind a stalled network or a frozen server. Connections opened while paused
/// wait in their handshake. Plumbing only: every byte reaches the real server unchanged.
final class PausableRelay: @unchecked Sendable {
    /// Where the server under test connects.
    let port: Int
    private let targetPort: Int
    private let listener: Int32
    private let lock = NSLock()
    private var paused = false
    private var stopped = false
    private var sockets: [Int32] = []

    /// Starts relaying to `127.0.0.1:targetPort`.
    init(to targetPort: Int) throws {
        self.targetPort = targetPort
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            close(listener)
            throw RawSocket.Failure(description: "relay: cannot listen (errno \(errno))")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        self.port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { self.acceptLoop() }
    }

    /// Holds (`true`) or releases (`false`) the traffic.
    var isPaused: Bool {
        get { self.lock.withLock { self.paused } }
        set { self.lock.withLock { self.paused = newValue } }
    }

    /// Closes the listener and every relayed connection.
    func stop() {
        let open = self.lock.withLock {
            self.stopped = true
            self.paused = false
            return self.sockets
        }
        shutdown(self.listener, Int32(SHUT_RDWR))
        close(self.listener)
        for socket in open { shutdown(socket, Int32(SHUT_RDWR)) }
    }

    deinit { self.stop() }

    private func acceptLoop() {
        while true {
            let client = accept(self.listener, nil, nil)
            guard client >= 0 else { return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = Self.loopback(port: self.targetPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            let admitted = self.lock.withLock {
                guard !self.stopped else { return false }
                self.sockets += [client, upstream]
                return true
            }
            guard connected == 0, admitted else {
                close(client)
                close(upstream)
                continue
            }
            Thread.detachNewThread { self.pump(from: client, to: upstream) }
            Thread.detachNewThread { self.pump(from: upstream, to: client) }
        }
    }

    /// Copies `from` to `to`, holding what it read while paused; a closed side closes the other.
    private func pump(from source: Int32, to destination: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(source, &buffer, buffer.count)
            guard count > 0 else { break }
            while self.isPaused { usleep(2000) }
            var written = 0
            while written < count {
                let result = buffer[written..<count].withUnsafeBytes { write(destination, $0.baseAddress, $0.count) }
                guard result > 0 else { break }
                written += result
            }
            guard written == count else { break }
        }
        shutdown(destination, Int32(SHUT_RDWR))
        shutdown(source, Int32(SHUT_RDWR))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
