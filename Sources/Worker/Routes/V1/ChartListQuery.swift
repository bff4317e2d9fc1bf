import Database
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

    /// The page's charts from the statement's result, read in place (at most `limit + 1`).
    func charts(_ result: PostgresResult) -> Result<[Chart], PostgresDecodingError> {
        Result { () throws(PostgresDecodingError) -> [Chart] in
            let count = min(result.count, self.limit + 1)
            var charts: [Chart] = []
            charts.reserveCapacity(count)
            for row in 0..<count { charts.append(try Chart(result, row: row)) }
            return charts
        }
    }

    /// The body for `charts` (one more than `limit` when another page follows): the charts and
    /// the cursor of the next page.
    func page(_ charts: [Chart]) -> Page {
        guard charts.count > self.limit else { return Page(data: charts, nextCursor: nil) }
        let shown = Array(charts.prefix(self.limit))
        return Page(data: shown, nextCursor: shown.last.map { ChartCursor(after: $0, in: self.listing).token })
    }

    /// `{"data":[chart…],"next_cursor":"…"|null}`.
    struct Page: JSONWritable {
        let data: [Chart]
        let nextCursor: String?

        func encode(to encoder: any Encoder) throws {
            try self.encodeWritten(to: encoder)
        }

        func writeJSON(to bytes: inout [UInt8]) {
            bytes.append(UInt8(ascii: "{"))
            JSONWriter.appendKey("data", first: true, to: &bytes)
            bytes.append(UInt8(ascii: "["))
            for index in self.data.indices {  // by index: no copy of each chart (14 retains)
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                self.data[index].writeJSON(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
            JSONWriter.appendKey("next_cursor", to: &bytes)
            JSONWriter.appendQuotedOrNull(self.nextCursor, to: &bytes)
            bytes.append(UInt8(ascii: "}"))
        }

        /// Room for the encoded page, so encoding rarely reallocates (a demo chart is ~720 bytes).
        var encodedSizeEstimate: Int { 96 + self.data.count * 1024 }
    }

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
