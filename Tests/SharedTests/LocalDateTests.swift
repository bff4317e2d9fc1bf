import Testing

@testable import Shared

@Suite("LocalDate")
struct LocalDateTests {
    @Test("YYYY-MM-DD round-trips and counts days from 1970-01-01")
    func roundTrip() throws {
        let date = try #require(LocalDate("2026-03-29"))
        #expect(date.description == "2026-03-29")
        #expect(date.components == (2026, 3, 29))
        #expect(LocalDate("1970-01-01")?.daysSinceEpoch == 0)
        #expect(LocalDate("1969-12-31")?.daysSinceEpoch == -1)
        #expect(LocalDate("0001-01-01")?.description == "0001-01-01")
        #expect(LocalDate("2024-02-29")?.adding(days: 1).description == "2024-03-01")
        #expect(date.adding(days: -365).description == "2025-03-29")
    }

    @Test(
        "anything but a real YYYY-MM-DD day is refused",
        arguments: [
            "", "2026-3-29", "2026-03-29T00:00:00Z", "26-03-29", "+2026-03-29", "2026/03/29", "2026-02-29",
            "2026-13-01", "2026-00-10", "2026-01-00", "0000-01-01", " 2026-03-29", "2026-03-29 ", "２０２６-03-29",
        ]
    )
    func rejects(text: String) {
        #expect(LocalDate(text) == nil)
    }

    @Test("ISO weekdays: Monday is 1, Sunday 7")
    func weekdays() {
        #expect(LocalDate("2026-03-23")?.isoWeekday == 1)
        #expect(LocalDate("2026-03-29")?.isoWeekday == 7)
        #expect(LocalDate("1970-01-01")?.isoWeekday == 4)
        #expect(LocalDate("1969-12-29")?.isoWeekday == 1)
    }
}
