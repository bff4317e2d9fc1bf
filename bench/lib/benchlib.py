#!/usr/bin/env python3
"""Helpers for bench/run (standard library only).

  benchlib.py snap ROOTPID                      JSON: process tree, CPU ticks, RSS per process
  benchlib.py wait-http PORT PATH TIMEOUT_S     exit 0 once GET PATH answers 200
  benchlib.py startup EXE PORT WORKERS N LOG    exec → first /health 200 (and "workers ready"), N times
  benchlib.py replace SUPPID PORT N             SIGKILL a worker → slot serves again, N times
  benchlib.py report RESULTS_DIR OUT_MD         medians, ratios, targets → Markdown

Every loop is bounded by a count and a deadline; traffic goes to 127.0.0.1 only.
"""
import json
import os
import selectors
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

HOST = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------------
# /proc

def _stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    # comm may contain spaces/parens: split after the last ')'
    rest = data[data.rindex(")") + 2:].split()
    return {"ppid": int(rest[1]), "utime": int(rest[11]), "stime": int(rest[12])}


def _rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _smaps_rollup(pid):
    """(Pss kB, USS kB = private clean + private dirty) or (None, None) when unavailable."""
    pss = uss = None
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                k, _, v = line.partition(":")
                if k == "Pss":
                    pss = int(v.split()[0])
                elif k in ("Private_Clean", "Private_Dirty"):
                    uss = (uss or 0) + int(v.split()[0])
    except OSError:
        pass
    return pss, uss


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def tree(root):
    """root and all its descendants, root first."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            ppid = _stat(int(name))["ppid"]
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop(0)
        out.append(pid)
        todo.extend(sorted(children.get(pid, [])))
    return out


def snap(root):
    procs, ticks = [], 0
    for pid in tree(root):
        try:
            st = _stat(pid)
            rss = _rss_kb(pid)
        except (OSError, ValueError, IndexError):
            continue
        ticks += st["utime"] + st["stime"]
        pss, uss = _smaps_rollup(pid)
        procs.append({"pid": pid, "ppid": st["ppid"], "rss_kb": rss, "pss_kb": pss, "uss_kb": uss,
                      "cmd": _cmdline(pid)[:80]})
    return {"root": root, "cpu_ticks": ticks, "clk_tck": CLK_TCK, "procs": procs}


# ---------------------------------------------------------------------------------------------
# raw HTTP

def http_get(port, path, timeout=1.0):
    """(status, headers dict) or (None, None) on any connection error."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect((HOST, port))
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return _parse_head(data)
    except OSError:
        return None, None
    finally:
        s.close()


