import Foundation
import Hummingbird
import PostgresNIO

/// `GET /v1/charts?limit=&pinned=`: the first page of a store's saved charts, newest first (or
/// pinned by position), `{"data":[chart…],"next_cursor":…}` as in saas-api's contract.
///
/// The benchmark asks for the first page only: `cursor` (the keyset of the next page) is not read
/// here, and `next_cursor` is an opaque token of the peer's own (`null` on the last page).
struct ChartRoutes: Sendable {
    let database: Database

    func register(in group: RouterGroup<PeerContext>) {
        group.get("charts", use: self.list)
    }

    @Sendable func list(_ request: Request, context: PeerContext) async throws -> ChartPage {
        let tenant = try context.requireTenant()
        let query = request.uri.queryParameters
        var limit = 20
        if let text = query["limit"] {
            guard let value = Int(text), (1...100).contains(value) else {
                throw APIError(
                    .unprocessableContent,
                    code: "VALIDATION_ERROR",
                    message: "must be an integer from 1 to 100",
                    field: "limit"
                )
            }
            limit = value
        }
        let listing: Listing
        switch query["pinned"] {
        case nil: listing = .all
        case "true": listing = .pinned
        case "false": listing = .unpinned
        default:
            throw APIError(.badRequest, code: "BAD_REQUEST", message: "pinned must be true or false", field: "pinned")
        }
        let store = tenant.storeId
        let rows = try await self.database.withTenant(store, logger: context.logger) { connection in
            try await connection.query(listing.firstPage(store: store, rows: limit + 1), logger: context.logger)
                .collect()
        }
        var charts = try rows.map(Chart.init(row:))
        var nextCursor: String?
        if charts.count > limit {
            charts.removeLast()
            nextCursor = ChartCursor.encode(after: charts[charts.count - 1], pinnedOrder: listing == .pinned)
        }
        return ChartPage(data: charts, nextCursor: nextCursor)
    }

    /// Which list, hence which order.
    enum Listing {
        case all, pinned, unpinned

        /// saas-api's first-page statements (Sources/Worker/Routes/V1/ChartListQuery.swift): the
        /// store filtered on explicitly as well as by row-level security, `limit + 1` rows.
        func firstPage(store: UUID, rows: Int) -> PostgresQuery {
            switch self {
            case .all:
                """
                SELECT \(unescaped: Chart.columns) FROM app.saved_charts WHERE store_id = \(store) \
                ORDER BY created_at DESC, id DESC LIMIT \(rows)
                """
            case .unpinned:
                """
                SELECT \(unescaped: Chart.columns) FROM app.saved_charts WHERE store_id = \(store) AND NOT pinned \
                ORDER BY created_at DESC, id DESC LIMIT \(rows)
                """
            case .pinned:
                """
                SELECT \(unescaped: Chart.columns) FROM app.saved_charts WHERE store_id = \(store) AND pinned \
                ORDER BY position ASC NULLS LAST, created_at DESC, id DESC LIMIT \(rows)
                """
            }
        }
    }
}
