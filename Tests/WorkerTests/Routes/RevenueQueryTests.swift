import Shared
import Testing

@testable import Worker

/// The pure parts of the revenue route: its parameters and the printing of amounts (the route
/// against a real database is in DatabaseTests: RevenueRouteTests, RevenueValidationTests).
@Suite("Revenue query")
struct RevenueQueryTests {
    private static func parse(_ query: String) throws -> RevenueQuery {
        try RevenueQuery(QueryParameters(query[...]))
    }

    @Test func defaultsToDaysAndTheStoreZone() throws {
        let query = try Self.parse("from=2026-01-01&to=2026-01-31")
        #expect(query.interval == .day && query.timezone == nil)
        #expect(query.from.description == "2026-01-01" && query.to.description == "2026-01-31")
        #expect(try Self.parse("from=2026-01-01&to=2026-01-01&interval=month&tz=Asia/Tokyo").timezone == "Asia/Tokyo")
    }

    @Test func countsBucketsFromTheOneContainingFrom() throws {
        let sunday = try #require(LocalDate("2026-03-29"))
        let monday = sunday.adding(days: 1)
        #expect(RevenueQuery.Interval.week.bucketCount(from: sunday, to: monday) == 2)
        #expect(RevenueQuery.Interval.week.bucketCount(from: monday, to: monday.adding(days: 6)) == 1)
        #expect(RevenueQuery.Interval.day.bucketCount(from: sunday, to: sunday) == 1)
        let lastOfJanuary = try #require(LocalDate("2026-01-31"))
        #expect(RevenueQuery.Interval.month.bucketCount(from: lastOfJanuary, to: lastOfJanuary.adding(days: 1)) == 2)
        #expect(
            RevenueQuery.Interval.month.bucketCount(from: try #require(LocalDate("2025-12-31")), to: lastOfJanuary) == 2
        )
    }

    @Test func theLimitIsInclusive() throws {
        #expect(throws: Never.self) { try Self.parse("from=2024-01-01&to=2024-12-31") }  // 366 days
        #expect(throws: APIError.self) { try Self.parse("from=2024-01-01&to=2025-01-01") }
        #expect(throws: Never.self) { try Self.parse("from=2017-01-01&to=2026-12-31&interval=month") }
        #expect(throws: APIError.self) { try Self.parse("from=2017-01-01&to=2027-01-01&interval=month") }
    }

    @Test(
        "IANA zone names are accepted",
        arguments: [
            "UTC", "GMT", "Europe/Paris", "America/New_York", "America/Argentina/Buenos_Aires",
            "America/Port-au-Prince", "Etc/UTC", "Etc/GMT+12", "Etc/GMT-14", "Etc/GMT0", "Etc/GMT-0", "US/Eastern",
        ]
    )
    func acceptsZone(name: String) {
        #expect(RevenueQuery.isZoneName(name))
    }

    @Test(
        "abbreviations, POSIX rules, offsets and odd shapes are refused",
        arguments: [
            "", "PST", "CET", "EST5EDT", "utc", "Europe", "Europe/", "/Paris", "Europe//Paris", "europe/paris",
            "Europe/Foo3", "Foo/Bar+3", "Etc/GMT+13", "Etc/GMT-15", "Etc/GMT+05", "Etc/GMT+", "+03", "<+03>-3",
            "Europe/Paris/", "Europe/_Paris", "America/A/B/C", "Europe/Par is", "Europe/Paris\u{0}",
            "Europe/" + String(repeating: "x", count: 60),
        ]
    )
    func refusesZone(name: String) {
        #expect(!RevenueQuery.isZoneName(name))
    }

    @Test(
        "amounts keep every significant digit, with at least two decimals",
        arguments: [
            ("1234.500000", "1234.50"), ("0", "0.00"), ("0.125000", "0.125"), ("7", "7.00"), ("1.5", "1.50"),
            ("10.000001", "10.000001"), ("-3.100000", "-3.10"), ("60.00", "60.00"), ("0.000000", "0.00"),
        ]
    )
    func printsAmount(text: String, expected: String) throws {
        var bytes: [UInt8] = []
        RevenueReport.appendAmount(try #require(DecimalString(text)), to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "\"" + expected + "\"")
    }
}
