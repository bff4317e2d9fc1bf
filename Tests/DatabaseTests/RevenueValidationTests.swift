import Database
import Shared
import TestSupport
import Testing

@testable import Worker

/// The `422`s of `GET /v1/analytics/revenue`: every failing field listed at once, and a zone
/// PostgreSQL does not know answered as a bad `tz`, never as a `500`.
@Suite("Revenue route validation", .migratedDatabase)
struct RevenueValidationTests {
    private let server: RevenueRouteServer
    private let store: Tenant

    init() throws {
        let database = try #require(TestDatabase.current)
        self.store = try RevenueFixtures.store(try database.connect(.admin), currency: "EUR", timezone: "Europe/Paris")
        self.server = try RevenueRouteServer(database: database, tenants: [self.store])
    }

    /// The `details` of a `422` for `query`, as `field: message` strings.
    private func failures(_ query: String) async throws -> [String] {
        let response = try await self.server.get("/v1/analytics/revenue?" + query, store: self.store.storeId)
        #expect(response.status == 422, "\(query): \(response.status) \(response.text)")
        #expect(response.errorCode == "VALIDATION_ERROR")
        return response.errorDetails.map(\.description)
    }

    @Test func missingFromAndToAreBothListed() async throws {
        #expect(try await self.failures("") == ["from: is required", "to: is required"])
        #expect(try await self.failures("interval=week") == ["from: is required", "to: is required"])
    }

    @Test func everyFailingFieldIsListedAtOnce() async throws {
        #expect(
            try await self.failures("from=2026-02-30&to=2026-1-05&interval=year&tz=PST")
                == [
                    "from: must be a date (YYYY-MM-DD)", "to: must be a date (YYYY-MM-DD)",
                    "interval: must be one of: day, week, month",
                    "tz: must be an IANA time zone name, e.g. Europe/Paris",
                ]
        )
        #expect(
            try await self.failures("from=2026-03-02&to=2026-03-01&interval=hour&tz=Mars/Olympus_Mons")
                == [
                    "interval: must be one of: day, week, month",
                    "tz: must be an IANA time zone name, e.g. Europe/Paris", "to: must not be before from",
                ]
        )
        #expect(
            try await self.failures("from=1969-12-31&to=") == [
                "from: must not be before 1970-01-01", "to: must be a date (YYYY-MM-DD)",
            ]
        )
    }

    @Test func rangesLongerThanTheIntervalAllowsAreRefused() async throws {
        let cases = [
            ("from=2025-01-01&to=2026-01-02", "from and to may span at most 366 days"),
            ("from=2023-01-02&to=2026-01-26&interval=week", "from and to may span at most 160 weeks"),
            ("from=2016-01-01&to=2026-01-01&interval=month", "from and to may span at most 120 months"),
        ]
        for (query, message) in cases {
            #expect(try await self.failures(query) == ["from: " + message, "to: " + message])
        }
    }

    @Test func zonesThatAreNotIANAZonesAreRefused() async throws {
        let zone = "tz: must be an IANA time zone name, e.g. Europe/Paris"
        // Well-formed but unknown: PostgreSQL refuses it inside the route's statement, even for
        // this store, which has no orders to read.
        #expect(try await self.failures("from=2026-01-01&to=2026-01-02&tz=Europe/Atlantis") == [zone])
        #expect(try await self.failures("from=2026-01-01&to=2026-01-02&tz=America/Nowhere") == [zone])
        // PostgreSQL would accept these as an abbreviation or a POSIX rule, i.e. a fixed offset
        // instead of the zone: refused before the statement.
        for name in [
            "PST", "CET", "Etc/GMT%2B13", "Europe/Foo3", "XYZ%2B3", "%2B03", "%3C%2B03%3E-3", "europe/paris", "",
        ] {
            #expect(try await self.failures("from=2026-01-01&to=2026-01-02&tz=" + name) == [zone], "\(name)")
        }
    }

    @Test func wellFormedKnownZonesAreServed() async throws {
        for name in ["UTC", "Etc/GMT%2B12", "Etc/GMT-14", "America/Argentina/Buenos_Aires", "America/Port-au-Prince"] {
            let response = try await self.server.get(
                "/v1/analytics/revenue?from=2026-01-01&to=2026-01-02&tz=" + name,
                store: self.store.storeId
            )
            #expect(response.status == 200, "\(name): \(response.status) \(response.text)")
        }
    }
}
