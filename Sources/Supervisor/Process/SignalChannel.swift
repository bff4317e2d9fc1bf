import CSupport

#if canImport(Glibc)
import Glibc
#endif

/// The supervisor's signals as readable events: blocked for the process and read from a
/// `signalfd` in the poll loop, so no code runs in a signal handler.
struct SignalChannel {
    /// The signals the supervisor handles.
    static let handled: [Int32] = [SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGTTIN, SIGTTOU]

    /// The `signalfd`, non-blocking and close-on-exec.
    let fd: Int32

    /// Blocks the handled signals and opens the `signalfd`. Call before any thread or child
    /// exists (workers reset their mask with `POSIX_SPAWN_SETSIGMASK`).
    init() {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signal in Self.handled { sigaddset(&mask, signal) }
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        self.fd = ListenerSet.moveHigh(signalfd(-1, &mask, Int32(SFD_NONBLOCK | SFD_CLOEXEC)))
    }

    /// Every signal delivered since the last call, in order.
    func drain() -> [Int32] {
        var signals: [Int32] = []
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        while read(self.fd, &info, size) == size {
            signals.append(Int32(info.ssi_signo))
        }
        return signals
    }
}
