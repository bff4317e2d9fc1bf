-- 0001_roles: the application roles and their right to connect to this database.
--
-- Roles are cluster-wide, shared by every database of the cluster. A role is created only when
-- it is missing, and then marked with a comment so that 0001_roles.down.sql drops only roles
-- this migration created (never one made by scripts/services, compose/ or a DBA).
-- Passwords are never set here: they come from the environment (scripts/services, compose/).
--   app_owner  NOLOGIN: owns schema `app` and everything in it.
--   app_rw     LOGIN: the service; DML only, subject to row-level security.
--   app_ro     LOGIN: read-only (analytics queries), subject to row-level security.
DO $$
DECLARE
    wanted record;
BEGIN
    FOR wanted IN
        SELECT * FROM (VALUES ('app_owner', 'NOLOGIN'), ('app_rw', 'LOGIN'), ('app_ro', 'LOGIN')) AS r (name, login)
    LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = wanted.name) THEN
            EXECUTE format(
                'CREATE ROLE %I %s NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS',
                wanted.name, wanted.login
            );
            EXECUTE format('COMMENT ON ROLE %I IS %L', wanted.name, 'saas-api: created by migration 0001_roles');
        ELSIF EXISTS (
            SELECT FROM pg_catalog.pg_roles WHERE rolname = wanted.name AND (rolsuper OR rolbypassrls)
        ) THEN
            -- Row-level security means nothing for such a role: refuse rather than pretend.
            RAISE EXCEPTION 'role % exists with SUPERUSER or BYPASSRLS', wanted.name
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'ALTER ROLE ' || wanted.name || ' NOSUPERUSER NOBYPASSRLS';
        END IF;
    END LOOP;
END
$$;

-- Explicit, so the service keeps working if a DBA revokes CONNECT from PUBLIC.
DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO app_rw, app_ro', current_database());
END
$$;
