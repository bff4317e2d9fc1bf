# shellcheck shell=bash
# bench/lib/v1.sh: `bench/run v1`, issue 13's benchmark of the /v1 routes. Sourced by bench/run,
# whose helpers it uses (log, die, build, ensure_services, env_value, stop_tree, PIDS, ON_SRV,
# ON_WRK, …); `v1_main` runs it.
#
# saas-api (2 workers), the Hummingbird 2 + postgres-nio peer (bench/peers/hummingbird-peer,
# 2 event-loop threads) and pgbench (the same transaction, -M prepared) on the demo data of
# scripts/seed: GET /v1/charts?limit=20 and GET /v1/analytics/revenue (90 days, by day),
# interleaved in rounds, rotating order. Per run: req/s, p50/p99, CPU per request of the server
# and of PostgreSQL, transactions per request; once per server and route, round trips per request
# (strace on a short separate run). Writes the v1 block of docs/benchmarks.md.
#
# Knobs: BENCH_V1_CONNS (64: wrk connections), BENCH_ROUNDS, BENCH_DURATION, BENCH_PIN,
# BENCH_SKIP_BUILD, BENCH_BIN (as for /health), BENCH_PEER_SKIP_BUILD (0), BENCH_V1_SERVERS
# ("ours peer pgbench") and BENCH_V1_ROUTES ("charts revenue") to run a part only.

V1_STORE=00000000-0000-4000-8000-000000000001
V1_ZONE=Europe/Paris
PEER_DIR=$ROOT/bench/peers/hummingbird-peer
PEER_BIN=$PEER_DIR/.build-peer/release/HummingbirdPeer
P_PEER=$((PORT_BASE + 6))
V1_CONNS=${BENCH_V1_CONNS:-64}
read -ra V1_SERVERS <<<"${BENCH_V1_SERVERS:-ours peer pgbench}"
read -ra V1_ROUTES <<<"${BENCH_V1_ROUTES:-charts revenue}"
[[ $V1_CONNS =~ ^[0-9]+$ ]] || die "BENCH_V1_CONNS must be a number"
BENCHV1=$ROOT/bench/lib/benchv1.py

v1_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v taskset >/dev/null || missing+=(util-linux)
  command -v strace >/dev/null || missing+=(strace)
  command -v pgbench >/dev/null || missing+=(postgresql-15)
  command -v psql >/dev/null || missing+=(postgresql-client-15)
  command -v "$PY" >/dev/null 2>&1 || missing+=(python3)
  if ((${#missing[@]})); then
    need_root "${missing[*]}" "${missing[*]}"
    install_apt "${missing[@]}"
    PY=$(command -v python3)
  fi
}

v1_build_peer() {
  if [[ ${BENCH_PEER_SKIP_BUILD:-0} == 1 ]]; then
    [[ -x $PEER_BIN ]] || die "BENCH_PEER_SKIP_BUILD=1 but $PEER_BIN is missing"
    return 0
  fi
  log "swift build -c release --scratch-path .build-peer (bench/peers/hummingbird-peer)"
  (cd "$PEER_DIR" && swift build -c release --scratch-path .build-peer) >"$OUT/peer-build.log" 2>&1 ||
    { tail -n 30 "$OUT/peer-build.log" >&2; die "the peer's release build failed (log: $OUT/peer-build.log)"; }
}

# The postmaster of the cluster scripts/services runs (its process tree is PostgreSQL's CPU).
v1_postmaster() {
  local data
  data=$(scripts/services status 2>/dev/null | sed -n 's/^postgres: running, .*, data \(.*\)$/\1/p')
  [[ -n $data && -r $data/postmaster.pid ]] || die "cannot find the running PostgreSQL's postmaster.pid"
  head -n 1 "$data/postmaster.pid"
}

v1_xacts() { # commits so far in the app database
  psql -X -q -A -t -d "$V1_URL" -c "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
}

v1_port_of() { case $1 in ours) echo "$P_OURS" ;; peer) echo "$P_PEER" ;; esac; }
v1_path_of() { case $1 in charts) echo "$V1_CHARTS" ;; revenue) echo "$V1_REVENUE" ;; esac; }

v1_start_peer() {
  port_free "$P_PEER" || die "port $P_PEER is in use (set BENCH_PORT_BASE)"
  env DATABASE_URL="$V1_URL" PORT="$P_PEER" HOST=127.0.0.1 PEER_THREADS=2 PEER_PG_CONNECTIONS="$V1_PG_CONNS" \
    DB_QUERY_TIMEOUT_MS="$(env_value DB_QUERY_TIMEOUT_MS 5000)" \
    "${ON_SRV[@]}" "$PEER_BIN" >"$OUT/peer.log" 2>&1 &
  PIDS[peer]=$!
}

