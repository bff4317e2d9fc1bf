/// A calendar date with no time and no zone (`2026-01-31`): what query parameters and JSON
/// bodies carry as `YYYY-MM-DD` (RFC 3339 `full-date`). Which instants it covers depends on a
/// time zone, which the code using it names.
///
/// Parsed strictly: four-digit year 0001-9999, two-digit month and day, a day that exists.
/// Proleptic Gregorian calendar, as PostgreSQL's `date`.
public struct LocalDate: Hashable, Sendable, Comparable, LosslessStringConvertible, Codable {
    /// Days since 1970-01-01 (negative before it).
    public let daysSinceEpoch: Int

    /// The date `days` after 1970-01-01.
    public init(daysSinceEpoch days: Int) {
        self.daysSinceEpoch = days
    }

    /// The given day, or `nil` when it does not exist (`2026-02-30`) or the year is outside
    /// 1-9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            (1...DateTime.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.daysSinceEpoch = Int(DateTime.daysFromCivil(year, month, day))
    }

    /// Parses `YYYY-MM-DD`; `nil` for anything else.
    public init?(_ text: some StringProtocol) {
        var fields = (year: 0, month: 0, day: 0)
        var count = 0
        for byte in text.utf8 {
            switch (count, byte) {
            case (4, UInt8(ascii: "-")), (7, UInt8(ascii: "-")):
                break
            case (0..<4, UInt8(ascii: "0")...UInt8(ascii: "9")):
                fields.year = fields.year * 10 + Int(byte - UInt8(ascii: "0"))
            case (5..<7, UInt8(ascii: "0")...UInt8(ascii: "9")):
                fields.month = fields.month * 10 + Int(byte - UInt8(ascii: "0"))
            case (8..<10, UInt8(ascii: "0")...UInt8(ascii: "9")):
                fields.day = fields.day * 10 + Int(byte - UInt8(ascii: "0"))
            default:
                return nil
            }
            count += 1
        }
        guard count == 10 else { return nil }
        self.init(year: fields.year, month: fields.month, day: fields.day)
    }

    /// Year, month (1-12) and day (1-31).
    public var components: (year: Int, month: Int, day: Int) {
        DateTime.civilFromDays(Int64(self.daysSinceEpoch))
    }

    /// The ISO weekday: 1 Monday … 7 Sunday.
    public var isoWeekday: Int {
        // 1970-01-01 was a Thursday (4).
        let offset = (self.daysSinceEpoch + 3) % 7
        return (offset < 0 ? offset + 7 : offset) + 1
    }

    /// The date `days` later (earlier when negative).
    public func adding(days: Int) -> LocalDate {
        LocalDate(daysSinceEpoch: self.daysSinceEpoch + days)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (year, month, day) = self.components
        var bytes: [UInt8] = []
        bytes.reserveCapacity(10)
        for (value, count) in [(year, 4), (month, 2), (day, 2)] {
            if !bytes.isEmpty { bytes.append(UInt8(ascii: "-")) }
            var divisor = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        lhs.daysSinceEpoch < rhs.daysSinceEpoch
    }

    /// Decodes a `YYYY-MM-DD` string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = LocalDate(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be a date, e.g. 2026-01-31")
        }
        self = value
    }

    /// Encodes as a `YYYY-MM-DD` string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(self.description)
    }
}
