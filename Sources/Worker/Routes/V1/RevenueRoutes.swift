import Database
import Shared

/// `GET /v1/analytics/revenue?from=&to=&interval=day|week|month&tz=`: gross revenue, refunds,
/// net revenue, order count and average order value per day, ISO week or month in a time
/// zone, with totals, from `app.orders` of the request's tenant (see `docs/datamodel.md`,
/// "Revenue analytics").
///
/// One statement per request, in a read-only tenant transaction sent as one pipeline (`BEGIN`,
/// the tenant settings, the statement and `COMMIT`: one round trip, `queryAsTenant`):
/// - orders counted: `is_test = false`, `financial_status` not `voided`, `failed` or
///   `expired`, placed from `from` 00:00 to the end of `to` in the zone; refunds are counted
///   in the bucket of their order;
/// - buckets are local calendar days / Monday weeks / months (`generate_series` over local
///   dates), so a day is 23 or 25 hours long across a DST change and empty buckets come back
///   as zeros;
/// - the range on `placed_at` is computed from the local dates in the zone and is sargable, so
///   the `(store_id, placed_at)` index serves it (`RevenueIndexTests` checks the plan);
/// - sums are `numeric`, exact; `average_order_value` is rounded to 2 decimals (half away from
///   zero) in SQL; the totals row comes first.
enum RevenueRoutes {
    /// Registers the route in the `/v1` group (whose hook puts the `Tenant` in the context).
    static func register(in v1: inout RouteGroup) {
        v1.get("/analytics/revenue") { request, context in
            try await Self.revenue(request, context)
        }
    }

    /// The statement. `$1` from, `$2` to (dates), `$3` zone, `$4` `date_trunc` unit, `$5` step
    /// (interval), `$6` store.
    ///
    /// - `s`: the local buckets (`generate_series` over local timestamps, numbered). Its start
    ///   is `from` taken to the zone and back (the same local day), so an unknown zone fails
    ///   the statement even when no order is read (`22023`, see `revenue`).
    /// - `a`: the orders of the range summed per bucket, by one index range scan on
    ///   `(store_id, placed_at)` from `from` 00:00 to the end of `to`, both turned into
    ///   instants in the zone. Each order finds its bucket by a binary search (`width_bucket`)
    ///   among the buckets' starts turned into instants once: DST moves the boundaries, and no
    ///   order needs time-zone arithmetic, which roughly halved the statement's time at ~100
    ///   orders a day. `store_id = $6` repeats the row-level-security condition: the index gets
    ///   a plain equality on its first column and the policy becomes a one-time filter.
    /// - the totals row, then every bucket (empty ones as zeros), ordered by start, the totals
    ///   (NULL) first (`COLLATE "C"`: byte order is date order, and cheap).
    ///
    /// Not one range scan per bucket (`LATERAL`): as fast, but the planner's estimate of that
    /// plan grows with the store's size, not the range's, and crossed `jit_above_cost`; JIT
    /// compilation then made a 90-day request take ~200 ms instead of ~20.
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

    /// The parameters of `sql` for `query` in `timezone`, for `store`.
    static func parameters(_ query: RevenueQuery, timezone: String, store: UUID) -> [any PostgresEncodable] {
        [
            query.from.description, query.to.description, timezone, query.interval.rawValue,
            query.interval.step, store,
        ]
    }

    /// The handler: the parameters (`422` listing every bad one), the statement as the
    /// request's tenant, the body.
    static func revenue(_ request: Request, _ context: RequestContext) async throws -> Response {
        let tenant = try context.require(Tenant.self)
        let query = try RevenueQuery(request.queryParameters)
        let timezone = query.timezone ?? tenant.timezone
        let parameters = Self.parameters(query, timezone: timezone, store: tenant.storeId)
        let rows: PostgresRows
        do {
            rows = try await context.services.postgres.queryAsTenant(
                tenant.storeId,
                readOnly: true,
                on: context.eventLoop,
                Self.sql,
                parameters: parameters
            ) { $0 }.get()
        } catch let error as PostgresError
            where error.sqlState == SQLState.invalidParameterValue && query.timezone != nil
        {
            // The only parameter this statement can find invalid is the zone: a well-formed
            // name PostgreSQL does not know (`Europe/Atlantis`). A bad store zone (no `tz`)
            // stays a 500: the data is wrong, not the request.
            throw APIError(
                .validationError,
                "The query parameters failed validation",
                details: [FieldError(field: "tz", message: RevenueQuery.zoneMessage)]
            )
        }
        let body = try RevenueReport.json(rows, query: query, timezone: timezone, currency: tenant.currency)
        return Response.json(.ok, body)
    }
}
