import Foundation
import Hummingbird

/// The validated query of a revenue request: dates (inclusive, read in the zone), the bucket
/// size and the IANA zone (`nil`: the store's); `422` with the contract's field names otherwise.
struct RevenueRange: Sendable {
    enum Interval: String, Sendable {
        case day, week, month

        /// Most buckets a request may ask for.
        var maximumBuckets: Int {
            switch self {
            case .day: 366
            case .week: 160
            case .month: 120
            }
        }

        /// The bucket series' step, a PostgreSQL interval.
        var step: String {
            switch self {
            case .day: "1 day"
            case .week: "1 week"
            case .month: "1 month"
            }
        }

        var component: Calendar.Component {
            switch self {
            case .day: .day
            case .week: .weekOfYear
            case .month: .month
            }
        }
    }

    let from: String
    let to: String
    let interval: Interval
    let zone: String?

    /// Civil dates computed in UTC; ISO weeks (Monday first).
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    init(_ query: Parameters) throws {
        func invalid(_ field: String, _ message: String) -> APIError {
            APIError(.unprocessableContent, code: "VALIDATION_ERROR", message: message, field: field)
        }
        guard let from = query["from"].map(String.init), let firstDay = Self.date(from) else {
            throw invalid("from", "must be a date (YYYY-MM-DD)")
        }
        guard let to = query["to"].map(String.init), let lastDay = Self.date(to) else {
            throw invalid("to", "must be a date (YYYY-MM-DD)")
        }
        guard firstDay <= lastDay else { throw invalid("to", "must not be before from") }
        guard let interval = Interval(rawValue: query["interval"].map(String.init) ?? "day") else {
            throw invalid("interval", "must be one of: day, week, month")
        }
        let zone = query["tz"].map(String.init)
        if let zone, TimeZone(identifier: zone) == nil {
            throw invalid("tz", "must be an IANA time zone name, e.g. Europe/Paris")
        }
        let first = Self.calendar.dateInterval(of: interval.component, for: firstDay)?.start ?? firstDay
        let last = Self.calendar.dateInterval(of: interval.component, for: lastDay)?.start ?? lastDay
        let steps = Self.calendar.dateComponents([interval.component], from: first, to: last)
        let buckets = (steps.value(for: interval.component) ?? 0) + 1
        guard buckets <= interval.maximumBuckets else {
            throw invalid("to", "from and to may span at most \(interval.maximumBuckets) \(interval.rawValue)s")
        }
        self.from = from
        self.to = to
        self.interval = interval
        self.zone = zone
    }

    private static func date(_ text: String) -> Date? {
        let parts = text.split(separator: "-")
        guard text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2])
        else { return nil }
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = Self.calendar.date(from: components),
            Self.calendar.dateComponents([.year, .month, .day], from: date) == components
        else { return nil }
        return date
    }
}
