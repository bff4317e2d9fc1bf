-- 0007_sync_logs: one row per sync run (or retry) of one resource of one store.
SET ROLE app_owner;

CREATE TABLE app.sync_logs (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL REFERENCES app.stores (id) ON DELETE CASCADE,
    resource text NOT NULL
        CONSTRAINT sync_logs_resource_check
        CHECK (resource IN ('orders', 'products', 'customers', 'categories', 'coupons')),
    mode text NOT NULL
        CONSTRAINT sync_logs_mode_check CHECK (mode IN ('initial', 'scheduled', 'webhook', 'manual', 'backfill')),
    status text NOT NULL DEFAULT 'queued'
        CONSTRAINT sync_logs_status_check
        CHECK (status IN ('queued', 'running', 'succeeded', 'partial', 'failed', 'cancelled')),
    attempt smallint NOT NULL DEFAULT 1
        CONSTRAINT sync_logs_attempt_check CHECK (attempt >= 1),
    cursor_start jsonb NULL,
    cursor_end jsonb NULL,
    window_start timestamptz NULL,
    window_end timestamptz NULL,
    records_fetched integer NOT NULL DEFAULT 0
        CONSTRAINT sync_logs_records_fetched_check CHECK (records_fetched >= 0),
    records_inserted integer NOT NULL DEFAULT 0
        CONSTRAINT sync_logs_records_inserted_check CHECK (records_inserted >= 0),
    records_updated integer NOT NULL DEFAULT 0
        CONSTRAINT sync_logs_records_updated_check CHECK (records_updated >= 0),
    records_skipped integer NOT NULL DEFAULT 0
        CONSTRAINT sync_logs_records_skipped_check CHECK (records_skipped >= 0),
    records_failed integer NOT NULL DEFAULT 0
        CONSTRAINT sync_logs_records_failed_check CHECK (records_failed >= 0),
    api_requests integer NOT NULL DEFAULT 0
        CONSTRAINT sync_logs_api_requests_check CHECK (api_requests >= 0),
    rate_limited_ms integer NOT NULL DEFAULT 0
        CONSTRAINT sync_logs_rate_limited_ms_check CHECK (rate_limited_ms >= 0),
    error_code text NULL,
    error_message text NULL,
    error_details jsonb NULL,
    started_at timestamptz NULL,
    finished_at timestamptz NULL,
    duration_ms bigint GENERATED ALWAYS AS ((extract(epoch FROM finished_at - started_at) * 1000)::bigint) STORED,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sync_logs_store_id_id_key UNIQUE (store_id, id),
    CONSTRAINT sync_logs_window_check CHECK (window_end >= window_start),
    CONSTRAINT sync_logs_finished_after_start_check CHECK (finished_at >= started_at),
    CONSTRAINT sync_logs_finished_iff_done_check CHECK ((status IN ('queued', 'running')) = (finished_at IS NULL)),
    CONSTRAINT sync_logs_running_started_check CHECK (status <> 'running' OR started_at IS NOT NULL),
    CONSTRAINT sync_logs_failed_message_check CHECK (status <> 'failed' OR error_message IS NOT NULL)
);
COMMENT ON TABLE app.sync_logs IS 'saas-api: one row per sync run of one resource of one store';
-- One active (queued or running) job per store and resource.
CREATE UNIQUE INDEX sync_logs_one_active_idx ON app.sync_logs (store_id, resource)
    WHERE status IN ('queued', 'running');
CREATE INDEX sync_logs_store_id_resource_started_at_idx ON app.sync_logs (store_id, resource, started_at DESC);

-- A BEFORE trigger's WHEN may not reference NEW.* on a table with a generated column, so
-- every column but duration_ms (derived from started_at and finished_at) is listed: the same
-- test as OLD.* IS DISTINCT FROM NEW.*. Keep the list in step with the table.
CREATE TRIGGER set_updated_at BEFORE UPDATE ON app.sync_logs
    FOR EACH ROW WHEN (
        (OLD.id, OLD.store_id, OLD.resource, OLD.mode, OLD.status, OLD.attempt, OLD.cursor_start, OLD.cursor_end,
         OLD.window_start, OLD.window_end, OLD.records_fetched, OLD.records_inserted, OLD.records_updated,
         OLD.records_skipped, OLD.records_failed, OLD.api_requests, OLD.rate_limited_ms, OLD.error_code,
         OLD.error_message, OLD.error_details, OLD.started_at, OLD.finished_at,
         OLD.created_at, OLD.updated_at)
        IS DISTINCT FROM
        (NEW.id, NEW.store_id, NEW.resource, NEW.mode, NEW.status, NEW.attempt, NEW.cursor_start, NEW.cursor_end,
         NEW.window_start, NEW.window_end, NEW.records_fetched, NEW.records_inserted, NEW.records_updated,
         NEW.records_skipped, NEW.records_failed, NEW.api_requests, NEW.rate_limited_ms, NEW.error_code,
         NEW.error_message, NEW.error_details, NEW.started_at, NEW.finished_at,
         NEW.created_at, NEW.updated_at)
    )
    EXECUTE FUNCTION app.set_updated_at();

ALTER TABLE app.sync_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.sync_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON app.sync_logs FOR ALL
    USING (store_id = app.current_store_id()) WITH CHECK (store_id = app.current_store_id());

RESET ROLE;
