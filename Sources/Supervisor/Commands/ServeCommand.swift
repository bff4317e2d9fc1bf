import CSupport
import Logging
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// `saas-api serve` (the default): binds the sockets, spawns and supervises the workers.
struct ServeCommand {
    var workers: String?
    var port: String?
    var host: String?
    var maxRequests: String?
    var maxRequestsJitter: String?
    var envFile = ".env"

    /// The command for the options `SupervisorCommandLine` parsed.
    init(options: [String: String]) {
        self.workers = options["workers"]
        self.port = options["port"]
        self.host = options["host"]
        self.maxRequests = options["max-requests"]
        self.maxRequestsJitter = options["max-requests-jitter"]
        if let envFile = options["env-file"] { self.envFile = envFile }
    }

    /// Runs the supervisor until it stops; throws the exit status when it is not 0.
    func run() throws(ExitStatus) {
        let config = try self.loadConfig()
        let workerBinary: String
        do throws(SiblingExecutable.Missing) {
            workerBinary = try SiblingExecutable.worker.locate()
        } catch {
            LogSink.standardError.write(Array("saas-api: \(error.description)\n".utf8))
            throw ExitStatus(2)
        }
        let identity = ProcessLogIdentity(pid: Int(getpid()), worker: nil, generation: nil)
        LoggingSetup.bootstrap(level: config.logLevel, format: config.logFormat, process: identity)
        var logger = Logger(label: "saas-api.supervisor")
        logger[metadataKey: "role"] = "supervisor"
        saas_set_process_title("saas-api: supervisor")

        // Signals are blocked before any child exists; the loop reads them from a signalfd.
        let signals = SignalChannel()
        let listeners: ListenerSet
        var store: SocketStore
        do throws(ListenerSet.Failure) {
            (listeners, store) = try Self.openListeners(config: config, logger: logger)
        } catch {
            logger.critical("\(error.description)")
            throw ExitStatus(1)
        }
        logger.info(
            "starting saas-api \(Version.current)",
            metadata: [
                "workers": "\(config.workers)",
                "address": "\(listeners.address)",
                "database_url": "\(Secrets.mask(config.databaseURL))",
                "redis_url": "\(Secrets.mask(config.redisURL))",
                "app_env": "\(config.appEnv.rawValue)",
            ]
        )
        // Like the service's own sockets: a metrics address that cannot be bound stops the start.
        var metricsServer: MetricsServer?
        if let address = config.metricsAddress {
            do throws(MetricsServer.Failure) {
                metricsServer = try MetricsServer(address: address)
            } catch {
                logger.critical("\(error.description)")
                throw ExitStatus(1)
            }
            logger.info("metrics at http://\(metricsServer!.address)/metrics")
        }
        let statusServer = Self.openStatusServer(config: config, logger: logger)
        let runtime = SupervisorRuntime(
            config: config,
            workerBinary: workerBinary,
            listeners: listeners,
            signals: signals,
            statusServer: statusServer,
            metricsServer: metricsServer,
            store: store,
            logger: logger
        )
        let code = runtime.run()
        if code != 0 { throw ExitStatus(code) }
    }

    /// Adopts what systemd passed (a `.socket` unit's sockets, else slot sockets from the fd
    /// store) or binds; under systemd, bound sockets go into the fd store.
    private static func openListeners(
        config: Config,
        logger: Logger
    ) throws(ListenerSet.Failure) -> (
        ListenerSet, SocketStore
    ) {
        let passed = try PassedSockets.take()
        var store = SocketStore(notifier: SystemdNotifier(), alreadyStored: passed.stored)
        if !passed.activated.isEmpty {
            // Socket activation wins; slot sockets stored by an earlier, unactivated run go.
            for (slot, fd) in passed.stored {
                close(fd)
                store.remove(slot: slot)
            }
            return (ListenerSet.activated(passed.activated), store)
        }
        let listeners = try ListenerSet.bind(
            host: config.host,
            port: config.port,
            count: config.workers,
            reusing: passed.stored
        )
        let reused = passed.stored.count { listeners.fds.contains($0.value) }
        if reused > 0 {
            logger.info("took \(reused) listening sockets back from systemd's file-descriptor store")
        }
        store.sync(listeners)
        return (listeners, store)
    }

    /// Flags > environment > `.env` > defaults. A bad value: one line, exit 2, nothing bound.
    private func loadConfig() throws(ExitStatus) -> Config {
        var overrides: [String: String] = [:]
        if let workers = self.workers { overrides["WORKERS"] = workers }
        if let port = self.port { overrides["PORT"] = port }
        if let host = self.host { overrides["HOST"] = host }
        if let maxRequests = self.maxRequests { overrides["MAX_REQUESTS"] = maxRequests }
        if let jitter = self.maxRequestsJitter { overrides["MAX_REQUESTS_JITTER"] = jitter }
        do {
            return try ConfigLoader.load(
                environment: ProcessEnvironment.current(),
                dotEnv: ProcessEnvironment.readFile(self.envFile),
                overrides: overrides,
                cpuCount: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
            )
        } catch {
            LogSink.standardError.write(Array("saas-api: \(error.description)\n".utf8))
            throw ExitStatus(2)
        }
    }

    /// The control socket for `status`; serving goes on without it if it cannot be created.
    private static func openStatusServer(config: Config, logger: Logger) -> StatusServer? {
        let path = ControlSocketPath.resolve(config)
        do {
            let server = try StatusServer(path: path)
            logger.debug("control socket at \(path)")
            return server
        } catch {
            logger.warning("\(error.description); `status` will not work")
            return nil
        }
    }
}
