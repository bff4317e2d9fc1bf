import Foundation

/// A child process started with `posix_spawn` and a clean signal state (empty mask, default
/// dispositions), its output appended to a file.
///
/// Foundation's `Process` on Linux hands children the signal mask of its spawning thread,
/// where nearly every signal is blocked: a `redis-server` started that way ignores SIGTERM and
/// a shell script's `wait` misbehaves. Servers under test get the signal state a shell gives.
final class ChildProcess {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let processIdentifier: Int32
    private var status: Int32?

    /// Starts `executable` with `arguments` (argv[1...]) and `environment`, in `directory`,
    /// with stdin from /dev/null and stdout + stderr appended to `outputPath`.
    init(
        executable: String,
        arguments: [String],
        environment: [String: String],
        directory: String? = nil,
        outputPath: String
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        // A working directory is set through coreutils' `env -C` (Swift's Glibc module does not
        // expose posix_spawn_file_actions_addchdir_np).
        let command = directory.map { ["/usr/bin/env", "-C", $0, executable] } ?? [executable]
        let argv = (command + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, command[0], &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw Failure(description: "posix_spawn \(executable): \(String(cString: strerror(result)))")
        }
        self.processIdentifier = pid
    }

    /// Whether the process has not exited yet (reaps it when it has).
    var isRunning: Bool {
        guard self.status == nil else { return false }
        var raw: Int32 = 0
        let result = waitpid(self.processIdentifier, &raw, WNOHANG)
        if result == self.processIdentifier {
            self.status = raw
            return false
        }
        return result == 0
    }

    /// Exit status, or 128 + signal when killed by a signal (as a shell reports it).
    var terminationStatus: Int32 {
        guard let raw = self.status else { return -1 }
        let signal = raw & 0x7F
        return signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
    }

    /// Blocks until the process exits.
    func waitUntilExit() {
        guard self.status == nil else { return }
        var raw: Int32 = 0
        while waitpid(self.processIdentifier, &raw, 0) < 0 && errno == EINTR {}
        self.status = raw
    }

    /// Sends SIGTERM.
    func terminate() { kill(self.processIdentifier, SIGTERM) }

    /// Runs a command to completion and returns its exit status and output.
    static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String? = nil
    ) throws -> (status: Int32, output: String) {
        let outputPath = NSTemporaryDirectory() + "saas-api-child-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let child = try ChildProcess(
            executable: executable,
            arguments: arguments,
            environment: environment,
            directory: directory,
            outputPath: outputPath
        )
        child.waitUntilExit()
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        return (child.terminationStatus, output)
    }
}
