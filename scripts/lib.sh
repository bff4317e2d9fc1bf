# shellcheck shell=bash
# Shared shell helpers for scripts/*. Source it; it defines functions and a few variables only.
#   . "$(dirname -- "${BASH_SOURCE[0]}")/lib.sh"

# Absolute, symlink-free path of the repository (the folder above scripts/), whatever the cwd.
SAAS_ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
SAAS_ENV_FILE="$SAAS_ROOT/.env"
SAAS_ENV_EXAMPLE="$SAAS_ROOT/.env.example"

# Prefix for messages; scripts may override it.
: "${SAAS_PROG:=$(basename -- "$0")}"

die() { printf '%s: error: %s\n' "$SAAS_PROG" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$SAAS_PROG" "$*" >&2; }

# rand_hex [BYTES]: lowercase hex from the kernel's CSPRNG (no openssl needed).
rand_hex() { od -An -N"${1:-16}" -tx1 /dev/urandom | tr -d ' \n'; }

# dotenv_get FILE NAME: print the last value assigned to NAME in a .env file (KEY=VALUE lines,
# optional `export `, optional single/double quotes, `#` comments). Returns 1 when absent.
# The file is parsed, never sourced.
dotenv_get() {
  local file=$1 name=$2 line val out='' found=1
  [[ -r $file ]] || return 1
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line#"${line%%[![:space:]]*}"}
    line=${line#export }
    [[ $line == "$name="* ]] || continue
    val=${line#"$name="}
    if [[ $val =~ ^\"(.*)\"[[:space:]]*$ ]] || [[ $val =~ ^\'(.*)\'[[:space:]]*$ ]]; then
      val=${BASH_REMATCH[1]}
    else
      val=${val%%[[:space:]]#*}                   # unquoted: a ` #` starts a comment
      val=${val%"${val##*[![:space:]]}"}          # trim trailing blanks
    fi
    found=0
    out=$val
  done <"$file"
  ((found == 0)) && printf '%s\n' "$out"
  return $found
}

# cfg NAME [DEFAULT]: a non-empty real environment variable wins, then .env, then DEFAULT.
cfg() {
  local name=$1 default=${2-} v
  if [[ -n ${!name-} ]]; then printf '%s\n' "${!name}"; return; fi
  if v=$(dotenv_get "$SAAS_ENV_FILE" "$name") && [[ -n $v ]]; then printf '%s\n' "$v"; return; fi
  printf '%s\n' "$default"
}

# ensure_env_file: create .env from .env.example when .env is missing, replacing each distinct
# `change-me-…` placeholder by a fresh random password (the same placeholder gets the same value).
# Never touches an existing .env. Prints a note when it creates one.
ensure_env_file() {
  [[ -e $SAAS_ENV_FILE ]] && return 0
  [[ -r $SAAS_ENV_EXAMPLE ]] || { note "no .env and no .env.example; using built-in defaults"; return 0; }
  local tmp line ph
  local -A secret=()
  tmp=$(mktemp "$SAAS_ENV_FILE.XXXXXX")
  chmod 600 "$tmp"
  while IFS= read -r line || [[ -n $line ]]; do
    while [[ $line =~ change-me-[A-Za-z0-9_-]* ]]; do
      ph=${BASH_REMATCH[0]}
      [[ -n ${secret[$ph]-} ]] || secret[$ph]=$(rand_hex 16)
      line=${line//"$ph"/${secret[$ph]}}
    done
    printf '%s\n' "$line"
  done <"$SAAS_ENV_EXAMPLE" >"$tmp"
  if mv -n -- "$tmp" "$SAAS_ENV_FILE" && [[ ! -e $tmp ]]; then
    note "created .env from .env.example with generated passwords"
  else
    rm -f -- "$tmp"
  fi
}

# URL helpers for postgres://user:password@host:port/dbname?params (percent-decoded).
urldecode() { local s=${1//+/ }; printf '%b' "${s//%/\\x}"; }
_url_userinfo() {
  local u=${1#*://}
  u=${u%%[/?#]*}
  [[ $u == *@* ]] || return 0
  printf '%s' "${u%@*}"
}
url_user() { local ui; ui=$(_url_userinfo "$1"); urldecode "${ui%%:*}"; }
url_password() { local ui; ui=$(_url_userinfo "$1"); [[ $ui == *:* ]] && urldecode "${ui#*:}"; return 0; }
url_dbname() {
  local u=${1#*://}
  [[ $u == */* ]] || return 0
  u=${u#*/}
  urldecode "${u%%[?#]*}"
}

# port_in_use PORT: something accepts TCP connections on 127.0.0.1:PORT.
# shellcheck disable=SC2016 # $1 expands in the inner bash
port_in_use() { timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null; }

# port_owner PORT: best-effort "name (pid N)" of the listener, empty when unknown.
port_owner() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' | head -n1
}
