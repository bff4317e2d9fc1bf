/// The executables installed beside the supervisor (`saas-api`), each linking what only it
/// needs, so the long-running supervisor maps neither libpq, hiredis nor SwiftNIO:
/// - `saas-api-worker`: a worker process (SwiftNIO, libpq, hiredis), spawned by the supervisor;
/// - `saas-api-migrate`: `saas-api migrate …` (libpq, swift-argument-parser), exec'd by it.
///
/// The supervisor runs the one in the directory of its own executable, or the path in `variable`.
public struct SiblingExecutable: Sendable, Equatable {
    /// The file name, beside the supervisor's executable (`.build/release/`, `/usr/local/bin/`).
    public let name: String
    /// An environment variable naming another executable to run instead.
    public let variable: String

    /// The worker processes.
    public static let worker = SiblingExecutable(name: "saas-api-worker", variable: "SAAS_API_WORKER_BINARY")
    /// `saas-api migrate …`.
    public static let migrate = SiblingExecutable(name: "saas-api-migrate", variable: "SAAS_API_MIGRATE_BINARY")
}
