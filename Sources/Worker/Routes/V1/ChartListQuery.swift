import Database
import NIOCore
import Shared

/// `GET /v1/charts?limit=&cursor=&pinned=`: what the request asks for, the one statement that
/// reads the page (keyset pagination: no `OFFSET`, so page 100 costs what page 1 costs), and the
/// body it answers.
///
/// Orders, each served by an index of migration 0008 (the tenant's charts in index order, read
/// `limit + 1` deep to know whether another page follows):
/// - all charts and `pinned=false`: newest first, `created_at DESC, id DESC`;
/// - `pinned=true`: `position ASC NULLS LAST, created_at DESC, id DESC`.
struct ChartListQuery: Sendable {
    /// Charts per page.
    let limit: Int
    /// Which list, hence which order.
    let listing: ChartCursor.Listing
    /// Where the previous page ended (`nil`: the first page).
    let cursor: ChartCursor?

    /// Allowed `limit` values; the default when it is left out.
    static let limits = 1...100
    static let defaultLimit = 20

    /// Reads `limit` (`422` when not an integer in `limits`), `pinned` (`400` unless `true` or
    /// `false`) and `cursor` (`400` unless this server issued it for the same list).
    init(_ query: QueryParameters) throws {
        if let text = query.get("limit") {
            guard let limit = Int(text), Self.limits.contains(limit) else {
                let message = "must be an integer between \(Self.limits.lowerBound) and \(Self.limits.upperBound)"
                throw QueryParameters.failure(.validationError, "limit", message)
            }
            self.limit = limit
        } else {
            self.limit = Self.defaultLimit
        }
        switch try query.get("pinned", as: Bool.self) {
        case nil: self.listing = .all
        case true?: self.listing = .pinned
        case false?: self.listing = .unpinned
        }
        if let token = query.get("cursor") {
            guard let cursor = ChartCursor(token: token, for: self.listing) else {
                throw QueryParameters.failure(.badRequest, "cursor", "is not a cursor of this list")
            }
            self.cursor = cursor
        } else {
            self.cursor = nil
        }
    }

    /// The statement that reads the page and its parameters: one more row than `limit` when
    /// another page follows.
    func statement(store: UUID) -> (sql: String, parameters: [any PostgresEncodable]) {
        guard let cursor else { return (Self.firstPage(self.listing), [store, self.limit + 1]) }
        let after: [any PostgresEncodable] = [store, self.limit + 1, cursor.createdAt, cursor.id]
        switch (self.listing, cursor.position) {
        case (.all, _): return (Self.allAfter, after)
        case (.unpinned, _): return (Self.unpinnedAfter, after)
        case (.pinned, let position?): return (Self.pinnedAfterPosition, after + [position])
        case (.pinned, nil): return (Self.pinnedAfterUnpositioned, after)
        }
    }

    /// The body of the page in `result` (`limit + 1` rows when another page follows), written
    /// straight from it (`Chart.json`): `{"data":[chart…],"next_cursor":"…"|null}`. Runs on the
    /// pool thread while the result is alive; the buffer goes to the response as it is.
    func body(_ result: PostgresResult) -> Result<ByteBuffer, PostgresDecodingError> {
        Result { () throws(PostgresDecodingError) -> ByteBuffer in
            guard result.columnCount == Chart.json.columns.count else {
                throw PostgresDecodingError(column: "*", expected: "the chart columns", problem: .missing)
            }
            let shown = 0..<min(result.count, self.limit)
            let cursor =
                result.count > self.limit
                ? try ChartCursor(after: shown.upperBound - 1, of: result, in: self.listing).token : nil
            return try Chart.json.body(result, rows: shown, open: #"{"data":["#, closeBound: 64) { out in
                // `],"next_cursor":`, the quoted cursor (at most 40 base64url characters) or `null`, `}`.
                out.append(#"],"next_cursor":"#)
                if let cursor {
                    out.append(byte: UInt8(ascii: "\""))
                    out.append(string: cursor)
                    out.append(byte: UInt8(ascii: "\""))
                } else {
                    out.append("null")
                }
                out.append(byte: UInt8(ascii: "}"))
            }
        }
    }

    /// The body when the statement returned no rows result: an empty last page.
    static let emptyPage = ByteBuffer(string: #"{"data":[],"next_cursor":null}"#)

    // The statements, built once. `$1` the store (also filtered on explicitly, which lets the
    // planner use the index before row security adds the same condition), `$2` the rows to
    // read, `$3`/`$4` the cursor's `created_at` and id, `$5` its position.
    private static let select = "SELECT \(Chart.columns) FROM app.saved_charts WHERE store_id = $1"
    private static let newest = " ORDER BY created_at DESC, id DESC LIMIT $2"
    private static let byPosition = " ORDER BY position ASC NULLS LAST, created_at DESC, id DESC LIMIT $2"
    private static let olderThanCursor = "(created_at, id) < ($3::timestamptz, $4::uuid)"

    private static let allFirst = select + newest
    private static let unpinnedFirst = select + " AND NOT pinned" + newest
    private static let pinnedFirst = select + " AND pinned" + byPosition
    private static let allAfter = select + " AND " + olderThanCursor + newest
    private static let unpinnedAfter = select + " AND NOT pinned AND " + olderThanCursor + newest
    /// After a chart with a position: larger positions, then every unpositioned chart, then
    /// older charts of the same position.
    private static let pinnedAfterPosition =
        select + " AND pinned AND (position > $5 OR position IS NULL OR (position = $5 AND "
        + olderThanCursor + "))" + byPosition
    /// After an unpositioned chart: only older unpositioned charts remain.
    private static let pinnedAfterUnpositioned =
        select + " AND pinned AND position IS NULL AND " + olderThanCursor + byPosition

    private static func firstPage(_ listing: ChartCursor.Listing) -> String {
        switch listing {
        case .all: self.allFirst
        case .unpinned: self.unpinnedFirst
        case .pinned: self.pinnedFirst
        }
    }
}
