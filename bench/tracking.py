#!/usr/bin/env python3
"""Tracking API benchmark: mlflowd against the Python ``mlflow server`` 3.17.2 on PostgreSQL.

One command measures, for each server in turn (only one server runs at a time), on its own fresh
PostgreSQL database:

* start-up time to a healthy ``/health``, first on an empty database (schema creation included)
  and then again on the migrated database;
* idle RSS, and peak RSS while the load runs (for the Python server: the sum over its process
  tree, the ``mlflow`` CLI process plus its uvicorn workers);
* ``runs/log-batch`` with 1000 metrics per request at 8 and 32 connections (metrics/s);
* ``runs/log-metric`` at 32 connections (requests/s, p50/p99 latency);
* ``runs/create`` at 32 connections (requests/s);
* ``runs/search`` over an experiment of 10,000 runs (20 params, 20 metrics, 10 tags each, seeded
  with SQL, identical in both databases) with a metric filter, a param filter and an order by
  metric, 100 results (p50/p99);
* the PostgreSQL ceiling with ``pgbench``: a 1000-row ``INSERT ... SELECT generate_series`` into
  ``metrics`` and a single-row insert, shown as "% of ceiling" beside the write figures.

The load comes from ``wrk`` (a separate process) with Lua scripts this program writes; request
bodies are byte-identical for both servers except for the run and experiment ids.  A request
counts as an error unless the answer is 2xx (wrk's "Non-2xx" count, plus socket errors).

The script re-executes itself with the venv's interpreter (``--venv``, ``$MLFLOWD_BENCH_VENV`` or
``<repo>/.venv``), which must hold mlflow==3.17.2, psycopg2 and requests (tests/requirements.txt).
It needs ``wrk`` (Debian: ``apt-get install -y wrk``) and ``pgbench`` (comes with PostgreSQL).

Exit status: 0 when every measurement of mlflowd ran without errors; 1 otherwise; 2 on setup
errors.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000
BATCH_METRICS = 1000
N_RUNS = 64  # runs the write load is spread over
SEARCH_RUNS = 10_000
STEP_BLOCK = 1_000_000_000  # each wrk run logs steps in [k * STEP_BLOCK, (k + 1) * STEP_BLOCK)


# --------------------------------------------------------------------------------------------
# Command line, venv
# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Tracking API load (log-batch, log-metric, create, search) against mlflowd "
        "and the Python mlflow server on PostgreSQL, with wrk; prints one comparison table.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--venv", type=Path,
                   default=Path(os.environ.get("MLFLOWD_BENCH_VENV", REPO_ROOT / ".venv")),
                   help="venv with mlflow==3.17.2, psycopg2, requests (env MLFLOWD_BENCH_VENV)")
    p.add_argument("--mlflowd-bin", type=Path,
                   default=Path(os.environ.get("MLFLOWD_BIN",
                                               REPO_ROOT / "target" / "release" / "mlflowd")),
                   help="mlflowd binary (env MLFLOWD_BIN)")
    p.add_argument("--pg", default=os.environ.get("MLFLOWD_BENCH_PG",
                                                  "postgresql://postgres@127.0.0.1:5432"),
                   help="PostgreSQL server URI without database (trust auth or password in it); "
                   "the script creates and drops its own databases (env MLFLOWD_BENCH_PG)")
    p.add_argument("--duration", type=int, default=15, help="seconds per measurement")
    p.add_argument("--warmup", type=int, default=3, help="seconds of warm-up load before each")
    p.add_argument("--python-workers", type=int, default=2, help="--workers of mlflow server")
    p.add_argument("--wrk-threads", type=int, default=2, help="wrk -t")
    p.add_argument("--skip-mlflowd", action="store_true", help="do not run mlflowd")
    p.add_argument("--skip-python", action="store_true", help="do not run the Python server")
    p.add_argument("--skip-search", action="store_true",
                   help="leave out the 10,000-run search (seeding takes ~30 s per server)")
    p.add_argument("--skip-pgbench", action="store_true", help="leave out the PostgreSQL ceiling")
    p.add_argument("--keep-tmp", action="store_true",
                   help="keep the scratch directory (server logs, Lua scripts)")
    p.add_argument("--keep-db", action="store_true", help="do not drop the databases at the end")
    return p.parse_args(argv)


def ensure_venv_interpreter(venv: Path) -> None:
    """Re-exec under the venv's python unless we already run in it."""
    py = venv / "bin" / "python"
    if not py.exists():
        print(
            f"error: no venv at {venv} (expected {py}).\n"
            "       `bash tests/run.sh` creates <repo>/.venv from tests/requirements.txt, or:\n"
            "       python3 -m venv .venv && .venv/bin/pip install -r tests/requirements.txt",
            file=sys.stderr,
        )
        sys.exit(2)
    if Path(sys.prefix).resolve() != venv.resolve():
        if os.environ.get("_MLFLOWD_BENCH_REEXEC"):
            sys.exit(f"error: re-exec with {py} did not land in the venv (sys.prefix={sys.prefix})")
        os.environ["_MLFLOWD_BENCH_REEXEC"] = "1"
        os.execv(str(py), [str(py), str(Path(__file__).resolve()), *sys.argv[1:]])


