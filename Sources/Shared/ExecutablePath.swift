#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the running executable lives, from `/proc/self/exe`.
public enum ExecutablePath {
    /// The executable's absolute path, or nil when `/proc/self/exe` cannot be read.
    ///
    /// After the file was replaced on disk the link reads "… (deleted)": the path is what
    /// callers want (a reload then finds the new file there).
    public static func current() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        let path = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.hasSuffix(" (deleted)") ? String(path.dropLast(10)) : path
    }

    /// The directory holding the running executable, or nil when unknown.
    public static func directory() -> String? {
        guard let path = self.current(), let slash = path.lastIndex(of: "/") else { return nil }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
