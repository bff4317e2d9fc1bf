import Database
import NIOCore
import Shared
import Testing

@testable import TestSupport
@testable import Worker

/// The list's body, written straight from the result (`Chart.json`), is byte for byte the page
/// the `Chart` struct path writes (`Chart(row:)` then `writeJSON`, as show, create and update do), on real rows of
/// every shape: escapes, non-ASCII, NULLs, references, positions, microseconds.
@Suite("Chart page body", .migratedDatabase)
struct ChartPageBodyTests {
    /// The page `query` reads for `store`: the fast body and the struct path's, from one result.
    private static func bodies(_ query: String, store: UUID) throws -> (fast: String, structs: String) {
        let list = try ChartListQuery(QueryParameters(Substring(query)))
        let (sql, parameters) = list.statement(store: store)
        let connection = try #require(TestDatabase.current).connect(.rw)
        let outcome = try connection.queryAsTenant(
            store,
            readOnly: true,
            statementTimeout: .seconds(10),
            sql,
            parameters: parameters
        ) { result in
            Result { () throws -> (String, String) in
                var fast = try list.body(result).get()
                return (fast.readString(length: fast.readableBytes) ?? "", try Self.structPage(result, list))
            }
        }
        return try #require(outcome).get()
    }

    /// The page as the route wrote it before it wrote from the result: a `Chart` per row.
    private static func structPage(_ result: PostgresResult, _ list: ChartListQuery) throws -> String {
        let rows = PostgresRows(result).rows
        let charts = try rows.prefix(list.limit + 1).map { try Chart(row: $0) }
        let shown = charts.prefix(list.limit)
        var bytes = Array(#"{"data":["#.utf8)
        for (index, chart) in shown.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            chart.writeJSON(to: &bytes)
        }
        bytes.append(contentsOf: #"],"next_cursor":"#.utf8)
        let cursor = charts.count > list.limit ? ChartCursor(after: shown.last!, in: list.listing).token : nil
        JSONWriter.appendQuotedOrNull(cursor, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func theBodyFromTheResultIsTheStructPathsPage() throws {
        let store = try FeatureFixture.store()
        let (conversation, message) = try FeatureFixture.conversation(store: store)
        try FeatureFixture.execute(
            """
            INSERT INTO app.saved_charts (store_id, title, description, spec, query_sql, query_params, pinned,
                                          position, conversation_id, message_id, created_by, created_at, updated_at)
            VALUES
              ($1, E'Top "products" \\\\ é\\n日本', E'line\\nbreak\\t\\x01', '{"mark":"bar","title":"Umsätze \\"Q\\""}',
               E'SELECT day,\\n  revenue FROM daily WHERE x = ''a''', '{"days":30,"a":[1,2.50]}', true, 3,
               $2, $3, 'ann', '2026-01-01 00:00:00.123456+00', '2026-01-02 00:00:00.1+00'),
              ($1, 'plain', NULL, '{}', 'SELECT 1', '{}', false, NULL, NULL, NULL, NULL,
               '2026-01-01 00:00:00+00', '2026-01-01 00:00:00.000001+00'),
              ($1, '😀', '', '{"x":null}', 'SELECT 2', '{}', true, 0, NULL, NULL, '',
               '2025-06-30 23:59:59.999+00', '2026-03-01 12:00:00.12+00'),
              ($1, 'fourth', 'd', '{"mark":"line"}', 'SELECT 3', '{}', false, 2147483647, $2, NULL, 'bob',
               '2024-02-29 12:34:56.789012+00', '2024-02-29 12:34:56.789012+00')
            """,
            [store.description, conversation.description, message.description]
        )
        for query in ["", "limit=1", "limit=2", "limit=3", "limit=4", "pinned=true&limit=1", "pinned=false"] {
            let (fast, structs) = try Self.bodies(query, store: store)
            #expect(fast == structs, "\(query)")
            #expect(fast.hasPrefix(#"{"data":[{"id":""#))
        }
    }

    @Test func anEmptyListIsAnEmptyLastPage() throws {
        let store = try FeatureFixture.store()
        let (fast, structs) = try Self.bodies("limit=5", store: store)
        #expect(fast == #"{"data":[],"next_cursor":null}"#)
        #expect(fast == structs)
        var empty = ChartListQuery.emptyPage
        #expect(empty.readString(length: empty.readableBytes) == fast)
    }
}
