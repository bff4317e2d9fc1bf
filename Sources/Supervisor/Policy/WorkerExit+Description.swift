import Shared

#if canImport(Glibc)
import Glibc
#endif

extension WorkerExit: CustomStringConvertible {
    /// `exited normally`, `failed to boot (exit 3)`, `was killed by SIGKILL`, …
    var description: String {
        switch self {
        case .exited(0): return "exited normally"
        case .exited(WorkerLaunch.exitBootFailure): return "failed to boot (exit \(WorkerLaunch.exitBootFailure))"
        case .exited(let code): return "exited with status \(code)"
        case .signaled(let signal): return "was killed by \(signalName(signal))"
        }
    }

    /// What an operator should suspect when a worker ends this way unasked.
    var hint: String? {
        switch self {
        case .exited(0): return "it stopped on its own; was it sent SIGTERM?"
        case .exited(WorkerLaunch.exitBootFailure): return "its error is above; fix the configuration or environment"
        case .exited: return "an unexpected exit; see the worker's log lines above"
        case .signaled(SIGKILL): return "possibly out of memory? see `dmesg` for the OOM killer"
        case .signaled(SIGILL), .signaled(SIGTRAP):
            return "a Swift runtime trap: a crash in the code, see the log above"
        case .signaled(SIGSEGV), .signaled(SIGBUS): return "a memory fault: a crash in native code"
        case .signaled(SIGABRT): return "aborted: a fatal error, or it was hung"
        case .signaled: return "killed by someone else"
        }
    }
}

/// `SIGKILL` for 9, and so on; `signal 64` for the rest.
func signalName(_ signal: Int32) -> String {
    let names: [Int32: String] = [
        SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
        SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGSEGV: "SIGSEGV",
        SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2",
        SIGTTIN: "SIGTTIN", SIGTTOU: "SIGTTOU", SIGSTOP: "SIGSTOP", SIGCONT: "SIGCONT",
    ]
    return names[signal] ?? "signal \(signal)"
}
