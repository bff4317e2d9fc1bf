#!/usr/bin/env bash
# Runs once, on the first start of an empty volume (docker-entrypoint-initdb.d), as the
# postgres superuser against POSTGRES_DB. Creates the service role app_rw (and, when
# APP_RO_PASSWORD is set, app_ro) with the passwords compose extracted from ../.env.
# The schema, app_owner and the grants come from the migrations (sql/).
set -euo pipefail
: "${APP_RW_PASSWORD:?APP_RW_PASSWORD is empty: set DATABASE_URL with a password in .env}"

psql -v ON_ERROR_STOP=1 -X -q --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v rw_pw="$APP_RW_PASSWORD" -v ro_pw="${APP_RO_PASSWORD:-}" <<'SQL'
SELECT 'CREATE ROLE app_rw' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app_rw') \gexec
SELECT format('ALTER ROLE app_rw WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB INHERIT NOREPLICATION PASSWORD %L', :'rw_pw') \gexec
SELECT 'CREATE ROLE app_ro' WHERE :'ro_pw' <> '' AND NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'app_ro') \gexec
SELECT format('ALTER ROLE app_ro WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB INHERIT NOREPLICATION PASSWORD %L', :'ro_pw') WHERE :'ro_pw' <> '' \gexec
SQL
