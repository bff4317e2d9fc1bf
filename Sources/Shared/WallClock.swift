#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time (`CLOCK_REALTIME`): for timestamps and the service's start time, never for
/// deadlines or durations (`MonotonicClock`).
public enum WallClock {
    /// Seconds and milliseconds since the Unix epoch.
    @inline(__always)
    public static func now() -> (seconds: Int, milliseconds: Int) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (Int(ts.tv_sec), Int(ts.tv_nsec / 1_000_000))
    }

    /// Milliseconds since the Unix epoch.
    @inline(__always)
    public static func milliseconds() -> Int64 {
        let (seconds, milliseconds) = self.now()
        return Int64(seconds) * 1000 + Int64(milliseconds)
    }
}
