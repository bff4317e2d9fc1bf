import Foundation
import Hummingbird
import PostgresNIO

/// `GET /v1/analytics/revenue?from=&to=&interval=day|week|month&tz=`: gross, refunds, net, order
/// count and average order value per bucket, every bucket of the range present, as in saas-api's
/// contract. The statement is saas-api's, word for word (it sums, fills empty buckets and
/// rounds in SQL, the totals row first); the peer decodes the rows into Codable values.
struct RevenueRoutes: Sendable {
    let database: Database

    func register(in group: RouterGroup<PeerContext>) {
        group.get("analytics/revenue", use: self.revenue)
    }

    @Sendable func revenue(_ request: Request, context: PeerContext) async throws -> RevenueReport {
        let tenant = try context.requireTenant()
        let range = try RevenueRange(request.uri.queryParameters)
        let zone = range.zone ?? tenant.timezone
        var binds = PostgresBindings()
        binds.append(range.from)
        binds.append(range.to)
        binds.append(zone)
        binds.append(range.interval.rawValue)
        binds.append(range.interval.step)
        binds.append(tenant.storeId)
        let query = PostgresQuery(unsafeSQL: Self.sql, binds: binds)
        let rows = try await self.database.withTenant(tenant.storeId, logger: context.logger) { connection in
            try await connection.query(query, logger: context.logger).collect()
        }
        var figures: [(start: String?, figures: RevenueReport.Figures)] = []
        figures.reserveCapacity(rows.count)
        for row in rows {
            let (start, gross, refunds, net, orders, average) = try row.decode(
                (String?, Decimal, Decimal, Decimal, Int64, Decimal).self
            )
            figures.append(
                (start, .init(gross: gross, refunds: refunds, net: net, orders: orders, averageOrderValue: average))
            )
        }
        guard let totals = figures.first, totals.start == nil else {
            throw APIError(.internalServerError, code: "INTERNAL_ERROR", message: "Unexpected result")
        }
        return RevenueReport(
            currency: tenant.currency,
            timezone: zone,
            interval: range.interval.rawValue,
            from: range.from,
            to: range.to,
            totals: totals.figures,
            buckets: figures.dropFirst().map { .init(start: $0.start ?? "", figures: $0.figures) }
        )
    }

    /// saas-api's statement (Sources/Worker/Routes/V1/RevenueRoutes.swift): `$1` from, `$2` to,
    /// `$3` zone, `$4` date_trunc unit, `$5` step, `$6` store.
    static let sql = """
        WITH s AS (
            SELECT s.bucket, s.i
            FROM generate_series(
                date_trunc($4::text, ($1::date::timestamp AT TIME ZONE $3::text) AT TIME ZONE $3::text),
                $2::date::timestamp,
                $5::interval
            ) WITH ORDINALITY AS s (bucket, i)
        ), a AS (
            SELECT width_bucket(o.placed_at, (SELECT array_agg(s.bucket AT TIME ZONE $3::text ORDER BY s.i) FROM s))
                       AS i,
                   sum(o.total_amount) AS gross,
                   sum(o.refunded_amount) AS refunds,
                   count(*) AS orders
            FROM app.orders AS o
            WHERE o.store_id = $6::uuid
              AND o.placed_at >= ($1::date::timestamp AT TIME ZONE $3::text)
              AND o.placed_at < (($2::date + 1)::timestamp AT TIME ZONE $3::text)
              AND NOT o.is_test
              AND o.financial_status NOT IN ('voided', 'failed', 'expired')
            GROUP BY 1
        )
        SELECT NULL::text COLLATE "C" AS start,
               coalesce(sum(a.gross), 0) AS gross,
               coalesce(sum(a.refunds), 0) AS refunds,
               coalesce(sum(a.gross) - sum(a.refunds), 0) AS net,
               coalesce(sum(a.orders), 0)::bigint AS orders,
               coalesce(round(sum(a.gross) / sum(a.orders), 2), 0) AS average_order_value
        FROM a
        UNION ALL
        SELECT to_char(s.bucket, 'YYYY-MM-DD') COLLATE "C",
               coalesce(a.gross, 0),
               coalesce(a.refunds, 0),
               coalesce(a.gross - a.refunds, 0),
               coalesce(a.orders, 0),
               coalesce(round(a.gross / a.orders, 2), 0)
        FROM s
        LEFT JOIN a ON a.i = s.i
        ORDER BY start NULLS FIRST
        """
}
