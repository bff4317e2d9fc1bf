-- bench/run v1: saas-api's chart-list transaction for pgbench -M prepared (variables from -D):
-- BEGIN and the settings in one round trip (pipelined), then the first page's statement of
-- Sources/Worker/Routes/V1/ChartListQuery.swift (limit + 1 rows: the extra one says whether
-- there is a next page), then COMMIT: three round trips. saas-api sends all four in one
-- pipeline (one round trip, `queryAsTenant`); bench/run v1 reports each side's round trips.
\startpipeline
BEGIN READ ONLY;
SELECT set_config('app.store_id', :store, true), set_config('statement_timeout', :timeout, true);
\endpipeline
SELECT id, title, description, spec_format, spec, query_sql, query_params, pinned, position,
       conversation_id, message_id, created_by, created_at, updated_at
FROM app.saved_charts WHERE store_id = :store
ORDER BY created_at DESC, id DESC
LIMIT :limit;
COMMIT;
