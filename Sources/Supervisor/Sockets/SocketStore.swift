import Shared

#if canImport(Glibc)
import Glibc
#endif

/// Keeps systemd's file-descriptor store in step with the supervisor's slot sockets, so a
/// restart or a crash of the supervisor refuses no connection: systemd holds a copy of each
/// socket (its backlog keeps queueing) and passes them back to the next supervisor.
///
/// Only in bound mode under systemd; socket activation needs no store (the `.socket` unit
/// holds the sockets). Each slot's socket is stored under its own name,
/// `saas-api-slot-<k>`, which `PassedSockets` recognises on the way back.
struct SocketStore {
    private let notifier: SystemdNotifier
    /// slot → the fd systemd holds a copy of.
    private var stored: [Int: Int32]

    /// A store that knows what systemd already holds (`stored`, as passed back at start).
    init(notifier: SystemdNotifier, alreadyStored stored: [Int: Int32]) {
        self.notifier = notifier
        self.stored = stored
    }

    /// Whether the store is used at all (systemd listens).
    var isEnabled: Bool { self.notifier.isEnabled }

    /// Stores every slot socket of `listeners` that systemd does not hold yet and forgets stored
    /// slots `listeners` no longer has.
    mutating func sync(_ listeners: ListenerSet) {
        guard self.isEnabled, !listeners.shared else { return }
        for (slot, fd) in listeners.fds.enumerated() where fd >= 0 {
            self.update(slot: slot, fd: fd)
        }
        for slot in self.stored.keys.sorted() where slot >= listeners.fds.count || listeners.fds[slot] < 0 {
            self.remove(slot: slot)
        }
    }

    /// Stores `fd` as `slot`'s socket, replacing a different one stored before.
    mutating func update(slot: Int, fd: Int32) {
        guard self.isEnabled, self.stored[slot] != fd else { return }
        if self.stored[slot] != nil { self.remove(slot: slot) }
        if self.notifier.storeFileDescriptor(fd, name: PassedSockets.storeName(slot: slot)) {
            self.stored[slot] = fd
        }
    }

    /// Drops `slot`'s socket from the store (scaled away, or not reused).
    mutating func remove(slot: Int) {
        guard self.isEnabled else { return }
        self.notifier.removeStoredFileDescriptors(name: PassedSockets.storeName(slot: slot))
        self.stored[slot] = nil
    }
}
