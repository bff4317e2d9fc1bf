import Shared

#if canImport(Glibc)
import Glibc
#endif

extension SiblingExecutable {
    /// No runnable executable where it was looked for.
    struct Missing: Error, CustomStringConvertible {
        let executable: SiblingExecutable
        let path: String
        let reason: String

        var description: String {
            "no \(self.executable.name) executable at \(self.path) (\(self.reason)); build every product "
                + "(swift build builds them all) or set \(self.executable.variable)"
        }
    }

    /// The executable's path: the environment variable's value when set, else the file in the
    /// directory of the supervisor's own executable; checked to be an executable file.
    func locate() throws(Missing) -> String {
        let path: String
        if let configured = getenv(self.variable).map({ String(cString: $0) }), !configured.isEmpty {
            path = configured
        } else {
            let directory = ExecutablePath.directory() ?? "."
            path = (directory == "/" ? "" : directory) + "/" + self.name
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw Missing(executable: self, path: path, reason: errorText()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw Missing(executable: self, path: path, reason: "not a regular file")
        }
        guard access(path, X_OK) == 0 else { throw Missing(executable: self, path: path, reason: errorText()) }
        return path
    }
}
