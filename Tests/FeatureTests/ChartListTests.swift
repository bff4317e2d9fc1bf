import Shared
import Testing

@testable import TestSupport
@testable import Worker

/// `GET /v1/charts`: keyset pagination across pages, the two orders, `limit` and `cursor`
/// checks, against a real PostgreSQL, in process and through the real parser.
@Suite("Charts list", .migratedDatabase)
struct ChartListTests {
    /// Every page of `target` (which has no query or ends with `&`), following `next_cursor`.
    static func walk(_ client: TestClient, _ target: String) async throws -> [[ChartBody]] {
        var pages: [[ChartBody]] = []
        var cursor: String?
        repeat {
            let separator = target.contains("?") ? "&" : "?"
            let response = try await client.get(target + (cursor.map { "\(separator)cursor=\($0)" } ?? ""))
            #expect(response.status == 200)
            let page = try response.page
            pages.append(page.data)
            cursor = try page.cursor
            if pages.count > 50 { break }
        } while cursor != nil
        return pages
    }

    @Test(
        "pages newest first, ties broken by id: no duplicate, no gap, null cursor at the end",
        arguments: TestServer.Mode.allCases
    )
    func pagesNewestFirst(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        // Seven charts, three sharing one created_at, so the id decides among them.
        var expected: [(createdAt: String, id: UUID)] = []
        for (index, createdAt) in [
            "2026-01-01T00:00:00Z", "2026-01-03T00:00:00.000001Z", "2026-01-02T00:00:00Z", "2026-01-02T00:00:00Z",
            "2026-01-02T00:00:00Z", "2025-12-31T23:59:59.999999Z", "2026-01-04T00:00:00Z",
        ].enumerated() {
            let pinned = index % 2 == 0
            expected.append((createdAt, try FeatureFixture.chart(store: store, createdAt: createdAt, pinned: pinned)))
        }
        let order = expected.sorted { a, b in
            let (x, y) = (DateTime(a.createdAt)!, DateTime(b.createdAt)!)
            return x != y ? x > y : a.id > b.id
        }.map(\.id)
        try FeatureFixture.chart(store: try FeatureFixture.store())  // another store's: never listed
        let client = FeatureFixture.client(try FeatureFixture.server(mode), store: store)
        let pages = try await Self.walk(client, "/v1/charts?limit=3")
        #expect(pages.map(\.count) == [3, 3, 1])
        #expect(pages.flatMap { $0 }.map(\.id) == order)
        let single = try await client.get("/v1/charts").page
        #expect(single.data.map(\.id) == order)
        #expect(try single.cursor == nil)
        // An exact fit: the last full page says there is no next one only after one more read.
        let exact = try await Self.walk(client, "/v1/charts?limit=7")
        #expect(exact.map(\.count) == [7])
    }

    @Test(
        "pinned=true orders by position (nulls last) then newest; pinned=false filters",
        arguments: TestServer.Mode.allCases
    )
    func pagesPinnedByPosition(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        let p2 = try FeatureFixture.chart(store: store, createdAt: "2026-01-01T00:00:00Z", pinned: true, position: 2)
        let p0Old = try FeatureFixture.chart(store: store, createdAt: "2026-01-01T00:00:00Z", pinned: true, position: 0)
        let p0New = try FeatureFixture.chart(store: store, createdAt: "2026-01-05T00:00:00Z", pinned: true, position: 0)
        let noneOld = try FeatureFixture.chart(store: store, createdAt: "2026-01-02T00:00:00Z", pinned: true)
        let noneNew = try FeatureFixture.chart(store: store, createdAt: "2026-01-06T00:00:00Z", pinned: true)
        let p1 = try FeatureFixture.chart(store: store, createdAt: "2026-01-03T00:00:00Z", pinned: true, position: 1)
        let unpinned = try FeatureFixture.chart(store: store, createdAt: "2026-01-09T00:00:00Z", position: 0)
        let client = FeatureFixture.client(try FeatureFixture.server(mode), store: store)
        let expected = [p0New, p0Old, p1, p2, noneNew, noneOld]
        for limit in 1...3 {
            let pages = try await Self.walk(client, "/v1/charts?pinned=true&limit=\(limit)")
            #expect(pages.flatMap { $0 }.map(\.id) == expected, "limit \(limit)")
            #expect(pages.allSatisfy { $0.count <= limit })
        }
        let unpinnedPages = try await Self.walk(client, "/v1/charts?pinned=false&limit=1")
        #expect(unpinnedPages.flatMap { $0 }.map(\.id) == [unpinned])
    }

    @Test("limit must be an integer from 1 to 100 (422 naming it); default 20", arguments: TestServer.Mode.allCases)
    func checksTheLimit(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        for day in 1...21 {
            try FeatureFixture.chart(store: store, createdAt: "2026-02-\(day < 10 ? "0" : "")\(day)T00:00:00Z")
        }
        let client = FeatureFixture.client(try FeatureFixture.server(mode), store: store)
        for bad in ["0", "101", "-1", "abc", "1.5", "", "20x"] {
            let response = try await client.get("/v1/charts?limit=\(bad)")
            #expect(response.status == 422, "limit=\(bad)")
            #expect(response.errorCode == "VALIDATION_ERROR")
            #expect(response.errorDetails.map(\.field) == ["limit"])
        }
        #expect(try await client.get("/v1/charts").page.data.count == 20)
        #expect(try await client.get("/v1/charts?limit=1").page.data.count == 1)
        #expect(try await client.get("/v1/charts?limit=100").page.data.count == 21)
        let pinned = try await client.get("/v1/charts?pinned=maybe")
        #expect(pinned.status == 400)
        #expect(pinned.errorDetails.map(\.field) == ["pinned"])
    }

    @Test(
        "a cursor that does not decode, or belongs to another list, is 400 naming it",
        arguments: TestServer.Mode.allCases
    )
    func refusesForeignCursors(mode: TestServer.Mode) async throws {
        let store = try FeatureFixture.store()
        for day in 1...3 {
            try FeatureFixture.chart(store: store, createdAt: "2026-03-0\(day)T00:00:00Z", pinned: true)
        }
        let client = FeatureFixture.client(try FeatureFixture.server(mode), store: store)
        let allCursor = try #require(try await client.get("/v1/charts?limit=1").page.cursor)
        let pinnedCursor = try #require(try await client.get("/v1/charts?limit=1&pinned=true").page.cursor)
        #expect(try await client.get("/v1/charts?limit=1&cursor=\(allCursor)").status == 200)
        for (query, cursor) in [
            ("pinned=true", allCursor), ("pinned=false", allCursor), ("", pinnedCursor),
            ("", "not-a-cursor!"), ("", ""), ("", String(allCursor.dropLast())), ("", allCursor + "A"),
            ("", String(repeating: "A", count: 34)),
        ] {
            let response = try await client.get("/v1/charts?\(query)&cursor=\(cursor)")
            #expect(response.status == 400, "\(query) \(cursor)")
            #expect(response.errorCode == "BAD_REQUEST")
            #expect(response.errorDetails.map(\.field) == ["cursor"])
        }
    }
}
