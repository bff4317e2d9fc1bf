#!/usr/bin/env python3
"""Helpers for `bench/run v1` (issue 13's /v1 routes; standard library only).

  benchv1.py dbsnap POSTMASTER_PID            PostgreSQL's CPU ticks so far, exited backends included
  benchv1.py pgbench-latency PREFIX          p50/p99/max (µs) from pgbench's -l transaction logs
  benchv1.py round-trips STRACE PGPORT       writes to 127.0.0.1:PGPORT in an `strace -f -yy` log
  benchv1.py check-json PORT PATH STORE      GET PATH with X-Store-Id: 200 and a JSON body, printed
  benchv1.py report RESULTS_DIR OUT_MD       medians, ratios, targets → the v1 block of OUT_MD

The v1 block of docs/benchmarks.md sits between V1_BEGIN and V1_END; `benchlib.py report` (the
/health runs) keeps it when it rewrites the file, and this report replaces only that block.
"""
import glob
import json
import os
import re
import socket
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import _fmt, _median, snap  # noqa: E402

V1_BEGIN = "<!-- bench/run v1: begin -->"
V1_END = "<!-- bench/run v1: end -->"


def cmd_dbsnap(pid):
    """The CPU ticks of the postmaster's live tree plus what its exited children used (cutime and
    cstime of the postmaster, which reaps them): pgbench's backends exit before the run's
    closing snapshot, and their CPU must still count."""
    s = snap(int(pid))
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    s["cpu_ticks"] += int(rest[13]) + int(rest[14])
    print(json.dumps({"cpu_ticks": s["cpu_ticks"], "clk_tck": s["clk_tck"]}))
    return 0


def cmd_pgbench_latency(prefix):
    """pgbench -l writes `client_id transaction_no time script_no time_epoch time_us` per
    transaction (time = latency in µs), one file per thread: PREFIX.PID[.N]."""
    latencies = []
    for path in glob.glob(prefix + ".*"):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3 and parts[2].isdigit():
                    latencies.append(int(parts[2]))
    if not latencies:
        print(json.dumps({"p50_us": None, "p99_us": None, "max_us": None, "logged": 0}))
        return 0
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]

    print(json.dumps({"p50_us": pct(50), "p99_us": pct(99), "max_us": latencies[-1], "logged": len(latencies)}))
    return 0


def cmd_round_trips(strace_log, pgport):
    """Count the client's writes on TCP sockets whose peer is 127.0.0.1:PGPORT. One write (send,
    sendto, sendmsg, write, writev) carries one round trip's messages: libpq flushes a query
    (Parse/Bind/Describe/Execute/Sync or a simple Query) at once, NIO flushes once per query."""
    peer = re.compile(r"->127\.0\.0\.1:%s\]" % re.escape(str(pgport)))
    calls = re.compile(r"^\s*(?:\d+\s+)?(send|sendto|sendmsg|write|writev)\(\d+<TCP:\[")
    count = 0
    with open(strace_log, errors="replace") as f:
        for line in f:
            if calls.match(line) and peer.search(line) and "resumed>" not in line:
                count += 1
    print(count)
    return 0


def cmd_check_json(port, path, store):
    """One GET with the tenant header; prints status and the first 300 bytes of the body."""
    s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    try:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\nX-Store-Id: {store}\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split()[1]) if head.startswith(b"HTTP/") else 0
    if b"transfer-encoding: chunked" in head.lower():
        body = _dechunk(body)
    try:
        json.loads(body)
        ok = status == 200
    except ValueError:
        ok = False
    print(f"{status} {len(body)} bytes: {body[:300].decode(errors='replace')}")
    return 0 if ok else 1


def _dechunk(body):
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        body = rest[size + 2:]
    return out


# ---------------------------------------------------------------------------------------------
# report

NAMES = {"ours": "saas-api (ours)", "peer": "Hummingbird 2 + postgres-nio", "pgbench": "pgbench (the database's ceiling)"}
ROUTES = [("charts", "`GET /v1/charts?limit=20`"), ("revenue", "`GET /v1/analytics/revenue` (90 days, by day)")]


