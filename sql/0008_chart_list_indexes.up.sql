-- 0008_chart_list_indexes: the orders of GET /v1/charts, so each page is an index range scan
-- that stops after limit + 1 rows, whatever the page (keyset pagination, no OFFSET).
SET ROLE app_owner;

-- Every chart (and pinned=false), newest first; the cursor condition
-- (created_at, id) < ($after_created_at, $after_id) starts the scan where the last page ended.
CREATE INDEX saved_charts_store_id_created_at_id_idx
    ON app.saved_charts (store_id, created_at DESC, id DESC);

-- pinned=true: the dashboard order, position first (charts without one last), then newest.
-- Partial: only pinned charts are in it.
CREATE INDEX saved_charts_store_id_pinned_order_idx
    ON app.saved_charts (store_id, position ASC NULLS LAST, created_at DESC, id DESC)
    WHERE pinned;

RESET ROLE;
