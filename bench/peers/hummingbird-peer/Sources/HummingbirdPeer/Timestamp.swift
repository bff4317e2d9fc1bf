import Foundation

/// RFC 3339 in UTC as the contract prints it: milliseconds, or microseconds when the instant has
/// them (`2026-11-30T10:00:00.123Z`, `2026-11-30T10:00:00.123456Z`). Foundation's ISO 8601
/// formatters stop at milliseconds, so this is written out by hand.
enum Timestamp {
    static func string(_ date: Date) -> String {
        // postgres-nio's Date holds microseconds as a Double: the nearest microsecond is exact.
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        var seconds = time_t(micros.floorDiv(1_000_000))
        let fraction = Int(micros - Int64(seconds) * 1_000_000)
        var fields = tm()
        gmtime_r(&seconds, &fields)
        var text = Self.pad(Int(fields.tm_year) + 1900, 4) + "-" + Self.pad(Int(fields.tm_mon) + 1, 2) + "-"
        text += Self.pad(Int(fields.tm_mday), 2) + "T" + Self.pad(Int(fields.tm_hour), 2) + ":"
        text += Self.pad(Int(fields.tm_min), 2) + ":" + Self.pad(Int(fields.tm_sec), 2) + "."
        text += fraction % 1000 == 0 ? Self.pad(fraction / 1000, 3) : Self.pad(fraction, 6)
        return text + "Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension Int64 {
    /// Division rounding towards negative infinity (instants before 1970).
    fileprivate func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
