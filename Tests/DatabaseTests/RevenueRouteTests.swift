import Database
import Shared
import TestSupport
import Testing

@testable import Worker

/// `GET /v1/analytics/revenue` in process against a real PostgreSQL, with hand-made orders
/// whose every expected figure is worked out below. Store A is in Europe/Paris (DST from
/// 2026-03-29 01:00Z), store B in America/New_York (back to EST on 2026-11-01 06:00Z), store C
/// has no orders; each store also holds orders the others must never count.
@Suite("Revenue route", .migratedDatabase)
struct RevenueRouteTests {
    private let server: RevenueRouteServer
    private let storeA: Tenant
    private let storeB: Tenant
    private let storeC: Tenant

    init() throws {
        let database = try #require(TestDatabase.current)
        let admin = try database.connect(.admin)
        self.storeA = try RevenueFixtures.store(admin, currency: "EUR", timezone: "Europe/Paris")
        self.storeB = try RevenueFixtures.store(admin, currency: "USD", timezone: "America/New_York")
        self.storeC = try RevenueFixtures.store(admin, currency: "GBP", timezone: "UTC")
        try RevenueFixtures.orders(admin, store: self.storeA, RevenueFixtures.parisOrders)
        try RevenueFixtures.orders(admin, store: self.storeB, RevenueFixtures.newYorkOrders)
        self.server = try RevenueRouteServer(database: database, tenants: [self.storeA, self.storeB, self.storeC])
    }

    private func report(_ query: String, as store: Tenant) async throws -> RevenueBody {
        let response = try await self.server.get("/v1/analytics/revenue?" + query, store: store.storeId)
        try #require(response.status == 200, "\(response.status) \(response.text)")
        #expect(response.header("Content-Type") == "application/json")
        return try response.decode(RevenueBody.self)
    }

    @Test func daysAcrossTheSpringDSTChangeInParis() async throws {
        let body = try await self.report("from=2026-03-28&to=2026-03-30", as: self.storeA)
        #expect(body.currency == "EUR" && body.timezone == "Europe/Paris" && body.interval == "day")
        #expect(body.from == "2026-03-28" && body.to == "2026-03-30")
        // a2 (refund 30 counted on the order's day) + a3; test, voided, failed, expired and
        // store B's orders of that day left out. 119.99 / 2 = 59.995 rounds to 60.00.
        #expect(body.buckets.map(\.start) == ["2026-03-28", "2026-03-29", "2026-03-30"])
        #expect(body.buckets[0].figures == Figures("119.99", "30.00", "89.99", 2, "60.00"))
        // a4 only: 00:30 local on the 29th is still the 28th in UTC. One order: AOV = its total.
        #expect(body.buckets[1].figures == Figures("0.125", "0.00", "0.125", 1, "0.13"))
        // a5 (00:30 CEST, +2 after the change) and a6 (23:59:59 CEST, the last instant of `to`).
        #expect(body.buckets[2].figures == Figures("15.500001", "0.00", "15.500001", 2, "7.75"))
        #expect(body.totals == Figures("135.615001", "30.00", "105.615001", 5, "27.12"))
    }

    @Test func weeksStartOnMonday() async throws {
        let body = try await self.report("from=2026-03-25&to=2026-04-07&interval=week", as: self.storeA)
        #expect(body.buckets.map(\.start) == ["2026-03-23", "2026-03-30", "2026-04-06"])
        // Wed 25 … Sun 29: a1 (23:59:59 local on the 27th), a2, a3, a4.
        #expect(body.buckets[0].figures == Figures("121.115", "30.00", "91.115", 4, "30.28"))
        // Mon 30 … Sun 5: a5, a6, a7 (00:00 local on the 31st).
        #expect(body.buckets[1].figures == Figures("17.500001", "0.00", "17.500001", 3, "5.83"))
        #expect(body.buckets[2].figures == .zero)
        #expect(body.totals == Figures("138.615001", "30.00", "108.615001", 7, "19.80"))

        // Sunday the 29th and Monday the 30th fall in two weeks; the first starts before `from`
        // and holds only what was placed from `from` on.
        let edge = try await self.report("from=2026-03-29&to=2026-03-30&interval=week", as: self.storeA)
        #expect(edge.buckets.map(\.start) == ["2026-03-23", "2026-03-30"])
        #expect(edge.buckets.map(\.figures.orders) == [1, 2])
    }

    @Test func monthsAreLocalCalendarMonths() async throws {
        let body = try await self.report("from=2026-02-15&to=2026-04-10&interval=month", as: self.storeA)
        #expect(body.buckets.map(\.start) == ["2026-02-01", "2026-03-01", "2026-04-01"])
        // a8 was placed on 28 February in UTC, 1 March in Paris.
        #expect(body.buckets[0].figures == .zero)
        #expect(body.buckets[1].figures == Figures("141.615001", "30.00", "111.615001", 8, "17.70"))
        #expect(body.buckets[2].figures == .zero)
        #expect(body.totals == body.buckets[1].figures)
    }

    @Test func daysAcrossTheAutumnDSTChangeInNewYork() async throws {
        let body = try await self.report("from=2026-10-31&to=2026-11-02", as: self.storeB)
        #expect(body.currency == "USD" && body.timezone == "America/New_York")
        #expect(body.buckets.map(\.start) == ["2026-10-31", "2026-11-01", "2026-11-02"])
        #expect(body.buckets[0].figures == Figures("40.00", "0.00", "40.00", 1, "40.00"))
        // 1 November has 25 hours: b2 at 00:30 EDT and b3 at 23:30 EST.
        #expect(body.buckets[1].figures == Figures("3.30", "0.00", "3.30", 2, "1.65"))
        #expect(body.buckets[2].figures == Figures("3.30", "0.00", "3.30", 1, "3.30"))
        #expect(body.totals == Figures("46.60", "0.00", "46.60", 4, "11.65"))
    }

    @Test func tzOverridesTheStoreZone() async throws {
        let body = try await self.report("from=2026-10-31&to=2026-11-02&tz=Europe/Paris", as: self.storeB)
        #expect(body.currency == "USD" && body.timezone == "Europe/Paris")
        #expect(body.buckets[0].figures == .zero)
        #expect(body.buckets[1].figures == Figures("41.10", "0.00", "41.10", 2, "20.55"))
        #expect(body.buckets[2].figures == Figures("5.50", "0.00", "5.50", 2, "2.75"))
        #expect(body.totals == Figures("46.60", "0.00", "46.60", 4, "11.65"))
    }

    @Test func aStoreWithoutOrdersGetsEveryBucketAsZeros() async throws {
        let body = try await self.report("from=2026-03-01&to=2026-03-31", as: self.storeC)
        #expect(body.currency == "GBP" && body.timezone == "UTC")
        #expect(body.buckets.count == 31)
        #expect(body.buckets.first?.start == "2026-03-01" && body.buckets.last?.start == "2026-03-31")
        #expect(body.buckets.allSatisfy { $0.figures == .zero })
        #expect(body.totals == .zero)
    }

    @Test func theLongestRangesAreServed() async throws {
        let days = try await self.report("from=2025-01-01&to=2026-01-01", as: self.storeA)
        #expect(days.buckets.count == 366)
        let weeks = try await self.report("from=2023-01-02&to=2026-01-25&interval=week", as: self.storeA)
        #expect(weeks.buckets.count == 160)
        let months = try await self.report("from=2016-01-01&to=2025-12-31&interval=month", as: self.storeA)
        #expect(months.buckets.count == 120)
    }
}