# v1_record SERVER ROUTE ROUND RESULT_JSON BEFORE AFTER DB_BEFORE DB_AFTER XACT_BEFORE XACT_AFTER LOAD
v1_record() {
  SERVER=$1 ROUTE=$2 ROUND=$3 RES=$4 BEFORE=$5 AFTER=$6 DBB=$7 DBA=$8 XB=$9 XA=${10} LOAD=${11} \
    "$PY" - >>"$RESULTS" <<'EOF'
import json, os
e = os.environ
r = json.loads(e["RES"])
rec = dict(kind="v1", server=e["SERVER"], route=e["ROUTE"], round=int(e["ROUND"]), loadavg_before=float(e["LOAD"]), **r)
n = r["requests"]
def cpu(before, after):
    if not before or not after:
        return None
    b, a = json.loads(before), json.loads(after)
    return (a["cpu_ticks"] - b["cpu_ticks"]) / a["clk_tck"] * 1e6 / n if n else None
if "cpu_us_per_req" not in rec:
    rec["cpu_us_per_req"] = cpu(e["BEFORE"], e["AFTER"])
rec["db_cpu_us_per_req"] = cpu(e["DBB"], e["DBA"])
rec["xacts_per_req"] = (int(e["XA"]) - int(e["XB"])) / n if n else None
print(json.dumps(rec))
EOF
  tail -n 1 "$RESULTS" | "$PY" -c '
import json, sys
r = json.loads(sys.stdin.read())
f = lambda v, d=1: "n/a" if v is None else f"{v:.{d}f}"
print("  %-7s %-7s %9.0f req/s  p50 %s ms  p99 %s ms  err %d  cpu %s + db %s us/req  xacts/req %s" % (
    r["server"], r["route"], r["rps"], f(r["p50_us"] and r["p50_us"] / 1000, 2), f(r["p99_us"] and r["p99_us"] / 1000, 2),
    r["errors"], f(r["cpu_us_per_req"]), f(r["db_cpu_us_per_req"]), f(r["xacts_per_req"], 2)))' >&2
}

# Our batches of queued transactions so far: "BATCHES TRANSACTIONS" from our Prometheus endpoint.
v1_batches() {
  curl -s --max-time 5 "http://127.0.0.1:$P_METRICS/metrics" |
    awk '/^saas_api_pool_batches_total\{pool="postgres"\}/ {b=$2} /^saas_api_pool_batched_transactions_total\{pool="postgres"\}/ {t=$2} END {print b+0, t+0}'
}

