#if canImport(Glibc)
import Glibc
#endif

/// Accepting on the supervisor's small non-blocking listeners (the `status` control socket,
/// `/metrics`), from its single-threaded poll loop.
enum NonBlockingAccept {
    /// Accepts every waiting connection on `listenFD`, each made non-blocking and
    /// close-on-exec; `admit` keeps the fd, or returns `false` to have it closed (too many
    /// clients).
    static func drain(_ listenFD: Int32, admit: (Int32) -> Bool) {
        while true {
            // One thread, so close-on-exec can follow accept without racing a spawn.
            let fd = Glibc.accept(listenFD, nil, nil)
            guard fd >= 0 else { return }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            if !admit(fd) { Glibc.close(fd) }
        }
    }
}
