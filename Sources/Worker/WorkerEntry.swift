import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The worker executable's entry point (`saas-api-worker`): a worker process, spawned by the
/// supervisor with `SAAS_API_WORKER` in the environment. Run any other way it says so and
/// exits 2.
@main
enum WorkerEntry {
    static func main() {
        guard let encoded = getenv(WorkerLaunch.environmentKey).map({ String(cString: $0) }) else {
            let name = SiblingExecutable.worker.name
            LogSink.standardError.write(Array("\(name): started by the supervisor only (saas-api serve)\n".utf8))
            exit(2)
        }
        unsetenv(WorkerLaunch.environmentKey)
        guard let launch = WorkerLaunch(encoded: encoded) else {
            LogSink.standardError.write(Array("saas-api: malformed \(WorkerLaunch.environmentKey)\n".utf8))
            exit(WorkerLaunch.exitBootFailure)
        }
        WorkerMain.run(launch)
    }
}