# --------------------------------------------------------------------------------------------
# /proc sampling (as in artifacts_proxy.py)
# --------------------------------------------------------------------------------------------


def _status_kb(pid: int, field_name: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def proc_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (via /proc/<pid>/task/*/children)."""
    out, todo, seen = [], [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        out.append(p)
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except (FileNotFoundError, ProcessLookupError):
            continue
        for t in tasks:
            try:
                with open(f"/proc/{p}/task/{t}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
            except (FileNotFoundError, ProcessLookupError):
                pass
    return out


def tree_rss_mb(pid: int) -> float:
    return sum(_status_kb(p, "VmRSS") for p in proc_tree(pid)) * 1024 / MB


class RssSampler:
    """Samples the tree-summed VmRSS of a process every ``interval`` seconds in a thread."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid, self.interval = pid, interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            if self._stop.wait(self.interval):
                break

    def start(self) -> "RssSampler":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


# --------------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A subprocess in its own session (process group), logging to a file."""

    LIVE: list["Proc"] = []

    def __init__(self, label: str, cmd: list[str], env: dict, cwd: Path, log_path: Path):
        self.label, self.cmd, self.env, self.cwd, self.log_path = label, cmd, env, cwd, log_path
        self.proc: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> "Proc":
        with open(self.log_path, "ab") as logf:
            logf.write(f"$ {' '.join(self.cmd)}\n".encode())
            logf.flush()
            self.proc = subprocess.Popen(
                self.cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=self.env, cwd=self.cwd, start_new_session=True,
            )
        Proc.LIVE.append(self)
        return self

    def wait_ready(self, probe, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.label} exited with {self.proc.returncode} during start-up"
                                   f"\n--- {self.log_path} (tail) ---\n{self.log_tail()}")
            try:
                if probe():
                    return
            except Exception as e:  # noqa: BLE001 -- any failure means "not yet"
                last = e
            time.sleep(0.05)
        raise RuntimeError(f"{self.label} not ready after {timeout}s ({last!r})"
                           f"\n--- {self.log_path} (tail) ---\n{self.log_tail()}")

    def stop(self) -> None:
        if self in Proc.LIVE:
            Proc.LIVE.remove(self)
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        # Whatever of the group is left (e.g. a uvicorn worker of the Python server).
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass

    def log_tail(self, n: int = 40) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return "(no log)"
        lines = [ln for ln in lines if not re.search(r'INFO:\s+127\.0\.0\.1:\d+ - "', ln)]
        return "\n".join(lines[-n:])


def stop_all() -> None:
    for p in list(Proc.LIVE):
        p.stop()


# --------------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------------


def pg_uri(base: str, db: str) -> str:
    return f"{base.rstrip('/')}/{db}"


def server_uri(base: str, db: str) -> str:
    """The backend store URI both servers get. MLflow 3.17's SQLAlchemy maps a bare
    ``postgresql://`` to psycopg 3, which the venv lacks; mlflowd accepts any ``+driver``."""
    return pg_uri(re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg2://", base), db)


def pg_admin(base: str, sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(pg_uri(base, "postgres"))
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
    finally:
        conn.close()


def fresh_db(base: str, db: str) -> None:
    pg_admin(base, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    pg_admin(base, f'CREATE DATABASE "{db}"')


def pg_exec(base: str, db: str, sql: str, params=None):
    import psycopg2

    conn = psycopg2.connect(pg_uri(base, db))
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


# The search data set: SEARCH_RUNS runs, 20 params, 20 metrics (and their latest_metrics rows)
# and 10 tags each. Values are functions of the run number, so both databases hold the same data.
SEED_SQL = """
INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status,
                  start_time, end_time, source_version, lifecycle_stage, artifact_uri,
                  experiment_id)
SELECT md5('run' || i), 'run-' || i, 'LOCAL', '', '', 'bench', 'FINISHED',
       1700000000000 + i, 1700000001000 + i, '', 'active', 'mlflow-artifacts:/' || i, %(exp)s
FROM generate_series(1, %(n)s) i;
INSERT INTO params (key, value, run_uuid)
SELECT 'p' || k, 'v' || ((i * (k + 3)) %% 10), md5('run' || i)
FROM generate_series(1, %(n)s) i, generate_series(0, 19) k;
INSERT INTO tags (key, value, run_uuid)
SELECT 't' || k, 'tag-' || ((i + k) %% 7), md5('run' || i)
FROM generate_series(1, %(n)s) i, generate_series(0, 9) k;
INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)
SELECT 'm' || k, ((i * 7919 + k * 104729) %% 10007) / 10007.0, 1700000000000 + i,
       md5('run' || i), 0, false
FROM generate_series(1, %(n)s) i, generate_series(0, 19) k;
INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid)
SELECT key, value, timestamp, step, is_nan, run_uuid FROM metrics
WHERE run_uuid IN (SELECT md5('run' || i) FROM generate_series(1, %(n)s) i);
ANALYZE;
"""
SEARCH_FILTER = "metrics.m1 > 0.3 and params.p2 = 'v5'"
SEARCH_ORDER = ["metrics.m3 DESC"]


# --------------------------------------------------------------------------------------------
# wrk
# --------------------------------------------------------------------------------------------

WRK_COMMON = r"""
local counter = 0
local offset = 0
local tid = 0
local nthreads = 1
local threads = {}
local next_tid = 0

function setup(thread)
  thread:set("bench_tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  tid = tonumber(bench_tid) or 0
  nthreads = tonumber(args[1]) or 1
  offset = tonumber(args[2]) or 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

-- A number no other request uses (offset differs per wrk run): every logged metric is a new row.
local function unique()
  counter = counter + 1
  return offset + counter * nthreads + tid
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"status":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


def lua_str(s: str) -> str:
    return json.dumps(s)  # a JSON string literal is a valid Lua string literal for ASCII text


def lua_runs(run_ids: list[str]) -> str:
    return "local runs = {" + ", ".join(lua_str(r) for r in run_ids) + "}\n"


def lua_log_batch(run_ids: list[str]) -> str:
    # The body is split where the step goes; table.concat(pieces, step) rebuilds it in C.
    # Metric i: key "m<i>", value i/1000, timestamp 1700000000000 + i, step = unique().
    head = '{"metrics": ['
    items = [f'{{"key": "m{i}", "value": {i / 1000}, "timestamp": {1700000000000 + i}, "step": '
             for i in range(BATCH_METRICS)]
    pieces = [head + items[0]] + ["}, " + it for it in items[1:]] + ['}], "run_id": "']
    return WRK_COMMON + lua_runs(run_ids) + (
        "local pieces = {" + ", ".join(lua_str(p) for p in pieces) + "}\n"
        "function request()\n"
        "  local n = unique()\n"
        "  local run = runs[(n % #runs) + 1]\n"
        "  return wrk.format(nil, nil, nil, table.concat(pieces, tostring(n)) .. run .. '\"}')\n"
        "end\n")


def lua_log_metric(run_ids: list[str]) -> str:
    return WRK_COMMON + lua_runs(run_ids) + (
        "function request()\n"
        "  local n = unique()\n"
        "  local run = runs[(n % #runs) + 1]\n"
        "  return wrk.format(nil, nil, nil, '{\"run_id\": \"' .. run .. "
        "'\", \"key\": \"loss\", \"value\": 0.5, \"timestamp\": 1700000000000, \"step\": ' .. n .. '}')\n"
        "end\n")


def lua_static(body: str) -> str:
    return WRK_COMMON + (
        f"local body = {lua_str(body)}\n"
        "function request()\n"
        "  return wrk.format(nil, nil, nil, body)\n"
        "end\n")


@dataclass
class WrkResult:
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    raw: str = ""

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_cmd(url: str, script: Path, conns: int, duration: int, threads: int,
            offset: int = 0) -> list[str]:
    """``offset`` starts the run's step counter, so that runs never log the same metric twice."""
    threads = min(threads, conns)
    return ["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{duration}s", "--timeout", "60s",
            "-s", str(script), url, "--", str(threads), str(offset)]


def parse_wrk(stdout: str, stderr: str, rc: int) -> WrkResult:
    m = re.search(r"^WRKJSON (\{.*\})$", stdout, re.MULTILINE)
    if not m:
        raise RuntimeError(f"wrk failed ({rc}): {stdout}\n{stderr}")
    d = json.loads(m.group(1))
    errs = d["status"] + d["connect"] + d["read"] + d["write"] + d["timeout"]
    return WrkResult(requests=d["requests"], seconds=d["duration_us"] / 1e6, errors=errs,
                     p50_ms=d["p50_us"] / 1000, p99_ms=d["p99_us"] / 1000, raw=stdout)


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process tree, in clock ticks."""
    total = 0
    for p in proc_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
            pass
    return total


def wait_quiet(pid: int, timeout: float = 180.0) -> float:
    """Waits until the server tree uses under 5 % of a core over half a second: a server that
    queued requests keeps working on them after wrk has closed its connections (uvicorn does), and
    that backlog must not eat into the next measurement. Returns the seconds waited."""
    hz = os.sysconf("SC_CLK_TCK")
    t0 = time.monotonic()
    last = cpu_ticks(pid)
    while time.monotonic() - t0 < timeout:
        time.sleep(0.5)
        now = cpu_ticks(pid)
        if (now - last) / hz < 0.025:
            break
        last = now
    return time.monotonic() - t0


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table: a figure, its unit, and whether more is better."""
    name: str
    unit: str
    higher_better: bool
    values: dict = field(default_factory=dict)   # server -> float
    errors: dict = field(default_factory=dict)   # server -> error count (None: not a request)
    ceiling: float | None = None                 # PostgreSQL ceiling in the same unit


def fmt(v, spec: str = ",.0f") -> str:
    if v is None:
        return "-"
    if isinstance(v, float) and abs(v) < 100 and spec == ",.0f":
        spec = ".1f" if abs(v) >= 10 else ".2f"
    return format(v, spec)


def render_table(rows: list[Row], servers: list[str]) -> str:
    head = ["figure", "unit"]
    for s in servers:
        head += [s, "errors" if len(servers) == 1 else f"err {s.split()[0]}"]
    if len(servers) == 2:
        head.append(f"{servers[0].split()[0]} / {servers[1].split()[0]}")
    head.append("% of PG ceiling" if len(servers) == 1 else "% of PG ceiling (rs / py)")
    body = []
    for r in rows:
        line = [r.name, r.unit]
        for s in servers:
            line += [fmt(r.values.get(s)), fmt(r.errors.get(s), "d")]
        if len(servers) == 2:
            a, b = (r.values.get(s) for s in servers)
            line.append(f"{a / b:.2f}x" if a is not None and b else "-")
        if r.ceiling:
            line.append(" / ".join(f"{100 * r.values[s] / r.ceiling:.0f}%"
                                   if r.values.get(s) is not None else "-" for s in servers))
        else:
            line.append("")
        body.append(line)
    widths = [max([len(h)] + [len(b[i]) for b in body]) for i, h in enumerate(head)]
    out = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
           "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for b in body:
        out.append("| " + " | ".join(c.ljust(w) for c, w in zip(b, widths)) + " |")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Benchmark
# --------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path):
        import requests

        self.args = args
        self.work = work
        self.requests = requests
        self.venv_bin = args.venv / "bin"
        self.rows: dict[str, Row] = {}
        self.failures: list[str] = []
        self.wrk_runs = 0

    def row(self, key: str, unit: str, higher_better: bool = True) -> Row:
        if key not in self.rows:
            self.rows[key] = Row(key, unit, higher_better)
        return self.rows[key]

    def base_env(self) -> dict:
        env = dict(os.environ)
        env.pop("_MLFLOWD_BENCH_REEXEC", None)
        env.pop("MLFLOW_TRACKING_URI", None)
        tmp = self.work / "tmp"
        tmp.mkdir(exist_ok=True)
        env["TMPDIR"] = str(tmp)
        env["PATH"] = f"{self.venv_bin}{os.pathsep}{env.get('PATH', '')}"
        return env

    def server_cmd(self, impl: str, port: int, uri: str) -> tuple[list[str], dict]:
        env = self.base_env()
        if impl == "mlflowd":
            cmd = [str(self.args.mlflowd_bin), "server", "--host", "127.0.0.1", "--port",
                   str(port), "--backend-store-uri", uri]
            env.setdefault("RUST_LOG", "warn")
        else:
            cmd = [str(self.venv_bin / "mlflow"), "server", "--host", "127.0.0.1", "--port",
                   str(port), "--backend-store-uri", uri,
                   "--workers", str(self.args.python_workers)]
            env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
            env["MLFLOW_DISABLE_TELEMETRY"] = "true"
            env["DO_NOT_TRACK"] = "true"
        return cmd, env

    def start(self, name: str, impl: str, sdir: Path, uri: str) -> tuple[Proc, str, float]:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        cmd, env = self.server_cmd(impl, port, uri)
        sess = self.requests.Session()
        t0 = time.perf_counter()
        srv = Proc(name, cmd, env, sdir, sdir / "server.log").start()
        srv.wait_ready(lambda: sess.get(base + "/health", timeout=2).status_code == 200)
        return srv, base, time.perf_counter() - t0

    def post(self, base: str, path: str, body: dict) -> dict:
        r = self.requests.post(f"{base}/api/2.0/mlflow/{path}", json=body, timeout=120)
        if r.status_code != 200:
            raise RuntimeError(f"POST {path} -> {r.status_code} {r.text[:300]}")
        return r.json()

    def measure(self, name: str, base: str, route: str, lua: str, conns: int, tag: str,
                srv: Proc, db: str, count_sql: str | None = None) -> tuple[WrkResult, float]:
        """One wrk run of warm-up + duration seconds. Returns wrk's result and the throughput
        over the measured window (after the warm-up): rows counted by ``count_sql`` in the
        database when given (committed work, whatever wrk saw complete; ``{lo}``/``{hi}`` in it
        become this run's step block), else wrk's requests/s.
        Latencies are wrk's, over the whole run."""
        script = self.work / f"{re.sub(r'[^A-Za-z0-9]+', '-', name)}-{tag}.lua"
        script.write_text(lua)
        url = f"{base}/api/2.0/mlflow/{route}"
        waited = wait_quiet(srv.pid)
        if waited > 1.5:
            print(f"   (waited {waited:.1f} s for the server to finish earlier requests)",
                  flush=True)
        total = self.args.warmup + self.args.duration
        self.wrk_runs += 1
        offset = self.wrk_runs * STEP_BLOCK
        if count_sql:
            count_sql = count_sql.format(lo=offset, hi=offset + STEP_BLOCK)
        cmd = wrk_cmd(url, script, conns, total + 1, self.args.wrk_threads, offset)
        wrk = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            t_start = time.monotonic()
            time.sleep(self.args.warmup)
            c0 = pg_exec(self.args.pg, db, count_sql)[0][0] if count_sql else 0
            t0 = time.monotonic()
            time.sleep(max(0.0, t_start + total - time.monotonic()))
            c1 = pg_exec(self.args.pg, db, count_sql)[0][0] if count_sql else 0
            t1 = time.monotonic()
            out, err = wrk.communicate(timeout=180)
        finally:
            if wrk.poll() is None:
                wrk.kill()
                wrk.wait()
        res = parse_wrk(out, err, wrk.returncode)
        rate = (c1 - c0) / (t1 - t0) if count_sql else res.rps
        print(f"   {tag:<16} {rate:10.1f} {'rows' if count_sql else 'req'}/s   wrk: "
              f"{res.rps:8.1f} req/s  p50 {res.p50_ms:8.2f} ms  p99 {res.p99_ms:8.2f} ms  "
              f"errors {res.errors}", flush=True)
        if res.errors:
            self.failures.append(f"{name}: {tag}: {res.errors} errors")
        return res, rate

    def run_server(self, name: str, impl: str) -> None:
        args = self.args
        db = f"mlflowd_bench_{impl}"
        sdir = self.work / impl
        sdir.mkdir()
        fresh_db(args.pg, db)
        uri = server_uri(args.pg, db)
        print(f"\n== {name} on {uri}", flush=True)
        srv = None
        try:
            srv, base, t_fresh = self.start(name, impl, sdir, uri)
            self.row("start-up to healthy, empty DB", "s", False).values[name] = t_fresh
            srv.stop()
            srv, base, t_warm = self.start(name, impl, sdir, uri)
            self.row("start-up to healthy, migrated DB", "s", False).values[name] = t_warm
            print(f"   start-up {t_fresh:.2f} s (empty DB), {t_warm:.2f} s (migrated DB)",
                  flush=True)

            exp = self.post(base, "experiments/create", {"name": "bench"})["experiment_id"]
            run_ids = [self.post(base, "runs/create", {"experiment_id": exp,
                                                       "start_time": 1700000000000})
                       ["run"]["info"]["run_id"] for _ in range(N_RUNS)]
            # One request of each kind before measuring idle RSS: every worker has imported
            # and connected what the load will use.
            self.post(base, "runs/log-metric", {"run_id": run_ids[0], "key": "warm", "value": 1,
                                               "timestamp": 1, "step": 0})
            time.sleep(1.0)
            self.row("RSS idle", "MB", False).values[name] = tree_rss_mb(srv.pid)

            sampler = RssSampler(srv.pid).start()
            try:
                # Only the rows of this wrk run (its step block): a request left over from an
                # earlier figure cannot inflate the count.
                count_metrics = "SELECT count(*) FROM metrics WHERE step >= {lo} AND step < {hi}"
                for conns in (8, 32):
                    res, rate = self.measure(name, base, "runs/log-batch", lua_log_batch(run_ids),
                                             conns, f"log-batch c{conns}", srv, db,
                                             count_metrics)
                    r = self.row(f"log-batch 1000 metrics, {conns} conns", "metrics/s")
                    r.values[name] = rate
                    r.errors[name] = res.errors
                res, rate = self.measure(name, base, "runs/log-metric", lua_log_metric(run_ids),
                                         32, "log-metric c32", srv, db, count_metrics)
                for key, unit, val, hb in (("log-metric, 32 conns", "req/s", rate, True),
                                           ("log-metric p50, 32 conns", "ms", res.p50_ms, False),
                                           ("log-metric p99, 32 conns", "ms", res.p99_ms, False)):
                    r = self.row(key, unit, hb)
                    r.values[name] = val
                    r.errors[name] = res.errors
                body = json.dumps({"experiment_id": exp, "start_time": 1700000000000,
                                   "tags": [{"key": "bench", "value": "create"}]})
                res, rate = self.measure(name, base, "runs/create", lua_static(body), 32,
                                         "create c32", srv, db, "SELECT count(*) FROM runs")
                r = self.row("runs/create, 32 conns", "req/s")
                r.values[name] = rate
                r.errors[name] = res.errors
                r = self.row("runs/create p50, 32 conns", "ms", False)
                r.values[name] = res.p50_ms
                r.errors[name] = res.errors
                wait_quiet(srv.pid)
            finally:
                sampler.stop()
            self.row("RSS peak under write load", "MB", False).values[name] = sampler.peak_mb
            print(f"   RSS idle {self.rows['RSS idle'].values[name]:.1f} MB, peak under write "
                  f"load {sampler.peak_mb:.1f} MB", flush=True)

            if not args.skip_search:
                self.run_search(name, base, db, srv)
        except Exception as e:  # noqa: BLE001 -- record, report, continue with the next server
            self.failures.append(f"{name}: {type(e).__name__}: {e}")
            print(f"   ERROR {type(e).__name__}: {e}", flush=True)
            if srv is not None:
                print(f"--- {srv.log_path} (tail) ---\n{srv.log_tail()}", flush=True)
        finally:
            if srv is not None:
                srv.stop()

    def run_search(self, name: str, base: str, db: str, srv: Proc) -> None:
        exp = self.post(base, "experiments/create", {"name": "search"})["experiment_id"]
        t0 = time.perf_counter()
        pg_exec(self.args.pg, db, SEED_SQL, {"exp": int(exp), "n": SEARCH_RUNS})
        print(f"   seeded {SEARCH_RUNS} runs in {time.perf_counter() - t0:.1f} s", flush=True)
        req = {"experiment_ids": [exp], "filter": SEARCH_FILTER, "order_by": SEARCH_ORDER,
               "max_results": 100}
        got = self.post(base, "runs/search", req)
        n = len(got.get("runs", []))
        if n != 100:
            self.failures.append(f"{name}: runs/search returned {n} runs, expected 100")
        res, _ = self.measure(name, base, "runs/search", lua_static(json.dumps(req)), 8,
                              "search c8", srv, db)
        for key, val in (("runs/search p50, 8 conns", res.p50_ms),
                         ("runs/search p99, 8 conns", res.p99_ms)):
            r = self.row(key, "ms", False)
            r.values[name] = val
            r.errors[name] = res.errors
        r = self.row("runs/search, 8 conns", "req/s")
        r.values[name] = res.rps
        r.errors[name] = res.errors

    # ---- PostgreSQL ceiling
    def run_pgbench(self) -> None:
        """pgbench on a fresh database with MLflow's schema (taken from the mlflowd database when
        it is still there, else created by a short mlflowd/Python start)."""
        db = "mlflowd_bench_pgbench"
        fresh_db(self.args.pg, db)
        # Copy the schema only: pg_dump -s of one of the benchmark databases.
        src = "mlflowd_bench_mlflowd" if not self.args.skip_mlflowd else "mlflowd_bench_python"
        dump = subprocess.run(["pg_dump", "-s", "-d", pg_uri(self.args.pg, src)],
                              capture_output=True, text=True, check=True).stdout
        subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "-d", pg_uri(self.args.pg, db)],
                       input=dump, capture_output=True, text=True, check=True)
        pg_exec(self.args.pg, db, """
            INSERT INTO experiments (experiment_id, name, lifecycle_stage)
            VALUES (9999, 'pgbench', 'active') ON CONFLICT DO NOTHING;
            INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id,
                              status, start_time, source_version, lifecycle_stage, artifact_uri,
                              experiment_id)
            SELECT 'pgbench' || c, 'r', 'LOCAL', '', '', 'bench', 'RUNNING', 0, '', 'active', '',
                   9999 FROM generate_series(0, 63) c;
            CREATE SEQUENCE IF NOT EXISTS pgbench_step;
        """)
        batch = self.work / "pg_batch.sql"
        batch.write_text(
            "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)\n"
            "SELECT 'm' || g, g / 1000.0, 1700000000000 + g, 'pgbench' || (:client_id % 64), s,"
            " false\nFROM (SELECT nextval('pgbench_step') AS s) n, generate_series(0, 999) g;\n")
        single = self.work / "pg_single.sql"
        single.write_text(
            "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)\n"
            "VALUES ('loss', 0.5, 1700000000000, 'pgbench' || (:client_id % 64),"
            " nextval('pgbench_step'), false);\n")
        print("\n== PostgreSQL ceiling (pgbench)", flush=True)
        for conns in (8, 32):
            tps = self.pgbench(db, batch, conns)
            self.row(f"log-batch 1000 metrics, {conns} conns", "metrics/s").ceiling = tps * 1000
            print(f"   1000-row insert c{conns}: {tps:,.0f} tps = {tps * 1000:,.0f} rows/s",
                  flush=True)
        tps = self.pgbench(db, single, 32)
        self.row("log-metric, 32 conns", "req/s").ceiling = tps
        print(f"   single-row insert c32: {tps:,.0f} tps", flush=True)
        if not self.args.keep_db:
            pg_admin(self.args.pg, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

    def pgbench(self, db: str, script: Path, conns: int) -> float:
        threads = min(self.args.wrk_threads, conns)
        cmd = ["pgbench", "-n", "-f", str(script), "-c", str(conns), "-j", str(threads),
               "-T", str(self.args.duration), pg_uri(self.args.pg, db)]
        out = subprocess.run(cmd, capture_output=True, text=True)
        m = re.search(r"tps = ([\d.]+)", out.stdout)
        if out.returncode != 0 or not m:
            raise RuntimeError(f"pgbench failed: {out.stdout}\n{out.stderr}")
        return float(m.group(1))


def environment(args: argparse.Namespace) -> str:
    def first_line(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip() \
                .splitlines()[0]
        except (OSError, IndexError):
            return "?"

    import mlflow

    try:
        with open("/proc/cpuinfo") as f:
            model = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")),
                         "?")
    except OSError:
        model = "?"
    mem = 0.0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) * 1024 / 1e9
    except OSError:
        pass
    load = os.getloadavg()
    pg = pg_exec(args.pg, "postgres", "SHOW server_version")[0][0]
    rev = first_line(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"])
    return "\n".join([
        f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"machine: {os.cpu_count()} CPUs ({model}), {mem:.0f} GB RAM, "
        f"{platform.system()} {platform.release()}; load average before the run "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        f"mlflowd: {args.mlflowd_bin} at commit {rev}",
        f"python server: mlflow {mlflow.__version__} (uvicorn, --workers {args.python_workers}), "
        f"Python {platform.python_version()}",
        f"PostgreSQL {pg}; load: {first_line(['wrk', '--version'])} "
        f"(-t {args.wrk_threads}), on the same machine; {first_line(['pgbench', '--version'])}",
        f"each figure: {args.warmup} s warm-up, then {args.duration} s measured",
    ])


def main() -> int:
    args = parse_args(sys.argv[1:])
    ensure_venv_interpreter(args.venv)
    args.venv = args.venv.resolve()
    if not shutil.which("wrk"):
        print("error: wrk not found. Install it with `apt-get install -y wrk` (Debian/Ubuntu).",
              file=sys.stderr)
        return 2
    if not args.skip_pgbench and not shutil.which("pgbench"):
        print("error: pgbench not found (it comes with PostgreSQL: postgresql-client or "
              "postgresql-contrib); or pass --skip-pgbench", file=sys.stderr)
        return 2
    if not args.skip_mlflowd and not args.mlflowd_bin.exists():
        print(f"error: mlflowd binary not found at {args.mlflowd_bin} "
              "(cargo build --release --locked, or --mlflowd-bin PATH, or --skip-mlflowd)",
              file=sys.stderr)
        return 2
    args.mlflowd_bin = args.mlflowd_bin.resolve()
    if not args.skip_python and not (args.venv / "bin" / "mlflow").exists():
        print(f"error: {args.venv / 'bin' / 'mlflow'} not found", file=sys.stderr)
        return 2
    try:
        pg_exec(args.pg, "postgres", "SELECT 1")
    except Exception as e:  # noqa: BLE001
        print(f"error: cannot connect to PostgreSQL at {args.pg}: {e}", file=sys.stderr)
        return 2

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    env_text = environment(args)
    print(env_text, flush=True)
    work = Path(tempfile.mkdtemp(prefix="mlflowd-bench-tracking-"))
    servers: list[str] = []
    bench = Bench(args, work)
    try:
        if not args.skip_mlflowd:
            servers.append("mlflowd")
            bench.run_server("mlflowd", "mlflowd")
        if not args.skip_python:
            servers.append("python 3.17.2")
            bench.run_server("python 3.17.2", "python")
        if not args.skip_pgbench:
            try:
                bench.run_pgbench()
            except Exception as e:  # noqa: BLE001 -- the ceiling is optional
                print(f"   pgbench ERROR {e}", flush=True)
    except KeyboardInterrupt as e:
        print(f"\ninterrupted ({e}); cleaning up", file=sys.stderr)
        return 130
    finally:
        stop_all()
        if not args.keep_db:
            for impl in ("mlflowd", "python"):
                try:
                    pg_admin(args.pg, f'DROP DATABASE IF EXISTS "mlflowd_bench_{impl}" WITH (FORCE)')
                except Exception:  # noqa: BLE001
                    pass
        if args.keep_tmp:
            print(f"kept scratch dir {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    print("\n" + env_text)
    print("ratio = mlflowd / python (for req/s and metrics/s higher is better for mlflowd; for "
          "ms, s and MB lower is). RSS of the Python server = sum over its process tree.\n")
    print(render_table(list(bench.rows.values()), servers))
    for f in bench.failures:
        print(f"FAILURE: {f}")
    return 1 if any(f.startswith("mlflowd") for f in bench.failures) else 0


if __name__ == "__main__":
    sys.exit(main())
