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

    /// The watchdog interval systemd asked for (`WATCHDOG_USEC` for this pid), if any.
    public func watchdogIntervalMicroseconds() -> UInt64? {
        var usec: UInt64 = 0
        return sd_watchdog_enabled(0, &usec) > 0 ? usec : nil
    }
}
