-- bench/run v1: saas-api's chart-list transaction for pgbench -M prepared (variables from -D):
-- BEGIN, the settings, the first page's statement of Sources/Worker/Routes/V1/ChartListQuery.swift
-- (limit + 1 rows: the extra one says whether there is a next page) and COMMIT in one pipeline,
-- one round trip, as saas-api sends them (`queryAsTenant`). The database's ceiling for this
-- transaction: with BEGIN and the settings in one flight and the SELECT and COMMIT in two more
-- (this script until 2026-12-01), pgbench was latency-bound at about half this rate.
\startpipeline
BEGIN READ ONLY;
SELECT set_config('app.store_id', :store, true), set_config('statement_timeout', :timeout, true);
SELECT id, title, description, spec_format, spec, query_sql, query_params, pinned, position,
       conversation_id, message_id, created_by, created_at, updated_at
FROM app.saved_charts WHERE store_id = :store
ORDER BY created_at DESC, id DESC
LIMIT :limit;
COMMIT;
\endpipeline
