import Shared

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX file operations the migrator needs (Shared does not use Foundation).
enum MigrationFileSystem {
    /// The names in `path`, excluding `.` and `..`, unsorted.
    static func listDirectory(_ path: String) throws(MigrationError) -> [String] {
        guard let directory = opendir(path) else {
            throw .directoryUnreadable(path: path, reason: Self.lastError())
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The contents of the file at `path`, decoded as UTF-8.
    static func readFile(_ path: String) throws(MigrationError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .fileUnreadable(path: path, reason: Self.lastError()) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw .fileUnreadable(path: path, reason: Self.lastError())
            }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `text` to a new file at `path`; fails if it exists.
    static func createFile(_ path: String, contents text: String) throws(MigrationError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if errno == EEXIST { throw .fileExists(path) }
            throw .fileUnreadable(path: path, reason: Self.lastError())
        }
        defer { close(fd) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .fileUnreadable(path: path, reason: Self.lastError())
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Whether `path` is a directory.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// The current working directory.
    static func currentDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return "." }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// The directory holding the running executable (`/proc/self/exe`), if known.
    static func executableDirectory() -> String? {
        ExecutablePath.directory()
    }

    /// Whether `path` is a regular file this process may read.
    static func isReadableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, R_OK) == 0
    }

    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
