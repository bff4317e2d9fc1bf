-- bench/run v1: saas-api's revenue transaction for pgbench -M prepared (variables from -D):
-- BEGIN, the settings, the statement of Sources/Worker/Routes/V1/RevenueRoutes.swift ($1 from,
-- $2 to, $3 zone, $4 unit, $5 step, $6 store) and COMMIT in one pipeline, one round trip: the
-- database's ceiling for this transaction (saas-api sends it in two, COMMIT apart).
\startpipeline
BEGIN READ ONLY;
SELECT set_config('app.store_id', :store, true), set_config('statement_timeout', :timeout, true);
WITH s AS (
    SELECT s.bucket, s.i
    FROM generate_series(
        date_trunc(:unit::text, (:from::date::timestamp AT TIME ZONE :zone::text) AT TIME ZONE :zone::text),
        :to::date::timestamp,
        :step::interval
    ) WITH ORDINALITY AS s (bucket, i)
), a AS (
    SELECT width_bucket(o.placed_at, (SELECT array_agg(s.bucket AT TIME ZONE :zone::text ORDER BY s.i) FROM s))
               AS i,
           sum(o.total_amount) AS gross,
           sum(o.refunded_amount) AS refunds,
           count(*) AS orders
    FROM app.orders AS o
    WHERE o.store_id = :store::uuid
      AND o.placed_at >= (:from::date::timestamp AT TIME ZONE :zone::text)
      AND o.placed_at < ((:to::date + 1)::timestamp AT TIME ZONE :zone::text)
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
ORDER BY start NULLS FIRST;
COMMIT;
\endpipeline