v1_run_wrk() { # SERVER ROUTE ROUND
  local server=$1 route=$2 round=$3 port path pid tag before after dbb dba xb xa load res b0 t0 b1 t1
  port=$(v1_port_of "$server")
  path=$(v1_path_of "$route")
  pid=${PIDS[$server]}
  kill -0 "$pid" 2>/dev/null || die "$server (pid $pid) died; see $OUT/$server.log"
  SEQ=$((SEQ + 1))
  tag="$(printf '%03d' "$SEQ")-$server-$route-r$round"
  "${ON_WRK[@]}" wrk -t1 -c"$V1_CONNS" -d1s -H "X-Store-Id: $V1_STORE" "http://127.0.0.1:$port$path" >/dev/null 2>&1 || true
  load=$(cut -d' ' -f1 /proc/loadavg)
  xb=$(v1_xacts)
  dbb=$("$PY" "$BENCHV1" dbsnap "$V1_PG_PID")
  [[ $server == ours ]] && read -r b0 t0 < <(v1_batches)
  before=$("$PY" "$LIB" snap "$pid")
  "${ON_WRK[@]}" wrk -t1 -c"$V1_CONNS" -d"${DURATION}s" --latency -s "$LUA" -H "X-Store-Id: $V1_STORE" \
    "http://127.0.0.1:$port$path" >"$OUT/wrk-$tag.txt" 2>&1 || log "warning: wrk exited non-zero for $tag"
  after=$("$PY" "$LIB" snap "$pid")
  [[ $server == ours ]] && read -r b1 t1 < <(v1_batches)
  dba=$("$PY" "$BENCHV1" dbsnap "$V1_PG_PID")
  xa=$(v1_xacts)
  res=$(grep '^WRKJSON ' "$OUT/wrk-$tag.txt" | tail -n 1 | cut -c9- | "$PY" -c '
import json, sys
w = json.loads(sys.stdin.read())
w["errors"] = w["err_connect"] + w["err_read"] + w["err_write"] + w["err_status"] + w["err_timeout"]
print(json.dumps(w))') || die "no WRKJSON line in $OUT/wrk-$tag.txt"
  if [[ $server == ours ]]; then # round trips under this load: batches of queued transactions
    res=$("$PY" -c 'import json, sys; r = json.loads(sys.argv[1]); r["pg_batches"] = int(sys.argv[2]); r["pg_batched"] = int(sys.argv[3]); print(json.dumps(r))' \
      "$res" "$((b1 - b0))" "$((t1 - t0))")
  fi
  v1_record "$server" "$route" "$round" "$res" "$before" "$after" "$dbb" "$dba" "$xb" "$xa" "$load"
}

# pgbench ROUTE SECONDS LOGPREFIX [extra args]: the route's transaction, -M prepared, pinned
# where the servers run; prints the pgbench output, then CPU-TIMES and `times` (the subshell's
# children: pgbench's user and system CPU).
v1_pgbench() {
  local route=$1 seconds=$2 prefix=$3
  shift 3
  (
    "${ON_SRV[@]}" pgbench -n -M prepared -c "$V1_PG_CONNS" -j 2 -T "$seconds" \
      -D store="$V1_STORE" -D timeout="$(env_value DB_QUERY_TIMEOUT_MS 5000)" \
      -D from="$V1_FROM" -D to="$V1_TO" -D zone="$V1_ZONE" -D limit=21 -D unit=day -D step="1 day" \
      ${prefix:+-l --log-prefix="$prefix"} "$@" -f "$ROOT/bench/peers/pgbench/$route.sql" "$V1_URL" 2>&1
    echo "CPU-TIMES"
    times # (not in a pipe: that would be another process, whose children used nothing)
  )
}

v1_run_pgbench() { # ROUTE ROUND
  local route=$1 round=$2 tag out dbb dba xb xa load res
  SEQ=$((SEQ + 1))
  tag="$(printf '%03d' "$SEQ")-pgbench-$route-r$round"
  v1_pgbench "$route" 1 "" >/dev/null || true
  load=$(cut -d' ' -f1 /proc/loadavg)
  xb=$(v1_xacts)
  dbb=$("$PY" "$BENCHV1" dbsnap "$V1_PG_PID")
  out=$OUT/pgbench-$tag.txt
  v1_pgbench "$route" "$DURATION" "$OUT/pgbench-log-$tag" >"$out" || log "warning: pgbench exited non-zero for $tag"
  dba=$("$PY" "$BENCHV1" dbsnap "$V1_PG_PID")
  xa=$(v1_xacts)
  res=$(OUTF=$out LAT="$("$PY" "$BENCHV1" pgbench-latency "$OUT/pgbench-log-$tag")" "$PY" -c '
import json, os, re
text = open(os.environ["OUTF"]).read()
n = int(re.search(r"actually processed: (\d+)", text).group(1))
tps = float(re.search(r"tps = ([0-9.]+) \(without initial connection time\)", text).group(1))
failed = re.search(r"number of failed transactions: (\d+)", text)
errors = (int(failed.group(1)) if failed else 0) + len(re.findall(r"error:", text))
# times after CPU-TIMES: the subshell line, then the children line (pgbench)
cpu = re.search(r"^CPU-TIMES\n.*\n(\d+)m([0-9.]+)s (\d+)m([0-9.]+)s", text, re.M)
secs = (int(cpu.group(1)) * 60 + float(cpu.group(2)) + int(cpu.group(3)) * 60 + float(cpu.group(4))) if cpu else None
lat = json.loads(os.environ["LAT"])
print(json.dumps({"requests": n, "rps": tps, "p50_us": lat["p50_us"], "p99_us": lat["p99_us"], "max_us": lat["max_us"],
                  "errors": errors, "cpu_us_per_req": secs * 1e6 / n if secs is not None and n else None}))') ||
    die "could not read $out"
  rm -f "$OUT/pgbench-log-$tag".*
  v1_record pgbench "$route" "$round" "$res" "" "" "$dbb" "$dba" "$xb" "$xa" "$load"
}

# Round trips: every write of the client to PostgreSQL's port, under strace, in a short run.
v1_round_trips() { # SERVER ROUTE
  local server=$1 route=$2 log=$OUT/strace-$1-$2.txt tids=() p requests writes spid
  local trace=(strace -f -qq -yy -e trace=send,sendto,sendmsg,write,writev -e signal=none -o "$log")
  if [[ $server == pgbench ]]; then
    # pgbench under strace from its start: its own process and threads
    (
      "${trace[@]}" pgbench -n -M prepared -c "$V1_PG_CONNS" -j 2 -T 3 -D store="$V1_STORE" \
        -D timeout="$(env_value DB_QUERY_TIMEOUT_MS 5000)" -D from="$V1_FROM" -D to="$V1_TO" -D zone="$V1_ZONE" \
        -D limit=21 -D unit=day -D step="1 day" -f "$ROOT/bench/peers/pgbench/$route.sql" "$V1_URL" >"$OUT/strace-pgbench-$route.out" 2>&1
    ) || true
    requests=$(sed -n 's/.*actually processed: \([0-9]*\).*/\1/p' "$OUT/strace-pgbench-$route.out")
  else
    # -f attaches every thread of each process given
    for p in ${PIDS[$server]} $(cat "/proc/${PIDS[$server]}/task/${PIDS[$server]}/children" 2>/dev/null); do
      tids+=(-p "$p")
    done
    "${trace[@]}" "${tids[@]}" &
    spid=$!
    sleep 1
    "${ON_WRK[@]}" wrk -t1 -c8 -d3s -s "$LUA" -H "X-Store-Id: $V1_STORE" \
      "http://127.0.0.1:$(v1_port_of "$server")$(v1_path_of "$route")" >"$OUT/strace-wrk-$server-$route.txt" 2>&1 || true
    sleep 0.5
    kill -INT "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    requests=$(grep '^WRKJSON ' "$OUT/strace-wrk-$server-$route.txt" | cut -c9- | "$PY" -c 'import json,sys; print(json.loads(sys.stdin.read())["requests"])')
  fi
  writes=$("$PY" "$BENCHV1" round-trips "$log" "$V1_PGPORT")
  log "round trips: $server $route: $writes writes to PostgreSQL / ${requests:-0} requests"
  printf '{"kind":"v1_round_trips","server":"%s","route":"%s","writes":%d,"requests":%d}\n' \
    "$server" "$route" "$writes" "${requests:-0}" >>"$RESULTS"
}

v1_machine_info() {
  M_NPROC=$NPROC M_CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
    M_SWIFT="$(swift --version 2>&1 | head -n 1); release build flags: ${SWIFT_FLAGS[*]:-none}" \
    M_PG="$(scripts/services status 2>/dev/null | sed -n 's/^postgres: running, \(PostgreSQL [0-9.]*\).*/\1/p')" \
    M_PGBENCH="$(pgbench --version)" M_WRK="$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)" \
    M_HB="$(sed -n 's/.*hummingbird.git", from: "\([0-9.]*\)".*/hummingbird \1/p;s/.*postgres-nio.git", from: "\([0-9.]*\)".*/postgres-nio \1/p' "$PEER_DIR/Package.swift" | paste -sd, -) (as resolved: see bench/peers/hummingbird-peer/Package.resolved after a build)" \
    M_PIN="$PINNING" M_PINNED="$PIN" M_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')" M_ROUNDS=$ROUNDS \
    M_DURATION="${DURATION}s" M_CONNS="$V1_CONNS" M_PGCONNS="$V1_PG_CONNS" M_STORE="$V1_STORE" \
    M_CHARTS="$V1_CHARTS" M_REVENUE="$V1_REVENUE" \
    M_GIT="$(if [[ -n ${BENCH_BIN:-} ]]; then echo "prebuilt $BENCH_BIN"; else git rev-parse --short HEAD; git diff --quiet HEAD -- Sources Package.swift bench/peers 2>/dev/null || echo ' + uncommitted changes'; fi | tr -d '\n')" \
    "$PY" - >"$OUT/machine.json" <<'EOF'
import json, os
e = os.environ
print(json.dumps({
    "nproc": e["M_NPROC"], "cpu": e["M_CPU"], "swift": e["M_SWIFT"], "postgres": e["M_PG"] or "?",
    "pgbench": e["M_PGBENCH"], "hummingbird": e["M_HB"], "wrk": e["M_WRK"], "pinning": e["M_PIN"],
    "pinned": e["M_PINNED"] == "1", "date": e["M_DATE"], "rounds": int(e["M_ROUNDS"]), "duration": e["M_DURATION"],
    "conns": int(e["M_CONNS"]), "pg_conns": int(e["M_PGCONNS"]), "store": e["M_STORE"],
    "charts_path": e["M_CHARTS"], "revenue_path": e["M_REVENUE"], "git": e["M_GIT"],
}, indent=1))
EOF
}

v1_main() {
  local round route s k n servers=("${V1_SERVERS[@]}") summary
  T_START=$SECONDS
  # The X-Store-Id tenant header is for development and test only (CONTRACT-13).
  export APP_ENV=development
  v1_tools
  ensure_services
  build
  if [[ " ${servers[*]} " == *" peer "* ]]; then v1_build_peer; fi
  V1_URL=$(env_value DATABASE_URL "")
  [[ -n $V1_URL ]] || die "DATABASE_URL missing from .env"
  V1_PGPORT=$(sed -E 's#^[a-z]+://([^@/]*@)?[^:/]*:([0-9]+)/.*#\2#' <<<"$V1_URL")
  [[ $V1_PGPORT =~ ^[0-9]+$ ]] || die "no port in DATABASE_URL"
  V1_PG_CONNS=$((2 * $(env_value PG_POOL_SIZE 4)))
  V1_PG_PID=$(v1_postmaster)
  log "migrate up, then scripts/seed"
  "$BIN" migrate up >"$OUT/migrate.log" 2>&1 || { tail -n 20 "$OUT/migrate.log" >&2; die "migrate up failed"; }
  scripts/seed >"$OUT/seed.log" 2>&1 || { cat "$OUT/seed.log" >&2; die "scripts/seed failed"; }
  summary=$(grep "^$V1_STORE" "$OUT/seed.log" | cut -d' ' -f2-)
  SUMMARY=$summary "$PY" -c 'import json, os; print(json.dumps({"kind": "v1_seed", "summary": os.environ["SUMMARY"]}))' >>"$RESULTS"
  V1_TO=$(TZ=$V1_ZONE date +%F)
  V1_FROM=$(TZ=$V1_ZONE date -d "$V1_TO -89 days" +%F)
  V1_CHARTS="/v1/charts?limit=20"
  V1_REVENUE="/v1/analytics/revenue?from=$V1_FROM&to=$V1_TO&interval=day"
  v1_machine_info
  log "results in ${OUT#"$ROOT"/}; ours :$P_OURS, peer :$P_PEER, pgbench -c$V1_PG_CONNS; pinning: $PINNING"

  if [[ " ${servers[*]} " == *" ours "* ]]; then
    start_ours
    wait_ready ours /health/live
  fi
  if [[ " ${servers[*]} " == *" peer "* ]]; then
    v1_start_peer
    "$PY" "$LIB" wait-http "$P_PEER" /health/live 30 || { tail -n 20 "$OUT/peer.log" >&2; die "the peer did not start"; }
  fi
  for s in "${servers[@]}"; do
    [[ $s == pgbench ]] && continue
    for route in "${V1_ROUTES[@]}"; do
      "$PY" "$BENCHV1" check-json "$(v1_port_of "$s")" "$(v1_path_of "$route")" "$V1_STORE" >"$OUT/check-$s-$route.txt" ||
        { cat "$OUT/check-$s-$route.txt" >&2; die "$s does not answer $route with 200 and JSON"; }
    done
  done

  SEQ=0
  n=${#servers[@]}
  for ((round = 1; round <= ROUNDS; round++)); do
    log "round $round/$ROUNDS"
    for route in "${V1_ROUTES[@]}"; do
      for ((k = 0; k < n; k++)); do
        s=${servers[$(((k + round - 1) % n))]}
        if [[ $s == pgbench ]]; then v1_run_pgbench "$route" "$round"; else v1_run_wrk "$s" "$route" "$round"; fi
      done
    done
  done

  log "round trips per request (strace, short runs)"
  for s in "${servers[@]}"; do
    for route in "${V1_ROUTES[@]}"; do v1_round_trips "$s" "$route"; done
  done

  log "writing the v1 block of $DOC"
  [[ $DOC == /* ]] || DOC=$ROOT/$DOC
  "$PY" "$BENCHV1" report "$OUT" "$DOC"
  cp "$DOC" "$OUT/benchmarks.md"
  log "done in $((SECONDS - T_START)) s; raw results: ${OUT#"$ROOT"/}"
}
