import CSystemd

#if canImport(Glibc)
import Glibc
#endif

/// `sd_notify` through libsystemd. Every call is a no-op when `NOTIFY_SOCKET` is unset.
public struct SystemdNotifier: Sendable {
    /// Whether systemd listens (`NOTIFY_SOCKET` was set at creation).
    public let isEnabled: Bool

    /// Reads `NOTIFY_SOCKET` once.
    public init() {
        self.isEnabled = getenv("NOTIFY_SOCKET") != nil
    }

    /// Sends newline-separated `KEY=VALUE` assignments (e.g. `READY=1\nSTATUS=…`).
    public func notify(_ state: String) {
        guard self.isEnabled else { return }
        _ = sd_notify(0, state)
    }

    /// Hands `fd` to systemd's file-descriptor store under `name` (`FDSTORE=1`, `FDNAME=`):
    /// systemd keeps a copy while the service restarts and passes it back in `LISTEN_FDS`.
    /// Needs `FileDescriptorStoreMax=` in the unit; returns whether the message was sent.
    @discardableResult
    public func storeFileDescriptor(_ fd: Int32, name: String) -> Bool {
        guard self.isEnabled else { return false }
        var descriptors = [fd]
        return sd_pid_notify_with_fds(0, 0, "FDSTORE=1\nFDNAME=\(name)", &descriptors, 1) > 0
    }

    /// Drops every stored descriptor named `name` from systemd's store (`FDSTOREREMOVE=1`).
    public func removeStoredFileDescriptors(name: String) {
        self.notify("FDSTOREREMOVE=1\nFDNAME=\(name)")
    }

    /// The watchdog interval systemd asked for (`WATCHDOG_USEC` for this pid), if any.
    public func watchdogIntervalMicroseconds() -> UInt64? {
        var usec: UInt64 = 0
        return sd_watchdog_enabled(0, &usec) > 0 ? usec : nil
    }
}
