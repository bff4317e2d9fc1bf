-- 0008_chart_list_indexes (down)
SET ROLE app_owner;
DROP INDEX app.saved_charts_store_id_pinned_order_idx;
DROP INDEX app.saved_charts_store_id_created_at_id_idx;
RESET ROLE;
