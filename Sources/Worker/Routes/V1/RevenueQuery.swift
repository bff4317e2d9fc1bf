import Shared

/// The parameters of `GET /v1/analytics/revenue`, checked all at once: every failing field is
/// listed in one `422 VALIDATION_ERROR`.
///
/// - `from`, `to`: required dates (`YYYY-MM-DD`, from 1970-01-01), both included, `from <= to`;
/// - `interval`: `day` (default), `week` (ISO, Monday first) or `month`;
/// - `tz`: an IANA zone name (default: the store's); the shape is checked here, whether the
///   zone exists is left to PostgreSQL inside the route's one statement (see `RevenueRoutes`);
/// - at most `Interval.maximumBuckets` buckets from the one containing `from` to the one
///   containing `to`.
struct RevenueQuery: Sendable, Equatable {
    /// The bucket size.
    enum Interval: String, Sendable, CaseIterable {
        case day
        case week
        case month

        /// The most buckets one request may ask for.
        var maximumBuckets: Int {
            switch self {
            case .day: 366
            case .week: 160
            case .month: 120
            }
        }

        /// The step of the bucket series, as a PostgreSQL `interval`.
        var step: String {
            switch self {
            case .day: "1 day"
            case .week: "1 week"
            case .month: "1 month"
            }
        }

        /// Buckets from the one containing `from` to the one containing `to` (`from <= to`).
        func bucketCount(from: LocalDate, to: LocalDate) -> Int {
            switch self {
            case .day:
                return to.daysSinceEpoch - from.daysSinceEpoch + 1
            case .week:
                let firstMonday = from.daysSinceEpoch - (from.isoWeekday - 1)
                let lastMonday = to.daysSinceEpoch - (to.isoWeekday - 1)
                return (lastMonday - firstMonday) / 7 + 1
            case .month:
                let (fromYear, fromMonth, _) = from.components
                let (toYear, toMonth, _) = to.components
                return (toYear - fromYear) * 12 + toMonth - fromMonth + 1
            }
        }
    }

    /// The first day, included.
    let from: LocalDate
    /// The last day, included.
    let to: LocalDate
    /// The bucket size.
    let interval: Interval
    /// The zone asked for, `nil` for the store's.
    let timezone: String?

    /// The earliest date accepted (older dates only ever find no orders, and some zones' week
    /// buckets would start before year 1).
    static let earliest = LocalDate(year: 1970, month: 1, day: 1)!

    /// The parameters of `query`, or `422` listing every failing field.
    init(_ query: QueryParameters) throws {
        var check = Validation()
        let from = Self.date("from", in: query, &check)
        let to = Self.date("to", in: query, &check)
        let intervalText = query.get("interval")
        let interval = intervalText.map { Interval(rawValue: $0) } ?? .day
        if interval == nil { check.fail("interval", "must be one of: day, week, month") }
        let timezone = query.get("tz")
        if let timezone, !Self.isZoneName(timezone) {
            check.fail("tz", Self.zoneMessage)
        }
        if let from, let to {
            if from > to {
                check.fail("to", "must not be before from")
            } else if let interval, interval.bucketCount(from: from, to: to) > interval.maximumBuckets {
                let message = "from and to may span at most \(interval.maximumBuckets) \(interval.rawValue)s"
                check.fail("from", message)
                check.fail("to", message)
            }
        }
        guard check.errors.isEmpty, let from, let to, let interval else {
            throw APIError(.validationError, "The query parameters failed validation", details: check.errors)
        }
        self.from = from
        self.to = to
        self.interval = interval
        self.timezone = timezone
    }

    /// What the client is told about a `tz` that is not a zone, or not one PostgreSQL knows.
    static let zoneMessage = "must be an IANA time zone name, e.g. Europe/Paris"

    private static func date(_ name: String, in query: QueryParameters, _ check: inout Validation) -> LocalDate? {
        guard let date = query.get(name, as: LocalDate.self, required: true, into: &check) else { return nil }
        guard date >= Self.earliest else {
            check.fail(name, "must not be before \(Self.earliest)")
            return nil
        }
        return date
    }

    /// Areas of the IANA database whose zones the route accepts (`Area/Location`, up to three
    /// parts: `America/Argentina/Salta`).
    private static let areas: Set<Substring> = [
        "Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Brazil", "Canada",
        "Chile", "Etc", "Europe", "Indian", "Mexico", "Pacific", "US",
    ]

    /// Whether `name` has the shape of an IANA zone name that PostgreSQL can only read as a zone:
    /// `UTC`, `GMT`, or `Area/Location` of letters, `_` and `-`, digits only in `Etc/GMT±N`.
    ///
    /// Why not any text PostgreSQL accepts: it also reads abbreviations (`PST`, a fixed offset,
    /// not the zone with its DST rules) and POSIX rules (`Europe/Foo3` is "UTC−3, no DST"),
    /// so a misspelt zone would silently give wrong buckets. Names without a digit and with a
    /// `/` are neither; PostgreSQL then either knows the zone or fails (`22023`).
    static func isZoneName(_ name: String) -> Bool {
        if name == "UTC" || name == "GMT" { return true }
        guard name.utf8.count <= 64 else { return false }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), Self.areas.contains(parts[0]) else { return false }
        if parts[0] == "Etc", parts.count == 2, let offset = Self.gmtOffset(parts[1]) {
            return (-14...12).contains(offset)
        }
        return parts.dropFirst().allSatisfy { part in
            guard let first = part.utf8.first, Self.isLetter(first) else { return false }
            return part.utf8.allSatisfy { Self.isLetter($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        }
    }

    /// `N` of `GMT+N` / `GMT-N` / `GMT0`, as IANA writes it (POSIX sign: `GMT+3` is UTC−3; the
    /// value here is the written one).
    private static func gmtOffset(_ text: Substring) -> Int? {
        guard text.hasPrefix("GMT") else { return nil }
        let rest = text.dropFirst(3)
        if rest == "0" { return 0 }
        guard let sign = rest.first, sign == "+" || sign == "-", (2...3).contains(rest.count),
            rest.dropFirst().utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            rest.dropFirst().first != "0" || rest.count == 2, let value = Int(rest.dropFirst())
        else { return nil }
        return sign == "+" ? value : -value
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
    }
}
