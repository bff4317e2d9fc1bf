import CSupport
import Dispatch
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import Shared

#if canImport(Glibc)
import Glibc
#endif

/// A worker process: serves HTTP on the sockets it inherited until told to drain.
enum WorkerMain {
    /// Runs the worker for `launch` and exits the process.
    static func run(_ launch: WorkerLaunch) -> Never {
        saas_set_process_title("saas-api: worker \(launch.slot)")
        WorkerServer.holdDrainSignals()
        // Backstop for a supervisor killed with SIGKILL: the kernel tells us. The EOF on the
        // control channel usually comes first.
        _ = saas_set_parent_death_signal(SIGTERM)
        guard getppid() == launch.supervisorPID, WorkerControlChannel.isPresent() else {
            LogSink.standardError.write(Array("saas-api: the worker role is started by the supervisor only\n".utf8))
            exit(WorkerLaunch.exitBootFailure)
        }
        let config: Config
        do {
            config = try ConfigLoader.load(environment: ProcessEnvironment.current(), cpuCount: 1)
        } catch {
            bootFailure(error.description)
        }
        if let fault = self.injectedBootFault(config) { bootFailure(fault) }
        let identity = ProcessLogIdentity(pid: Int(getpid()), worker: launch.slot, generation: launch.generation)
        LoggingSetup.bootstrap(level: config.logLevel, format: config.logFormat, process: identity)
        let logger = Logger(label: "saas-api.worker")

        let server = WorkerServer(config: config, launch: launch, logger: logger)
        do {
            try server.start()
        } catch {
            server.abandon()
            bootFailure("cannot serve: \(error)")
        }
        server.waitUntilDrained()
        exit(0)
    }

    /// The test suite's switchable boot failure: with `SAAS_API_FAULT_BOOT_FILE` naming a file
    /// that exists, the worker fails to boot. Never honoured when `APP_ENV=production`, and a
    /// no-op unless that variable and that file are both there.
    static let bootFaultVariable = "SAAS_API_FAULT_BOOT_FILE"

    private static func injectedBootFault(_ config: Config) -> String? {
        guard config.appEnv != .production, let path = getenv(self.bootFaultVariable).map({ String(cString: $0) }),
            !path.isEmpty, access(path, F_OK) == 0
        else { return nil }
        return "injected boot fault: \(path) exists (\(self.bootFaultVariable))"
    }

    /// Reports a boot error to the supervisor and stderr, then exits with the boot-failure code.
    static func bootFailure(_ message: String) -> Never {
        _ = ControlMessage.fatal(message).encoded.withUnsafeBytes {
            send(WorkerLaunch.controlFD, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
        }
        LogSink.standardError.write(Array("saas-api worker: \(message)\n".utf8))
        exit(WorkerLaunch.exitBootFailure)
    }
}
