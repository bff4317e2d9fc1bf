#!/usr/bin/env bash
# Entrypoint wrapper for the postgres:16 image (compose/docker-compose.yml). The passwords live
# once, inside the URLs of ../.env (passed with env_file); derive the image's variables from them,
# then hand over to the image's own entrypoint.
set -euo pipefail

# url_password URL: the percent-decoded password of scheme://user:password@host/..., or empty.
url_password() {
  local u=${1#*://}
  u=${u%%[/?#]*}
  case $u in *@*) u=${u%@*} ;; *) return 0 ;; esac
  case $u in *:*) u=${u#*:}; printf '%b' "${u//%/\\x}" ;; esac
}

POSTGRES_PASSWORD=$(url_password "${MIGRATION_DATABASE_URL:-}")
APP_RW_PASSWORD=$(url_password "${DATABASE_URL:-}")
APP_RO_PASSWORD=$(url_password "${APP_RO_DATABASE_URL:-}")
export POSTGRES_PASSWORD APP_RW_PASSWORD APP_RO_PASSWORD
[[ -n $POSTGRES_PASSWORD ]] || { echo "MIGRATION_DATABASE_URL in .env has no password (run scripts/services env)" >&2; exit 1; }

exec docker-entrypoint.sh "$@"
