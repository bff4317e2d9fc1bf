import CSupport
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// Starts worker processes: `posix_spawn` of `saas-api-worker` (`SiblingExecutable`) with exactly
/// the fds, signal state and environment a worker needs.
struct WorkerSpawner {
    /// A spawned worker: its pid and the supervisor's end of its control channel.
    struct Spawned {
        let pid: Int32
        let controlFD: Int32
    }

    /// A worker could not be spawned.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The worker executable's path, resolved at start: on reload a new binary installed there
    /// is used.
    let executablePath: String
    /// `KEY=VALUE` entries every worker gets (the resolved config, minus systemd's variables).
    let environment: [String]

    /// Variables a worker gets unless the environment sets them:
    /// - `GNUTLS_NO_IMPLICIT_INIT=1`: GnuTLS is in a worker only because libpq links libldap,
    ///   which initialises it itself when an LDAP lookup uses TLS. GnuTLS's load-time
    ///   constructor would otherwise set it up (and p11-kit) in every worker, unused: 0.85 MB
    ///   of each worker's resident memory.
    static let workerDefaults = ["GNUTLS_NO_IMPLICIT_INIT": "1"]

    /// Prepares a spawner of the worker executable at `executablePath` for the configuration.
    init(config: Config, executablePath: String) {
        self.executablePath = executablePath
        let dropped: Set<String> = [
            "NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "WATCHDOG_USEC", "WATCHDOG_PID",
            WorkerLaunch.environmentKey, SiblingExecutable.worker.variable, SiblingExecutable.migrate.variable,
        ]
        var merged = ProcessEnvironment.current().filter { !dropped.contains($0.key) }
        merged.merge(Self.workerDefaults) { set, _ in set }
        for (key, value) in config.environment(masked: false) { merged[key] = value }
        self.environment = merged.map { "\($0.key)=\($0.value)" }
    }

    /// Spawns the worker for `launch` with `listeners` at fds 4…, its control channel at fd 3.
    func spawn(launch: WorkerLaunch, listeners: [Int32]) throws(Failure) -> Spawned {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw Failure(description: "socketpair: \(errorText())")
        }
        let parentEnd = ListenerSet.moveHigh(pair[0])
        let childEnd = ListenerSet.moveHigh(pair[1])
        defer { close(childEnd) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, childEnd, WorkerLaunch.controlFD)
        for (index, fd) in listeners.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, fd, WorkerLaunch.firstListenerFD + Int32(index))
        }
        saas_spawn_file_actions_addclosefrom(&actions, WorkerLaunch.firstListenerFD + Int32(listeners.count))

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let title = "saas-api: worker \(launch.slot)"
        let environment = self.environment + ["\(WorkerLaunch.environmentKey)=\(launch.encoded)"]
        var pid: pid_t = 0
        let status = withMutableCStringArray([title]) { argv in
            withMutableCStringArray(environment) { envp in
                posix_spawn(&pid, self.executablePath, &actions, &attributes, argv, envp)
            }
        }
        guard status == 0 else {
            close(parentEnd)
            throw Failure(description: "posix_spawn \(self.executablePath): \(errorText(status))")
        }
        return Spawned(pid: pid, controlFD: parentEnd)
    }
}
