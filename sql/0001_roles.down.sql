-- 0001_roles (down): revoke this database's grants, then drop the roles this migration created,
-- but only when nothing in any database of the cluster still depends on them (another
-- database migrated by saas-api, a test database, a DBA's grant). A role that cannot be
-- dropped is kept with a NOTICE: a cluster-wide object must never make a per-database
-- rollback fail. Roles made by someone else (no marker comment) are always kept.
DO $$
BEGIN
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM app_rw, app_ro', current_database());
END
$$;

DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['app_ro', 'app_rw', 'app_owner'] LOOP
        IF EXISTS (
            SELECT FROM pg_catalog.pg_roles r
            WHERE r.rolname = role_name
              AND pg_catalog.shobj_description(r.oid, 'pg_authid') = 'saas-api: created by migration 0001_roles'
        ) THEN
            BEGIN
                EXECUTE format('DROP ROLE %I', role_name);
            EXCEPTION WHEN dependent_objects_still_exist OR insufficient_privilege THEN
                RAISE NOTICE 'keeping role %: %', role_name, SQLERRM;
            END;
        END IF;
    END LOOP;
END
$$;
