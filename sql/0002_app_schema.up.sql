-- 0002_app_schema: schema `app` owned by app_owner, the privileges app_rw / app_ro get on
-- every table created in it, and the two helper functions every table uses.
CREATE SCHEMA app AUTHORIZATION app_owner;
COMMENT ON SCHEMA app IS 'saas-api: tenant data; every table has row-level security keyed on app.store_id';
GRANT USAGE ON SCHEMA app TO app_rw, app_ro;

-- From here on, objects are created as (and owned by) app_owner.
SET ROLE app_owner;

-- Future tables: DML for the service, SELECT for analytics. Never TRUNCATE (it bypasses
-- row-level security), REFERENCES or TRIGGER.
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO app_rw;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app
    GRANT SELECT ON TABLES TO app_ro;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app
    GRANT USAGE, SELECT ON SEQUENCES TO app_rw;
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app
    GRANT SELECT ON SEQUENCES TO app_ro;
-- Functions are not executable by PUBLIC; each one is granted explicitly.
ALTER DEFAULT PRIVILEGES FOR ROLE app_owner
    REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- The tenant of the current transaction, or NULL (no rows visible, every write rejected).
-- Set per transaction: SELECT set_config('app.store_id', $1, true). NULLIF: after such a
-- transaction ends the setting reads '' rather than NULL. A simple SQL body, so the planner
-- inlines it into each policy; PARALLEL SAFE so policies do not forbid parallel plans.
CREATE FUNCTION app.current_store_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.store_id', true), '')::uuid $$;
COMMENT ON FUNCTION app.current_store_id() IS 'saas-api: the tenant set by set_config(''app.store_id'', id, true), or NULL';
GRANT EXECUTE ON FUNCTION app.current_store_id() TO app_rw, app_ro;

-- BEFORE UPDATE trigger body; each trigger's WHEN clause decides whether the row really changed.
CREATE FUNCTION app.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION app.set_updated_at() IS 'saas-api: sets updated_at; fired only when a row really changed';

RESET ROLE;
