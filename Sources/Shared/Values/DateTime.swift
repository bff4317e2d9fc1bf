#if canImport(Glibc)
import Glibc
#endif

/// An instant with microsecond precision (PostgreSQL's `timestamptz`), without Foundation.
///
/// Parsed from RFC 3339 (`2026-11-27T08:07:49.123Z`, `2026-11-27T09:07:49+01:00`) and from
/// PostgreSQL's text output (`2026-11-27 08:07:49.123456+00`, whatever the session time zone);
/// printed as RFC 3339 in UTC with milliseconds, or microseconds when the instant has them
/// (`2026-11-27T08:07:49.123Z`, `2026-11-27T08:07:49.123456Z`). Fractions beyond microseconds
/// are truncated. Years 0001-9999.
public struct DateTime: Hashable, Sendable, Comparable, LosslessStringConvertible, Codable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public let microsecondsSinceEpoch: Int64

    /// The instant `microseconds` after the Unix epoch.
    public init(microsecondsSinceEpoch microseconds: Int64) {
        self.microsecondsSinceEpoch = microseconds
    }

    /// The current wall-clock time.
    public static func now() -> DateTime {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return DateTime(microsecondsSinceEpoch: Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec / 1000))
    }

    /// The instant at midnight UTC starting the given calendar day, or `nil` for a day that
    /// does not exist.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.init(microsecondsSinceEpoch: Self.daysFromCivil(year, month, day) * 86_400_000_000)
    }

    /// Parses RFC 3339 or PostgreSQL's `timestamptz` text; `nil` when it is neither.
    public init?(_ text: some StringProtocol) {
        // Over contiguous bytes (every native string): no copy into an array first.
        let parsed =
            text.utf8.withContiguousStorageIfAvailable(Self.scan) ?? Array(text.utf8).withUnsafeBufferPointer(Self.scan)
        guard let parsed else { return nil }
        self = parsed
    }

    /// `init(_:)` over UTF-8 bytes (a database result read in place).
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard let parsed = Self.scan(bytes) else { return nil }
        self = parsed
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> DateTime? {
        var scanner = Scanner(bytes: bytes)
        guard let value = scanner.dateTime(), scanner.atEnd else { return nil }
        return value
    }

    /// The calendar fields in UTC.
    public var components: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, microsecond: Int) {
        let micros = self.microsecondsSinceEpoch
        var days = micros / 86_400_000_000
        var rest = micros % 86_400_000_000
        if rest < 0 {
            rest += 86_400_000_000
            days -= 1
        }
        let (year, month, day) = Self.civilFromDays(days)
        let seconds = Int(rest / 1_000_000)
        return (year, month, day, seconds / 3600, seconds / 60 % 60, seconds % 60, Int(rest % 1_000_000))
    }

    /// RFC 3339 in UTC: milliseconds, or microseconds when there are some.
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        self.appendRFC3339(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `description`'s bytes to `bytes` without building a `String` (JSON bodies): the
    /// digits written in place, not appended one by one.
    public func appendRFC3339(to bytes: inout [UInt8]) {
        let start = bytes.count
        bytes.append(contentsOf: repeatElement(UInt8(ascii: "Z"), count: Self.maxRFC3339Length))
        let written = bytes.withUnsafeMutableBytes { self.writeRFC3339(to: $0.baseAddress! + start) }
        bytes.removeLast(Self.maxRFC3339Length - written)
    }

    /// The longest `description`: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    public static let maxRFC3339Length = 27

    /// Writes `description`'s bytes at `out`, which has room for `maxRFC3339Length`; returns how
    /// many.
    public func writeRFC3339(to out: UnsafeMutableRawPointer) -> Int {
        let c = self.components
        let fraction = c.microsecond % 1000 == 0 ? (c.microsecond / 1000, 3) : (c.microsecond, 6)
        // YYYY-MM-DDTHH:MM:SS. (20 bytes), the fraction, Z
        var position = 0
        func put(_ value: Int, _ width: Int, then separator: UInt8) {
            var value = value
            var index = position + width - 1
            while index >= position {
                out.storeBytes(of: UInt8(ascii: "0") + UInt8(value % 10), toByteOffset: index, as: UInt8.self)
                value /= 10
                index -= 1
            }
            out.storeBytes(of: separator, toByteOffset: position + width, as: UInt8.self)
            position += width + 1
        }
        put(c.year, 4, then: UInt8(ascii: "-"))
        put(c.month, 2, then: UInt8(ascii: "-"))
        put(c.day, 2, then: UInt8(ascii: "T"))
        put(c.hour, 2, then: UInt8(ascii: ":"))
        put(c.minute, 2, then: UInt8(ascii: ":"))
        put(c.second, 2, then: UInt8(ascii: "."))
        put(fraction.0, fraction.1, then: UInt8(ascii: "Z"))
        return position
    }

    public static func < (lhs: DateTime, rhs: DateTime) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// Decodes an RFC 3339 string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = DateTime(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "must be an RFC 3339 date-time, e.g. 2026-01-31T12:00:00Z"
            )
        }
        self = value
    }

    /// Encodes as an RFC 3339 string in UTC.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.description)
    }

    // MARK: - Calendar arithmetic (proleptic Gregorian; H. Hinnant's days-from-civil)

    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// A strict reader of the two text forms.
    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { self.index == self.bytes.count }

        mutating func dateTime() -> DateTime? {
            guard let year = self.number(4), self.take(UInt8(ascii: "-")),
                let month = self.number(2), self.take(UInt8(ascii: "-")),
                let day = self.number(2),
                self.take(UInt8(ascii: "T")) || self.take(UInt8(ascii: "t")) || self.take(UInt8(ascii: " ")),
                let hour = self.number(2), self.take(UInt8(ascii: ":")),
                let minute = self.number(2), self.take(UInt8(ascii: ":")),
                let second = self.number(2),
                let midnight = DateTime(year: year, month: month, day: day),
                hour < 24, minute < 60, second < 60
            else { return nil }
            var micros = 0
            if self.take(UInt8(ascii: ".")) {
                var count = 0
                while let digit = self.digit() {
                    if count < 6 { micros = micros * 10 + digit }
                    count += 1
                }
                guard (1...9).contains(count) else { return nil }
                if count < 6 { for _ in count..<6 { micros *= 10 } }
            }
            guard let offsetSeconds = self.offset() else { return nil }
            let seconds = Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
            return DateTime(
                microsecondsSinceEpoch: midnight.microsecondsSinceEpoch + seconds * 1_000_000 + Int64(micros)
            )
        }

        /// `Z`, `±HH`, `±HH:MM`, `±HHMM` or `±HH:MM:SS`, in seconds east of UTC.
        private mutating func offset() -> Int? {
            if self.take(UInt8(ascii: "Z")) || self.take(UInt8(ascii: "z")) { return 0 }
            let sign: Int
            if self.take(UInt8(ascii: "+")) {
                sign = 1
            } else if self.take(UInt8(ascii: "-")) {
                sign = -1
            } else {
                return nil
            }
            guard let hours = self.number(2), hours < 24 else { return nil }
            var total = hours * 3600
            if self.atEnd { return sign * total }
            _ = self.take(UInt8(ascii: ":"))
            guard let minutes = self.number(2), minutes < 60 else { return nil }
            total += minutes * 60
            if self.take(UInt8(ascii: ":")) {
                guard let seconds = self.number(2), seconds < 60 else { return nil }
                total += seconds
            }
            return sign * total
        }

        private mutating func number(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                guard let digit = self.digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        private mutating func digit() -> Int? {
            guard self.index < self.bytes.count else { return nil }
            let byte = self.bytes[self.index]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            self.index += 1
            return Int(byte - UInt8(ascii: "0"))
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard self.index < self.bytes.count, self.bytes[self.index] == byte else { return false }
            self.index += 1
            return true
        }
    }
}