def _parse_head(data):
    head = data.split(b"\r\n\r\n", 1)[0].decode(errors="replace").split("\r\n")
    if not head or not head[0].startswith("HTTP/"):
        return None, None
    parts = head[0].split()
    if len(parts) < 2 or not parts[1].isdigit():
        return None, None
    headers = {}
    for line in head[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return int(parts[1]), headers


def cmd_wait_http(port, path, timeout_s):
    deadline = time.monotonic() + float(timeout_s)
    while time.monotonic() < deadline:
        status, _ = http_get(int(port), path, timeout=1.0)
        if status == 200:
            return 0
        time.sleep(0.02)
    return 1


# ---------------------------------------------------------------------------------------------
# startup: exec → /health 200

def cmd_startup(exe, port, workers, count, log_path):
    port, count = int(port), int(count)
    results = []
    for i in range(count):
        with open(log_path, "ab") as log:
            t0 = time.monotonic()
            proc = subprocess.Popen([exe, "--workers", str(workers), "--port", str(port)],
                                    stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        first = all_ready = None
        start_offset = os.path.getsize(log_path)
        deadline = t0 + 5.0
        while time.monotonic() < deadline and (first is None or all_ready is None):
            if proc.poll() is not None:
                break
            now = time.monotonic()
            if all_ready is None and _log_has(log_path, start_offset, f"{workers} workers ready"):
                all_ready = now - t0
            if first is None:
                status, _ = http_get(port, "/health", timeout=1.0)
                if status == 200:
                    first = time.monotonic() - t0
            time.sleep(0.001)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        results.append({"first_health_200_ms": None if first is None else round(first * 1000, 2),
                        "all_ready_log_ms": None if all_ready is None else round(all_ready * 1000, 2)})
        time.sleep(0.2)
    print(json.dumps({"kind": "startup", "workers": int(workers), "runs": results}))
    return 0


def _log_has(path, offset, needle):
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return needle.encode() in f.read()
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------
# replace: SIGKILL a worker → the slot serves again

def _probe_wave(port, n, deadline):
    """n concurrent GET /health/live on new connections; returns (times_s, prefixes, failures)."""
    sel = selectors.DefaultSelector()
    t0 = time.monotonic()
    pending = {}
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((HOST, port))
        pending[s] = {"buf": b"", "sent": False}
        sel.register(s, selectors.EVENT_WRITE)
    done, prefixes, failures = [], [], 0
    while pending and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.05):
            s, st = key.fileobj, pending[key.fileobj]
            try:
                if not st["sent"]:
                    if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                        raise OSError("connect failed")
                    s.send(b"GET /health/live HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                    st["sent"] = True
                    sel.modify(s, selectors.EVENT_READ)
                    continue
                chunk = s.recv(4096)
                st["buf"] += chunk
                if b"\r\n\r\n" in st["buf"] or not chunk:
                    status, headers = _parse_head(st["buf"])
                    if status == 200:
                        done.append(time.monotonic() - t0)
                        rid = (headers or {}).get("x-request-id", "")
                        prefixes.append(rid.split("-")[0])
                    else:
                        failures += 1
                    sel.unregister(s)
                    s.close()
                    del pending[s]
            except OSError:
                failures += 1
                sel.unregister(s)
                s.close()
                del pending[s]
    for s in pending:
        failures += 1
        s.close()
    sel.close()
    return done, prefixes, failures


def _children(sup):
    try:
        with open(f"/proc/{sup}/task/{sup}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return [p for p in tree(sup) if p != sup]


def cmd_replace(sup, port, count):
    sup, port, count = int(sup), int(port), int(count)
    runs = []
    for i in range(count):
        workers = _children(sup)
        if not workers:
            break
        # the live workers' request-id prefixes, to recognise the replacement's answers
        _, known, _ = _probe_wave(port, 16, time.monotonic() + 2)
        known = set(known)
        victim = workers[i % len(workers)]
        found = {}

        def watch():  # 1 ms poll for the replacement's pid
            end = time.monotonic() + 5
            while time.monotonic() < end:
                if [p for p in _children(sup) if p not in workers]:
                    found["at"] = time.monotonic()
                    return
                time.sleep(0.001)

        watcher = threading.Thread(target=watch)
        t0 = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        watcher.start()
        deadline = t0 + 5.0
        # New connections hash partly to the dead worker's socket: they wait in its backlog until
        # the replacement accepts them. "Serves again" = every probe of the wave answered 200 and
        # at least one answer came from a new worker (an unseen request-id prefix).
        served_at, failures, waves = None, 0, 0
        while time.monotonic() < deadline and waves < 50:
            waves += 1
            times, prefixes, f = _probe_wave(port, 32, deadline)
            failures += f
            if set(prefixes) - known:
                served_at = time.monotonic() - t0
                break
        watcher.join()
        new_pid_at = found["at"] - t0 if "at" in found else None
        runs.append({"new_pid_ms": None if new_pid_at is None else round(new_pid_at * 1000, 2),
                     "served_ms": None if served_at is None else round(served_at * 1000, 2),
                     "waves": waves, "failed_probes": failures})
        time.sleep(1.6)  # > the policy's 1 s stable run, so the next kill follows a healthy run
    print(json.dumps({"kind": "replace", "runs": runs}))
    return 0


# ---------------------------------------------------------------------------------------------
# report

def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _fmt(v, digits=0, unit=""):
    if v is None:
        return "n/a"
    return f"{v:,.{digits}f}{unit}"


def cmd_report(results_dir, out_md):
    runs, extra = [], {}
    with open(os.path.join(results_dir, "results.jsonl")) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            if rec.get("kind") == "wrk":
                runs.append(rec)
            else:
                extra[rec["kind"]] = rec
    with open(os.path.join(results_dir, "machine.json")) as f:
        machine = json.load(f)

    excluded = [r for r in runs if r.get("dependency_outage")]
    groups = {}
    for r in runs:
        if not r.get("dependency_outage"):
            groups.setdefault((r["server"], r["path"], r["conns"]), []).append(r)
    loads = [r["loadavg_before"] for r in runs if "loadavg_before" in r]

    def agg(key):
        rs = groups.get(key)
        if not rs:
            return None
        return {
            "n": len(rs),
            "rps": _median([r["rps"] for r in rs]),
            "p50": _median([r["p50_us"] / 1000 for r in rs]),
            "p99": _median([r["p99_us"] / 1000 for r in rs]),
            "errors": sum(r["errors"] for r in rs),
            "cpu_us": _median([r["cpu_us_per_req"] for r in rs]),
            "rss_master": _median([r["rss_master_kb"] / 1024 for r in rs]),
            "rss_worker": _median([r["rss_worker_max_kb"] / 1024 for r in rs]),
            "rps_all": [round(r["rps"]) for r in rs],
        }

    names = {"ours": "saas-api (ours)", "nginx": "nginx", "node": "Node.js cluster", "python": "gunicorn+uvicorn"}
    L = []
    w = L.append
    w("# Benchmarks")
    w("")
    w("Written by `bench/run` (do not edit by hand; rerun it). saas-api is measured side by side with")
    w("the servers a user would pick instead, on the same machine, in the same run, interleaved, and")
    w("reported as **ratios**: absolute numbers drift between runs on shared machines.")
    w("")
    w(f"Run: {machine.get('date')} · tree `{machine.get('git')}` · {machine.get('rounds')} rounds × "
      f"`wrk -t1 -d{machine.get('duration')}` per server, route and connection count, rotating order.")
    w("")
    w("## Machine")
    w("")
    for k in ["nproc", "cpu", "kernel", "memory", "swift", "nginx", "node", "python", "gunicorn", "uvicorn",
              "psycopg", "redis_py", "wrk", "postgres", "redis", "pinning"]:
        if k in machine:
            w(f"- **{k}**: {machine[k]}")
    w("")
    w("## Throughput and latency (medians over rounds)")
    w("")
    w("Every server runs 2 workers. CPU/req = user+system CPU of all the server's processes during")
    w("the run ÷ requests answered. RSS = VmRSS right after that run (master/supervisor; largest worker).")
    w("Errors = socket errors + non-2xx answers, summed over rounds.")
    w("")
    w("| route | conns | server | req/s | p50 ms | p99 ms | errors | CPU µs/req | RSS master MiB | RSS worker MiB | req/s per round |")
    w("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for path, servers in [("/health/live", ["ours", "nginx", "node", "python"]), ("/health", ["ours", "python"])]:
        for conns in machine.get("conns", [64, 256]):
            for s in servers:
                a = agg((s, path, conns))
                if not a:
                    continue
                w(f"| `{path}` | {conns} | {names[s]} | {_fmt(a['rps'])} | {_fmt(a['p50'], 2)} | {_fmt(a['p99'], 2)} | "
                  f"{a['errors']} | {_fmt(a['cpu_us'], 1)} | {_fmt(a['rss_master'], 1)} | {_fmt(a['rss_worker'], 1)} | "
                  f"{', '.join(f'{x:,}' for x in a['rps_all'])} |")
    if excluded:
        w("")
        w("Left out of the medians (PostgreSQL or Redis went down during the run, e.g. restarted by")
        w("another process; saas-api's log says `dependencies degraded`): "
          + ", ".join(f"{names[r['server']]} `{r['path']}` c{r['conns']} round {r['round']} ({r['errors']:,} errors)" for r in excluded)
          + ".")
    if loads:
        w("")
        w(f"1-minute load average before each run: median {statistics.median(loads):.1f}, max {max(loads):.1f} "
          f"(on {machine.get('nproc')} CPUs; above ~2 means other work shared the machine and absolute numbers are noisy).")
    w("")

    # ratios and targets
    def ratio(a, b, path, conns):
        x, y = agg((a, path, conns)), agg((b, path, conns))
        if not x or not y or not y["rps"]:
            return None
        return x["rps"] / y["rps"]

    def mark(ok):
        return "n/a" if ok is None else ("**met**" if ok else "**missed**")

    w("## Ratios vs the targets of issue 7")
    w("")
    w("req/s ratios compare medians; the CPU-efficiency rows (peer's CPU µs per request ÷ ours, so")
    w("above 1 means saas-api needs less CPU) hold up better when other work shares the machine.")
    w("")
    w("| metric | conns | value | target | |")
    w("| --- | ---: | ---: | ---: | --- |")
    target_rows = []
    for conns in machine.get("conns", [64, 256]):
        r = ratio("ours", "nginx", "/health/live", conns)
        target_rows.append(("`/health/live` ours / nginx req/s", conns, r, "≥ 0.75×", None if r is None else r >= 0.75, "x"))
        r = ratio("ours", "node", "/health/live", conns)
        target_rows.append(("`/health/live` ours / Node cluster req/s", conns, r, "≥ 1.2×", None if r is None else r >= 1.2, "x"))
        r = ratio("ours", "python", "/health/live", conns)
        target_rows.append(("`/health/live` ours / gunicorn+uvicorn req/s", conns, r, "(no target)", None, "x"))
        r = ratio("ours", "python", "/health", conns)
        target_rows.append(("`/health` ours / gunicorn+uvicorn req/s", conns, r, "≥ 5×", None if r is None else r >= 5, "x"))
    def cpu_ratio(a, b, path, conns):
        x, y = agg((a, path, conns)), agg((b, path, conns))
        if not x or not y or not x["cpu_us"]:
            return None
        return y["cpu_us"] / x["cpu_us"]

    for peer, label in [("nginx", "nginx"), ("node", "Node cluster"), ("python", "gunicorn+uvicorn")]:
        r = cpu_ratio("ours", peer, "/health/live", 64)
        target_rows.append((f"`/health/live` CPU efficiency: {label} CPU/req ÷ ours (contention-robust)", 64, r,
                            "(info)", None, "x"))
    r = cpu_ratio("ours", "python", "/health", 64)
    target_rows.append(("`/health` CPU efficiency: gunicorn+uvicorn CPU/req ÷ ours", 64, r, "(info)", None, "x"))
    a = agg(("ours", "/health/live", 64))
    p99 = a["p99"] if a else None
    target_rows.append(("`/health/live` ours p99", 64, p99, "≤ 5 ms", None if p99 is None else p99 <= 5, "ms"))
    st = extra.get("startup")
    st_first = _median([r["first_health_200_ms"] for r in st["runs"]]) if st else None
    st_all = _median([r["all_ready_log_ms"] for r in st["runs"]]) if st else None
    target_rows.append(("exec → first `/health` 200, 4 workers (median)", "", st_first, "≤ 150 ms",
                        None if st_first is None else st_first <= 150, "ms"))
    target_rows.append(("exec → all 4 workers ready (supervisor log line, median)", "", st_all, "(info)", None, "ms"))
    rp = extra.get("replace")
    rp_served = _median([r["served_ms"] for r in rp["runs"]]) if rp else None
    rp_pid = _median([r["new_pid_ms"] for r in rp["runs"]]) if rp else None
    target_rows.append(("SIGKILLed worker → slot serves again (median)", "", rp_served, "≤ 100 ms",
                        None if rp_served is None else rp_served <= 100, "ms"))
    target_rows.append(("SIGKILLed worker → new worker pid exists (median)", "", rp_pid, "(info)", None, "ms"))
    idle = extra.get("idle_rss")
    if idle:
        w_idle = idle["worker_max_mib"]
        s_idle = idle["supervisor_mib"]
        target_rows.append(("idle RSS per worker (largest)", "", w_idle, "≤ 16 MiB", w_idle <= 16, "MiB"))
        target_rows.append(("idle RSS supervisor", "", s_idle, "≤ 8 MiB", s_idle <= 8, "MiB"))
    for name, conns, value, target, ok, unit in target_rows:
        if unit == "x":
            v = "n/a" if value is None else f"{value:.2f}×"
        else:
            v = "n/a" if value is None else f"{value:.1f} {unit}"
        w(f"| {name} | {conns} | {v} | {target} | {mark(ok) if ok is not None or target.startswith('≤') or target.startswith('≥') else ''} |")
    w("")

    w("## Lifecycle and memory")
    w("")
    if st:
        firsts = [r["first_health_200_ms"] for r in st["runs"]]
        w(f"- **exec → `/health` 200 with 4 workers** ({len(firsts)} runs, 1 ms poll, a new connection per poll): "
          f"median {_fmt(st_first, 1)} ms, all runs: {', '.join(_fmt(x, 1) for x in firsts)} ms. "
          f"All 4 workers ready (supervisor's log line): median {_fmt(st_all, 1)} ms.")
    if rp:
        w(f"- **SIGKILLed worker replaced** ({len(rp['runs'])} kills, ≥ 1.6 s apart, i.e. after a stable run): "
          f"new worker pid after median {_fmt(rp_pid, 1)} ms; the slot serves again (32 fresh connections, "
          f"some of which wait in the dead worker's socket backlog, all answered 200 and one by the new worker) "
          f"after median {_fmt(rp_served, 1)} ms; all runs: {', '.join(_fmt(r['served_ms'], 1) for r in rp['runs'])} ms; "
          f"failed probes: {sum(r['failed_probes'] for r in rp['runs'])}.")
    rl = extra.get("reload")
    if rl:
        if rl.get("supported"):
            w(f"- **SIGHUP reload under load** (`wrk -c64` on `/health/live`, SIGHUP after 3 s): "
              f"{rl['errors']} failed requests of {rl['requests']:,} ({rl['detail']}).")
        else:
            w(f"- **SIGHUP reload under load**: not supported by this build (supervisor log: `{rl.get('log_line', '')}`); "
              f"the run saw {rl['errors']} failed requests of {rl['requests']:,} while the signal was ignored.")
    if idle:
        w(f"- **Idle RSS** (after startup and a few requests, before load): supervisor {idle['supervisor_mib']:.1f} MiB, "
          f"workers {', '.join(f'{x:.1f}' for x in idle['workers_mib'])} MiB"
          + (f" (PSS — shared library pages divided among the processes that map them — supervisor "
             f"{idle['supervisor_pss_mib']:.1f}, workers {', '.join(f'{x:.1f}' for x in idle['workers_pss_mib'])} MiB; "
             f"private (USS): supervisor {idle['supervisor_uss_mib']:.1f}, workers "
             f"{', '.join(f'{x:.1f}' for x in idle['workers_uss_mib'])} MiB)" if idle.get('workers_pss_mib') else "")
          + ". Peers idle: "
          + ", ".join(f"{names[k]} {v['master_mib']:.1f} / {v['worker_max_mib']:.1f} MiB" for k, v in idle.get("peers", {}).items())
          + " (master / largest worker).")
    loaded = extra.get("loaded_rss")
    if loaded:
        w(f"- **Loaded RSS** (right after the last `-c256` run of each server): "
          + ", ".join(f"{names[k]} {v['master_mib']:.1f} / {v['worker_max_mib']:.1f} MiB" for k, v in loaded["servers"].items())
          + " (master or supervisor / largest worker).")
    w("")
    w("## Fairness notes")
    w("")
    w("- All servers: 2 workers, loopback, HTTP/1.1 keep-alive, the same JSON body. wrk runs with `-t1`"
      + (" pinned to the last CPU, the servers (and their workers) to the others" if machine.get("pinned") else "")
      + "; PostgreSQL and Redis are not pinned.")
    w("- saas-api runs at its default `LOG_LEVEL=info`: one JSON access-log line per request to a file.")
    w("  nginx logs every request to a file too (`access_log` on, its default). Node.js and")
    w("  gunicorn+uvicorn run with their defaults, i.e. **no** access log: that favours them.")
    w("- gunicorn+uvicorn uses `uvicorn[standard]` (uvloop + httptools), the fast configuration uvicorn")
    w("  recommends for production. Its `/health` does `SELECT 1` via psycopg's `AsyncConnectionPool`")
    w("  and `PING` via `redis.asyncio`, concurrently, every request, nothing shared or cached. saas-api's")
    w("  `/health` lets concurrent requests join one in-flight check (allowed by issue 7: every answer")
    w("  still reflects a check that completed after the request arrived).")
    w("- Same pool sizes and health budget for both `/health` servers (`PG_POOL_SIZE`, `REDIS_POOL_SIZE`,")
    w("  `HEALTH_TIMEOUT_MS` from `.env`). The Python peer's errors at high concurrency are its `503")
    w("  degraded` answers when waiting for a pooled connection exceeds that budget: overload, not a crash.")
    w("- Absolute numbers are noisy (other builds may share the CPUs); rounds are interleaved in rotating")
    w("  order so noise hits every server alike; the table shows each round's req/s to make noise visible.")
    w("")
    w("## Reproduce")
    w("")
    w("```")
    w("bench/run                      # ~10 minutes; needs root on a fresh Debian 12 to install packages")
    w("BENCH_ROUNDS=1 BENCH_DURATION=5 bench/run   # quick look")
    w("```")
    w("")
    w("`bench/run` builds the release executables as `make install` does (`swift build -c release")
    w("--static-swift-stdlib --disable-default-traits --scratch-path .build-bench`; other flags:")
    w("`BENCH_SWIFT_FLAGS`), runs `scripts/services deps` and `scripts/services start` (stopping at the")
    w("end only the services it started), installs nginx, wrk and nodejs with apt-get when missing and")
    w("the Python peer into `.build-bench/venv`, starts every server on its own loopback port")
    w("(`BENCH_PORT_BASE`, default 18080), measures, stops everything it started, writes this file and")
    w("keeps raw results (wrk output, logs, JSON lines) in `bench/results/<timestamp>/` (not committed).")
    w("Peer sources: `bench/peers/`. Environment knobs: `BENCH_ROUNDS` (3), `BENCH_DURATION` (10),")
    w("`BENCH_CONNS` (\"64 256\"), `BENCH_PIN` (1), `BENCH_STARTUP_RUNS` (10), `BENCH_KILL_RUNS` (10),")
    w("`BENCH_SKIP_BUILD` (0).")
    w("")
    profile = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "profile.md")
    if os.path.exists(profile):
        with open(profile) as f:
            w(f.read().rstrip())
        w("")
    text = "\n".join(L)
    # The /v1 block (`bench/run v1`, benchv1.py) is another run's: keep it.
    from benchv1 import splice_v1_block, v1_block
    if os.path.exists(out_md):
        with open(out_md) as f:
            block = v1_block(f.read())
        if block:
            text = splice_v1_block(text, block)
    with open(out_md, "w") as f:
        f.write(text)
    # the ratio lines, for the terminal
    for name, conns, value, target, ok, unit in target_rows:
        v = "n/a" if value is None else (f"{value:.2f}x" if unit == "x" else f"{value:.1f} {unit}")
        print(f"  {name.replace('`', '')} {conns}: {v} (target {target}) {'' if ok is None else ('met' if ok else 'MISSED')}")
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "snap":
        print(json.dumps(snap(int(args[0]))))
        return 0
    if cmd == "wait-http":
        return cmd_wait_http(*args)
    if cmd == "startup":
        return cmd_startup(*args)
    if cmd == "replace":
        return cmd_replace(*args)
    if cmd == "report":
        return cmd_report(*args)
    print(f"unknown command {cmd}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
