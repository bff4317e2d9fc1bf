import Shared

#if canImport(Glibc)
import Glibc
#endif

/// The worker executable the supervisor runs: `SAAS_API_WORKER_BINARY` when set, else
/// `saas-api-worker` in the directory of the supervisor's own executable. Both are built
/// together (`swift build --product Supervisor` builds the worker too) and installed together.
enum WorkerBinary {
    /// No runnable worker executable where it was looked for.
    struct Missing: Error, CustomStringConvertible {
        let path: String
        let reason: String

        var description: String {
            "no worker executable at \(self.path) (\(self.reason)); build the saas-api-worker "
                + "product too (swift build builds both) or set \(WorkerLaunch.binaryVariable)"
        }
    }

    /// The worker executable's path, checked to be an executable file.
    static func locate() throws(Missing) -> String {
        let path: String
        if let configured = getenv(WorkerLaunch.binaryVariable).map({ String(cString: $0) }), !configured.isEmpty {
            path = configured
        } else {
            let directory = ExecutablePath.directory() ?? "."
            path = (directory == "/" ? "" : directory) + "/" + WorkerLaunch.binaryName
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw Missing(path: path, reason: errorText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw Missing(path: path, reason: "not a regular file") }
        guard access(path, X_OK) == 0 else { throw Missing(path: path, reason: errorText()) }
        return path
    }
}
