#if canImport(Glibc)
import Glibc
#endif

/// The sockets systemd passed to this process (`LISTEN_PID`, `LISTEN_FDS`, `LISTEN_FDNAMES`),
/// split into the two kinds it passes: sockets of a `.socket` unit (socket activation) and
/// the supervisor's own sockets coming back from the file-descriptor store.
struct PassedSockets {
    /// One passed fd, moved above the fds workers receive, and the name systemd gave it.
    struct Socket: Equatable {
        let fd: Int32
        let name: String
    }

    /// The names under which the supervisor stores slot sockets: `saas-api-slot-<k>`.
    static let slotNamePrefix = "saas-api-slot-"

    /// Sockets of a `.socket` unit (named after it, or `unknown` without names).
    let activated: [Socket]
    /// Slot sockets from the fd store, by slot.
    let stored: [Int: Int32]

    /// The store name of `slot`'s socket.
    static func storeName(slot: Int) -> String {
        "\(Self.slotNamePrefix)\(slot)"
    }

    /// Takes what systemd passed to this process (nothing when `LISTEN_PID` is another
    /// process's) and clears the variables, so workers never see them. Every passed fd must be
    /// a listening stream socket.
    static func take() throws(ListenerSet.Failure) -> PassedSockets {
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let pidText = Self.variable("LISTEN_PID"), Int32(pidText) == getpid(),
            let countText = Self.variable("LISTEN_FDS"), let count = Int32(countText), count >= 1
        else { return PassedSockets(activated: [], stored: [:]) }
        let names = Self.variable("LISTEN_FDNAMES").map { $0.split(separator: ":", omittingEmptySubsequences: false) }
        var activated: [Socket] = []
        var stored: [Int: Int32] = [:]
        for index in 0..<Int(count) {
            let fd = 3 + Int32(index)
            let name = names.flatMap { index < $0.count ? String($0[index]) : nil } ?? "unknown"
            guard Self.isListeningStream(fd) else {
                throw ListenerSet.Failure(
                    description: "socket activation: fd \(fd) (\(name)) is not a listening stream socket"
                )
            }
            let high = ListenerSet.moveHigh(fd)
            if name.hasPrefix(Self.slotNamePrefix), let slot = Int(name.dropFirst(Self.slotNamePrefix.count)),
                slot >= 0, stored[slot] == nil
            {
                stored[slot] = high
            } else {
                activated.append(Socket(fd: high, name: name))
            }
        }
        return PassedSockets(activated: activated, stored: stored)
    }

    /// `SO_ACCEPTCONN` and `SOCK_STREAM`.
    static func isListeningStream(_ fd: Int32) -> Bool {
        var acceptsConnections: Int32 = 0
        var type: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        let isListening =
            getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acceptsConnections, &length) == 0 && acceptsConnections == 1
        length = socklen_t(MemoryLayout<Int32>.size)
        let isStream = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == 0 && type == Int32(SOCK_STREAM.rawValue)
        return isListening && isStream
    }

    private static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
