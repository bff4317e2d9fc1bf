#if canImport(Glibc)
import Glibc
#endif

/// A process's resident memory and CPU time, from `/proc/PID/stat` (no system call beyond
/// the read; a process that is gone reads as `nil`).
struct ProcessStats: Equatable {
    /// Resident set size in bytes.
    var residentBytes: UInt64
    /// User plus system CPU time in seconds.
    var cpuSeconds: Double

    private static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
    private static let pageSize = UInt64(sysconf(Int32(_SC_PAGESIZE)))

    /// The stats of `pid`.
    static func read(pid: Int32) -> ProcessStats? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = Glibc.read(fd, &buffer, buffer.count)
        guard count > 0 else { return nil }
        return self.parse(buffer[0..<count])
    }

    /// Parses a `stat` line: fields after the command's closing parenthesis (the command may
    /// hold spaces); utime and stime are fields 14 and 15, rss (pages) field 24.
    static func parse(_ line: ArraySlice<UInt8>) -> ProcessStats? {
        guard let close = line.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = line[(close + 1)...].split(separator: UInt8(ascii: " "))
        // fields[0] is field 3 (state).
        guard fields.count > 21, let utime = Self.number(fields[11]), let stime = Self.number(fields[12]),
            let rss = Self.number(fields[21])
        else { return nil }
        return ProcessStats(
            residentBytes: rss * self.pageSize,
            cpuSeconds: Double(utime + stime) / self.ticksPerSecond
        )
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        UInt64(String(decoding: bytes, as: UTF8.self))
    }
}
