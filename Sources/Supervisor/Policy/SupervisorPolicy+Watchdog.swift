/// systemd's watchdog, honestly: `WATCHDOG=1` every `WatchdogSec/2`, sent from the loop's own
/// tick (a frozen or stuck loop sends nothing) and only while worker heartbeats are fresh.
///
/// "Fresh" means: when any worker is ready, at least one of them heartbeated within the last
/// `WatchdogSec` (two ping intervals). One hung worker is the supervisor's own business (it
/// aborts and replaces it after `WORKER_TIMEOUT`); every ready worker silent, or the loop no
/// longer reading their channels, is not, and systemd should restart the service. While no
/// worker is ready (booting, or every slot waiting out a restart backoff) the supervisor's
/// own deadlines rule, and it keeps pinging.
extension SupervisorPolicy {
    /// A ping if one is due and the supervisor is healthy; schedules the next one.
    mutating func watchdogTick(now: UInt64) -> [PolicyAction] {
        guard let due = self.nextWatchdogPing, now >= due else { return [] }
        self.nextWatchdogPing = now &+ self.settings.watchdogInterval
        guard self.phase != .exited else { return [] }
        if let silence = self.heartbeatSilence(now: now), silence >= 2 * self.settings.watchdogInterval {
            guard !self.watchdogWithheld else { return [] }
            self.watchdogWithheld = true
            let seconds = silence / PolicySettings.second
            return [.log(.error, "no worker heartbeat for \(seconds) s; withholding the systemd watchdog ping")]
        }
        if self.watchdogWithheld {
            self.watchdogWithheld = false
            return [.log(.info, "worker heartbeats are fresh again; pinging the systemd watchdog"), .watchdog]
        }
        return [.watchdog]
    }

    /// A ping right away (after `READY=1`), when the watchdog is on; restarts the interval.
    mutating func watchdogPingNow(now: UInt64) -> [PolicyAction] {
        guard self.nextWatchdogPing != nil else { return [] }
        self.nextWatchdogPing = now &+ self.settings.watchdogInterval
        return [.watchdog]
    }

    /// How long since the freshest heartbeat of a ready worker its slot counts on; `nil` when
    /// no such worker exists.
    func heartbeatSilence(now: UInt64) -> UInt64? {
        let ready = self.workers.values.filter { $0.state == .ready && !$0.retiring }
        guard let latest = ready.map(\.lastHeartbeat).max() else { return nil }
        return now > latest ? now - latest : 0
    }
}