def cmd_report(results_dir, out_md):
    runs, rts, extra = [], {}, {}
    with open(os.path.join(results_dir, "results.jsonl")) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if rec.get("kind") == "v1":
                runs.append(rec)
            elif rec.get("kind") == "v1_round_trips":
                rts[(rec["server"], rec["route"])] = rec
            else:
                extra[rec["kind"]] = rec
    with open(os.path.join(results_dir, "machine.json")) as f:
        machine = json.load(f)

    groups = {}
    for r in runs:
        groups.setdefault((r["server"], r["route"]), []).append(r)

    def agg(server, route):
        rs = groups.get((server, route))
        if not rs:
            return None
        return {
            "rps": _median([r["rps"] for r in rs]),
            "p50": _median([r["p50_us"] / 1000 if r["p50_us"] is not None else None for r in rs]),
            "p99": _median([r["p99_us"] / 1000 if r["p99_us"] is not None else None for r in rs]),
            "errors": sum(r["errors"] for r in rs),
            "cpu": _median([r["cpu_us_per_req"] for r in rs]),
            "db_cpu": _median([r.get("db_cpu_us_per_req") for r in rs]),
            "xacts": _median([r.get("xacts_per_req") for r in rs]),
            # our PostgreSQL round trips per request under the run's load (batches ÷ requests)
            "batches": _median([r["pg_batches"] / r["requests"] if r.get("pg_batches") is not None and r["requests"]
                                else None for r in rs]),
            "batch_size": _median([r["pg_batched"] / r["pg_batches"] if r.get("pg_batches") else None for r in rs]),
            "rps_all": [round(r["rps"]) for r in rs],
        }

    seed = extra.get("v1_seed", {})
    L = [V1_BEGIN, "## /v1 routes (issue 13): saas-api, Hummingbird 2 + postgres-nio, pgbench", ""]
    w = L.append
    w(f"Written by `bench/run v1` (do not edit by hand; rerun it). Run: {machine.get('date')} · tree "
      f"`{machine.get('git')}` · {machine.get('rounds')} rounds × `wrk -t1 -c{machine.get('conns')} "
      f"-d{machine.get('duration')}` per server and route, and `pgbench -M prepared -c{machine.get('pg_conns')} "
      f"-j2 -T{machine.get('duration')}` on the same transaction, interleaved in rotating order.")
    w("")
    for k in ["nproc", "cpu", "swift", "postgres", "pgbench", "hummingbird", "wrk", "pinning"]:
        if k in machine:
            w(f"- **{k}**: {machine[k]}")
    if seed:
        w(f"- **data**: `scripts/seed` — {seed.get('summary', '')}")
    w(f"- **requests**: `{machine.get('charts_path')}` and `{machine.get('revenue_path')}`, header "
      f"`X-Store-Id: {machine.get('store')}`")
    w("")
    w("CPU/req: user + system CPU ÷ requests (or pgbench transactions) during the run, of the server's")
    w("processes (pgbench: the pgbench client) and, separately, of every PostgreSQL process (the")
    w("postmaster's tree: the backends serving the pool, plus background workers). Round trips per")
    w("request: the client's writes to PostgreSQL's port (`strace -f -yy` on every thread of the")
    w("server or pgbench during a short separate `wrk -c8 -d3s` run) ÷ requests answered in it; for")
    w("saas-api, which sends the transactions queued behind busy connections together (one write,")
    w("the socket corked, several transactions each ending with its own Sync), the round trips under")
    w("the run's own load come first: `saas_api_pool_batches_total` delta ÷ requests, and the mean")
    w("batch; transactions per request: `pg_stat_database.xact_commit` delta ÷ requests.")
    w("")
    w("| route | server | req/s | p50 ms | p99 ms | errors | CPU µs/req server | CPU µs/req PostgreSQL | "
      "round trips/req | transactions/req | req/s per round |")
    w("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for route, label in ROUTES:
        for server in ["ours", "peer", "pgbench"]:
            a = agg(server, route)
            if not a:
                continue
            rt = rts.get((server, route))
            rt_text = "n/a" if not rt or not rt.get("requests") else f"{rt['writes'] / rt['requests']:.2f}"
            if a.get("batches") is not None:
                rt_text = (f"{a['batches']:.2f} under load (batches of {_fmt(a['batch_size'], 1)}); "
                           f"{rt_text} at -c8")
            w(f"| {label} | {NAMES[server]} | {_fmt(a['rps'])} | {_fmt(a['p50'], 2)} | {_fmt(a['p99'], 2)} | "
              f"{a['errors']} | {_fmt(a['cpu'], 1)} | {_fmt(a['db_cpu'], 1)} | {rt_text} | {_fmt(a['xacts'], 2)} | "
              f"{', '.join(f'{x:,}' for x in a['rps_all'])} |")
    loads = [r["loadavg_before"] for r in runs if "loadavg_before" in r]
    if loads:
        w("")
        w(f"1-minute load average before each run: median {statistics.median(loads):.1f}, max {max(loads):.1f} "
          f"(on {machine.get('nproc')} CPUs; above ~2 means other work shared the machine and absolute numbers "
          f"are noisy).")
    w("")

    def ratio(a, b, route, key="rps"):
        x, y = agg(a, route), agg(b, route)
        if not x or not y or not x[key] or not y[key]:
            return None
        return x[key] / y[key]

    rows = []
    for route, label in ROUTES:
        r = ratio("ours", "peer", route)
        rows.append((f"{label} ours / Hummingbird req/s", r, "≥ 1.5×", None if r is None else r >= 1.5, "x"))
    r = ratio("ours", "pgbench", "charts")
    rows.append((f"{ROUTES[0][1]} ours / pgbench req/s", r, "≥ 0.65×", None if r is None else r >= 0.65, "x"))
    for route, label in ROUTES:
        x, y = agg("ours", route), agg("peer", route)
        ok = None if not x or not y or x["p99"] is None or y["p99"] is None else x["p99"] <= y["p99"]
        value = None if ok is None else f"{x['p99']:.2f} ms vs {y['p99']:.2f} ms"
        rows.append((f"{label} p99 ours vs Hummingbird", value, "≤ the peer's", ok, "text"))
    for route, label in ROUTES:
        x, y = agg("ours", route), agg("peer", route)
        if x and y and x["cpu"] and y["cpu"]:
            rows.append((f"{label} CPU efficiency: Hummingbird server CPU/req ÷ ours (contention-robust)",
                         y["cpu"] / x["cpu"], "(info)", None, "x"))
        if x and y and x["cpu"] and y["cpu"] and x["db_cpu"] and y["db_cpu"]:
            rows.append((f"{label} CPU efficiency incl. PostgreSQL: Hummingbird ÷ ours",
                         (y["cpu"] + y["db_cpu"]) / (x["cpu"] + x["db_cpu"]), "(info)", None, "x"))
    w("### Ratios vs the targets of issue 13")
    w("")
    w("| metric | value | target | |")
    w("| --- | ---: | ---: | --- |")
    for name, value, target, ok, unit in rows:
        if unit == "x":
            v = "n/a" if value is None else f"{value:.2f}×"
        else:
            v = value or "n/a"
        m = "" if ok is None and target == "(info)" else ("n/a" if ok is None else ("**met**" if ok else "**missed**"))
        w(f"| {name} | {v} | {target} | {m} |")
    w("")
    w("### Fairness notes (v1)")
    w("")
    w("- The same data (`scripts/seed`), store, requests, role (`app_rw`, row-level security) and")
    w("  transaction for all three: `BEGIN`, `set_config('app.store_id', store, true)` and")
    w("  `set_config('statement_timeout', …, true)`, the route's SELECT, `COMMIT`. saas-api sends all four")
    w("  as one libpq pipeline of prepared statements (per-connection statement cache, prepared on first")
    w("  use; never through PgBouncer) for the charts list, and `BEGIN`, the settings and the SELECT as one")
    w("  pipeline then `COMMIT` for the revenue report; the peer uses postgres-nio's")
    w("  `PostgresClient.withTransaction` (its own `BEGIN` and `COMMIT` round trips) with the settings as")
    w("  one parameterised query; pgbench sends all four as one pipeline of prepared statements")
    w("  (`\\startpipeline`, `-M prepared`): one round trip, the database's ceiling for the transaction.")
    w("  The round-trip column shows what each really sent.")
    w(f"- Connections: saas-api 2 workers × `PG_POOL_SIZE`; the peer one `PostgresClient` of the same total,")
    w(f"  all opened at start; pgbench `-c` the same total ({machine.get('pg_conns')}).")
    w("- Threads: saas-api 2 worker processes; the peer 1 process with a 2-thread `MultiThreadedEventLoopGroup`")
    w("  for HTTP and PostgreSQL (its async handlers run on Swift's cooperative pool, one thread per CPU);")
    w("  pgbench `-j2`. Servers and pgbench are pinned like the /health runs; PostgreSQL is not pinned.")
    w("- Both servers cache the store's timezone and currency per process (no extra round trip per")
    w("  request). saas-api writes its JSON access log (one line per request); the peer logs nothing per")
    w("  request: that favours the peer.")
    w("- The peer answers the same JSON (`spec`/`query_params` through a Codable `JSONValue`, amounts")
    w("  through Foundation's `Decimal`); `bench/run v1` checks that every server answers 200 with JSON")
    w("  before measuring. It serves the first page only (no `cursor` decoding): the benchmark asks for that.")
    w("")
    w("Reproduce: `bench/run v1` (knobs: `BENCH_ROUNDS`, `BENCH_DURATION`, `BENCH_V1_CONNS` (64),")
    w("`BENCH_PIN`, `BENCH_SKIP_BUILD`, `BENCH_BIN`); the peer is built with `swift build -c release")
    w("--scratch-path .build-peer` in `bench/peers/hummingbird-peer/`.")
    w(V1_END)
    block = "\n".join(L)

    old = ""
    if os.path.exists(out_md):
        with open(out_md) as f:
            old = f.read()
    with open(out_md, "w") as f:
        f.write(splice_v1_block(old, block))
    for name, value, target, ok, unit in rows:
        v = "n/a" if value is None else (f"{value:.2f}x" if unit == "x" else value)
        print(f"  {name.replace('`', '')}: {v} (target {target}) {'' if ok is None else ('met' if ok else 'MISSED')}")
    return 0


def splice_v1_block(doc, block):
    """doc with its v1 block replaced by block; without one, block goes before `## Profile`
    (or at the end)."""
    if V1_BEGIN in doc and V1_END in doc:
        start = doc.index(V1_BEGIN)
        end = doc.index(V1_END) + len(V1_END)
        return doc[:start] + block + doc[end:]
    marker = "\n## Profile"
    if marker in doc:
        i = doc.index(marker)
        return doc[:i] + "\n" + block + "\n" + doc[i:]
    return (doc.rstrip() + "\n\n" if doc else "") + block + "\n"


def v1_block(doc):
    """The v1 block of doc, or None."""
    if V1_BEGIN in doc and V1_END in doc:
        return doc[doc.index(V1_BEGIN):doc.index(V1_END) + len(V1_END)]
    return None


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "dbsnap":
        return cmd_dbsnap(*args)
    if cmd == "pgbench-latency":
        return cmd_pgbench_latency(*args)
    if cmd == "round-trips":
        return cmd_round_trips(*args)
    if cmd == "check-json":
        return cmd_check_json(*args)
    if cmd == "report":
        return cmd_report(*args)
    print(f"unknown command {cmd}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
