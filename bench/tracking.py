#!/usr/bin/env python3
"""Tracking API benchmark: mlflowd against the Python ``mlflow server`` 3.17.2 on PostgreSQL.

One command measures, for each server in turn (only one server runs at a time), on its own fresh
PostgreSQL database:

* start-up time to a healthy ``/health``, first on an empty database (schema creation included)
  and then again on the migrated database;
* idle RSS, peak RSS under the write load and over every scenario (for the Python server: the
  sum over its process tree, the ``mlflow`` CLI process plus its uvicorn workers);
* the PostgreSQL connections the server holds to its database: idle, and at peak under the
  write load and over every scenario (sampled from ``pg_stat_activity``);
* ``runs/log-batch`` with 1000 metrics per request at 8 and 32 connections (metrics/s);
* ``runs/log-metric`` at 32 connections (requests/s, p50/p99 latency);
* ``runs/create`` at 32 connections (requests/s);
* ``runs/search`` over an experiment of 10,000 runs (20 params, 20 metrics, 10 tags each, seeded
  with SQL, identical in both databases) with a metric filter, a param filter and an order by
  metric, 100 results: p50/p99 and requests/s at 1 connection (unloaded latency) and at 8; and
  the walk through all pages of that search (``next_page_token``), in seconds;
* ``metrics/get-history`` of one 100,000-point metric (p50/p99 of sequential requests, response
  size), and the UI's ``metrics/get-history-bulk-interval`` over 100 runs of 1,000 points each
  (p50/p99 sequential, requests/s at 8 connections); both seeded with SQL;
* a ``--artifact-size`` file (256 MiB) uploaded and downloaded through the artifact proxy
  (``/api/2.0/mlflow-artifacts/artifacts``, S3 destination on a moto server), beside the same
  transfer made directly with boto3 ("% of ceiling"); median MB/s of ``--artifact-repeat``
  round trips;
* the PostgreSQL ceiling with ``pgbench``: a 1000-row ``INSERT ... SELECT generate_series`` into
  ``metrics`` and a single-row insert, shown as "% of ceiling" beside the write figures; and, as
  a second reference, mlflowd's own write statement (run check, history rows and the
  ``latest_metrics`` upsert) run by pgbench alone, with the same generated rows.

``--tune`` applies ``mlflowd db tune`` to every server's database first (both servers alike).

The load comes from ``wrk`` (a separate process) with Lua scripts this program writes; request
bodies are byte-identical for both servers except for the run and experiment ids.  A request
counts as an error unless the answer is 2xx (wrk's "Non-2xx" count, plus socket errors).
Sequential figures (``get-history``, the bulk call at 1 connection, the page walk) are timed
here with ``requests``, one request after the other.

The script re-executes itself with the venv's interpreter (``--venv``, ``$MLFLOWD_BENCH_VENV`` or
``<repo>/.venv``), which must hold mlflow==3.17.2, psycopg2, requests, boto3 and
moto[server]==5.2.5 (tests/requirements.txt). It needs ``wrk`` (Debian: ``apt-get install -y
wrk``) and ``pgbench`` (comes with PostgreSQL).

Exit status: 0 when every measurement of mlflowd ran without errors; 1 otherwise; 2 on setup
errors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

# The helpers shared with artifacts_proxy.py; the script's directory is sys.path[0] when it runs
# as `python3 bench/tracking.py`, but not necessarily when it is imported or run otherwise.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    markdown_table,
    ARTIFACT_PATH, BUCKET, MB, REPO_ROOT, MotoS3, Proc, RssSampler, artifact_url, child_env,
    cpu_ticks, default_mlflowd_bin, default_venv, direct_download_file, direct_get_object,
    direct_upload, ensure_venv_interpreter, file_matches, free_port, generate_file,
    install_signal_handlers, parse_size, proxy_download, proxy_upload, python_server_env,
    size_label, stop_all, tree_rss_mb,
)

BATCH_METRICS = 1000
N_RUNS = 64  # runs the write load is spread over
SEARCH_RUNS = 10_000
STEP_BLOCK = 1_000_000_000  # each wrk run logs steps in [k * STEP_BLOCK, (k + 1) * STEP_BLOCK)
HISTORY_POINTS = 100_000  # points of the one metric get-history reads
BULK_RUNS = 100  # MAX_RUNS_GET_METRIC_HISTORY_BULK in mlflow/server/handlers.py
BULK_POINTS = 1_000  # points of the metric in each of those runs
BULK_MAX_RESULTS = 320  # what the UI's charts ask for per run
HISTORY_KEY = "loss"


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Tracking API load (log-batch, log-metric, create, search, metric history) "
        "and artifact transfers against mlflowd and the Python mlflow server on PostgreSQL, "
        "with wrk; prints one comparison table.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--venv", type=Path, default=default_venv(),
                   help="venv with mlflow==3.17.2, psycopg2, requests, boto3, moto[server] "
                   "(env MLFLOWD_BENCH_VENV)")
    p.add_argument("--mlflowd-bin", type=Path, default=default_mlflowd_bin(),
                   help="mlflowd binary (env MLFLOWD_BIN)")
    p.add_argument("--pg", default=os.environ.get("MLFLOWD_BENCH_PG",
                                                  "postgresql://postgres@127.0.0.1:5432"),
                   help="PostgreSQL server URI without database (trust auth or password in it); "
                   "the script creates and drops its own databases (env MLFLOWD_BENCH_PG)")
    p.add_argument("--duration", type=int, default=15, help="seconds per wrk measurement")
    p.add_argument("--warmup", type=int, default=3, help="seconds of warm-up load before each")
    p.add_argument("--seq-requests", type=int, default=10,
                   help="requests per sequential figure (get-history, bulk-interval at 1 conn)")
    p.add_argument("--seq-budget", type=float, default=20.0,
                   help="seconds after which a sequential figure stops early (after at least 3 "
                   "requests): bounds the time the slower server takes")
    p.add_argument("--artifact-size", type=parse_size, default=parse_size("256M"),
                   help="size of the artifact uploaded and downloaded; K/M/G suffixes are binary")
    p.add_argument("--artifact-repeat", type=int, default=3,
                   help="round trips of the artifact per server and directly; rows show the median")
    p.add_argument("--python-workers", type=int, default=2, help="--workers of mlflow server")
    p.add_argument("--wrk-threads", type=int, default=2, help="wrk -t")
    p.add_argument("--skip-mlflowd", action="store_true", help="do not run mlflowd")
    p.add_argument("--skip-python", action="store_true", help="do not run the Python server")
    p.add_argument("--skip-search", action="store_true",
                   help="leave out the 10,000-run search (seeding takes ~20 s per server)")
    p.add_argument("--skip-history", action="store_true",
                   help="leave out metrics/get-history and get-history-bulk-interval")
    p.add_argument("--skip-artifacts", action="store_true",
                   help="leave out the artifact transfers (and moto)")
    p.add_argument("--skip-pgbench", action="store_true", help="leave out the PostgreSQL ceiling")
    p.add_argument("--keep-tmp", action="store_true",
                   help="keep the scratch directory (server logs, Lua scripts)")
    p.add_argument("--keep-db", action="store_true", help="do not drop the databases at the end")
    p.add_argument("--tune", action="store_true",
                   help="apply `mlflowd db tune` to every server's database (the Python "
                        "server's too) before the load")
    args = p.parse_args(argv)
    if args.seq_requests < 1 or args.artifact_repeat < 1:
        p.error("--seq-requests and --artifact-repeat must be at least 1")
    return args


# --------------------------------------------------------------------------------------------
# PostgreSQL
# --------------------------------------------------------------------------------------------

# Our own connections carry this application_name, so that the connection counts leave them out.
BENCH_APP = "mlflowd-bench"


def pg_uri(base: str, db: str) -> str:
    return f"{base.rstrip('/')}/{db}"


def server_uri(base: str, db: str) -> str:
    """The backend store URI both servers get. MLflow 3.17's SQLAlchemy maps a bare
    ``postgresql://`` to psycopg 3, which the venv lacks; mlflowd accepts any ``+driver``."""
    return pg_uri(re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql+psycopg2://", base), db)


def pg_connect(base: str, db: str):
    import psycopg2

    return psycopg2.connect(pg_uri(base, db), application_name=BENCH_APP)


def pg_admin(base: str, sql: str) -> None:
    conn = pg_connect(base, "postgres")
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
    conn = pg_connect(base, db)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall() if cur.description else None
    finally:
        conn.close()


# The server's connections to its database: client backends (not autovacuum and the like),
# minus ours (the sampler's own, and the short ones that count rows or seed data).
CONNS_SQL = ("SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
             "AND backend_type = 'client backend' AND pid <> pg_backend_pid() "
             "AND application_name IS DISTINCT FROM %s")


def pg_conns(base: str, db: str) -> int:
    return pg_exec(base, db, CONNS_SQL, (db, BENCH_APP))[0][0]


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


def search_expected() -> int:
    """How many seeded runs match SEARCH_FILTER, computed from SEED_SQL's formulas: m1 of run i
    is ((i * 7919 + 104729) % 10007) / 10007 and p2 is 'v' || (i * 5 % 10)."""
    return sum(1 for i in range(1, SEARCH_RUNS + 1)
               if ((i * 7919 + 104729) % 10007) / 10007 > 0.3 and (i * 5) % 10 == 5)


# The metric-history data set, in its own experiment: run md5('hist0') holds HISTORY_POINTS
# points of HISTORY_KEY (steps 0..N-1), runs md5('hist1')..md5('hist<BULK_RUNS>') hold
# BULK_POINTS points each; latest_metrics holds each run's last point (what the servers would
# have written). Values are functions of the run and the step: both databases hold the same data.
HISTORY_SQL = """
INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status,
                  start_time, end_time, source_version, lifecycle_stage, artifact_uri,
                  experiment_id)
SELECT md5('hist' || i), 'hist-' || i, 'LOCAL', '', '', 'bench', 'FINISHED',
       1700000000000 + i, 1700000001000 + i, '', 'active', 'mlflow-artifacts:/h' || i, %(exp)s
FROM generate_series(0, %(runs)s) i;
INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)
SELECT %(key)s, ((s * 7919) %% 10007) / 10007.0, 1700000000000 + s, md5('hist0'), s, false
FROM generate_series(0, %(points)s - 1) s;
INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan)
SELECT %(key)s, ((i * 104729 + s * 7919) %% 10007) / 10007.0, 1700000000000 + s,
       md5('hist' || i), s, false
FROM generate_series(1, %(runs)s) i, generate_series(0, %(bulk_points)s - 1) s;
INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid)
SELECT DISTINCT ON (run_uuid) key, value, timestamp, step, is_nan, run_uuid FROM metrics
WHERE run_uuid IN (SELECT md5('hist' || i) FROM generate_series(0, %(runs)s) i)
ORDER BY run_uuid, step DESC;
ANALYZE runs, metrics, latest_metrics;
"""


def md5_hex(text: str) -> str:
    """The run ids the seed SQL gives (PostgreSQL's md5() of the same text)."""
    return hashlib.md5(text.encode()).hexdigest()


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
local bench_method = "POST"  -- a GET script sets this after this block

function setup(thread)
  thread:set("bench_tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

function init(args)
  tid = tonumber(bench_tid) or 0
  nthreads = tonumber(args[1]) or 1
  offset = tonumber(args[2]) or 0
  wrk.method = bench_method
  if bench_method == "POST" then
    wrk.headers["Content-Type"] = "application/json"
  end
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


def lua_get(path: str) -> str:
    """A GET of one fixed path (query string included), without a Content-Type."""
    return WRK_COMMON + (
        'bench_method = "GET"\n'
        f"local path = {lua_str(path)}\n"
        "function request()\n"
        '  return wrk.format("GET", path)\n'
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


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile: with fewer than 100 samples, p99 is the slowest one."""
    s = sorted(samples)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


# --------------------------------------------------------------------------------------------
# Sampling the server
# --------------------------------------------------------------------------------------------


class LoadSampler(RssSampler):
    """Every ``interval`` seconds: the tree-summed RSS of the server (as RssSampler) and the
    number of connections it holds to its database (CONNS_SQL, on the sampler's own connection,
    which the count leaves out)."""

    def __init__(self, pid: int, pg: str, db: str, interval: float = 0.1):
        super().__init__(pid, tree=True, interval=interval)
        self.db = db
        self.peak_conns = 0
        self.conn_errors = 0
        self._conn = pg_connect(pg, db)
        self._conn.autocommit = True  # every query a new snapshot of pg_stat_activity

    def _sample(self) -> None:
        super()._sample()
        try:
            with self._conn.cursor() as cur:
                cur.execute(CONNS_SQL, (self.db, BENCH_APP))
                self.peak_conns = max(self.peak_conns, cur.fetchone()[0])
        except Exception:  # noqa: BLE001 -- keep sampling the RSS; the count is a lower bound
            self.conn_errors += 1

    def stop(self) -> None:
        super().stop()
        self._conn.close()


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
    ceiling: float | None = None                 # the reference in the same unit ...
    ceiling_src: str = ""                        # ... and where it comes from
    reference_of: str = ""  # a reference-only row: the row whose ceiling it is compared with


def fmt(v, spec: str = ",.0f") -> str:
    if v is None:
        return "-"
    if isinstance(v, float) and abs(v) < 100 and spec == ",.0f":
        spec = ".1f" if abs(v) >= 10 else ".2f"
    return format(v, spec)


def render_table(rows: list[Row], servers: list[str]) -> str:
    head = ["figure", "unit"]
    short = [s.split()[0] for s in servers]
    for s, sh in zip(servers, short):
        head += [s, "errors" if len(servers) == 1 else f"err {sh}"]
    if len(servers) == 2:
        head.append(f"{short[0]} / {short[1]}")
    head += ["ceiling", "% of ceiling" if len(servers) == 1
             else f"% of ceiling ({' / '.join(short)})"]
    body = []
    for r in rows:
        line = [r.name, r.unit]
        for s in servers:
            line += [fmt(r.values.get(s)), fmt(r.errors.get(s), "d")]
        if len(servers) == 2:
            a, b = (r.values.get(s) for s in servers)
            line.append(f"{a / b:.2f}x" if a is not None and b else "-")
        if r.ceiling and r.reference_of:
            # A second reference (no server figures): its share of the plain ceiling.
            base = next((o.ceiling for o in rows if o.name == r.reference_of), None)
            line.append(f"{fmt(r.ceiling)} {r.ceiling_src}")
            line.append(f"{100 * r.ceiling / base:.0f}% of the insert" if base else "")
        elif r.ceiling:
            line.append(f"{fmt(r.ceiling)} {r.ceiling_src}")
            line.append(" / ".join(f"{100 * r.values[s] / r.ceiling:.0f}%"
                                   if r.values.get(s) is not None else "-" for s in servers))
        else:
            line += ["", ""]
        body.append(line)
    return markdown_table(head, body)


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
        # Per server: what the page walk and the bulk call returned, compared across servers.
        self.walk_ids: dict[str, str] = {}
        self.walk_totals: dict[str, int] = {}
        self.bulk_points: dict[str, int] = {}
        # Artifacts: one moto server for the whole run, the test file, where it downloads to.
        self.s3: MotoS3 | None = None
        self.src = work / "blob.bin"
        self.dst = work / "blob.down"
        self.src_sha = ""
        size = size_label(args.artifact_size)
        self.art_up = f"artifact upload {size}"
        self.art_down = f"artifact download {size}"
        # The table's order, whatever order the figures are measured in.
        self.order = [
            "start-up to healthy, empty DB", "start-up to healthy, migrated DB",
            "RSS idle", "RSS peak under write load", "RSS peak, any scenario",
            "PG connections idle", "PG connections peak under write load",
            "PG connections peak, any scenario",
            "log-batch 1000 metrics, 8 conns",
            "log-batch 1000 metrics, 8 conns: mlflowd's statement alone",
            "log-batch 1000 metrics, 32 conns",
            "log-batch 1000 metrics, 32 conns: mlflowd's statement alone",
            "log-metric, 32 conns", "log-metric, 32 conns: mlflowd's statement alone",
            "log-metric p50, 32 conns", "log-metric p99, 32 conns",
            "runs/create, 32 conns", "runs/create p50, 32 conns",
            "runs/search p50, 1 conn", "runs/search p99, 1 conn", "runs/search, 1 conn",
            "runs/search p50, 8 conns", "runs/search p99, 8 conns", "runs/search, 8 conns",
            "runs/search all pages, 100/page", "runs/search all pages: pages",
            "get-history 100k points p50, 1 conn", "get-history 100k points p99, 1 conn",
            "get-history 100k points, response",
            "bulk-interval 100 runs p50, 1 conn", "bulk-interval 100 runs p99, 1 conn",
            "bulk-interval 100 runs, 8 conns",
            self.art_up, self.art_down,
        ]

    def row(self, key: str, unit: str, higher_better: bool = True) -> Row:
        if key not in self.rows:
            self.rows[key] = Row(key, unit, higher_better)
        return self.rows[key]

    def set_row(self, key: str, unit: str, higher_better: bool, name: str, value,
                errors: int | None = None) -> Row:
        r = self.row(key, unit, higher_better)
        r.values[name] = value
        if errors is not None:
            r.errors[name] = errors
        return r

    def set_latency_rows(self, label: str, name: str, lat: list[float], errors: int) -> None:
        """The p50 and p99 rows of a sequential (1-connection) measurement."""
        for p in (50, 99):
            self.set_row(f"{label} p{p}, 1 conn", "ms", False, name, percentile(lat, p), errors)

    def sorted_rows(self) -> list[Row]:
        rank = {k: i for i, k in enumerate(self.order)}
        return sorted(self.rows.values(), key=lambda r: rank.get(r.name, len(rank)))

    def server_cmd(self, impl: str, port: int, uri: str) -> tuple[list[str], dict]:
        env = child_env(self.venv_bin, self.work, self.s3.env if self.s3 else None)
        if impl == "mlflowd":
            cmd = [str(self.args.mlflowd_bin), "server", "--host", "127.0.0.1", "--port",
                   str(port), "--backend-store-uri", uri]
            env.setdefault("RUST_LOG", "warn")
        else:
            cmd = [str(self.venv_bin / "mlflow"), "server", "--host", "127.0.0.1", "--port",
                   str(port), "--backend-store-uri", uri,
                   "--workers", str(self.args.python_workers)]
            python_server_env(env)
        if self.s3:
            # Each server proxies to its own prefix of the one bucket.
            cmd += ["--artifacts-destination", f"s3://{BUCKET}/{impl}"]
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
        r = self.requests.post(f"{base}/api/2.0/mlflow/{path}", json=body, timeout=300)
        if r.status_code != 200:
            raise RuntimeError(f"POST {path} -> {r.status_code} {r.text[:300]}")
        return r.json()

    def quiet(self, srv: Proc) -> None:
        waited = wait_quiet(srv.pid)
        if waited > 1.5:
            print(f"   (waited {waited:.1f} s for the server to finish earlier requests)",
                  flush=True)

    def measure(self, name: str, base: str, route: str, lua: str, conns: int, tag: str,
                srv: Proc, db: str, count_sql: str | None = None) -> tuple[WrkResult, float]:
        """One wrk run of warm-up + duration seconds. Returns wrk's result and the throughput
        over the measured window (after the warm-up): rows counted by ``count_sql`` in the
        database when given (committed work, whatever wrk saw complete; ``{lo}``/``{hi}`` in it
        become this run's step block), else wrk's requests/s.
        Latencies are wrk's, over the whole run. ``route`` is an RPC path under /api/2.0/mlflow,
        or a path from the root when it starts with "/" (the script may request another)."""
        script = self.work / f"{re.sub(r'[^A-Za-z0-9]+', '-', name)}-{tag}.lua"
        script.write_text(lua)
        url = base + route if route.startswith("/") else f"{base}/api/2.0/mlflow/{route}"
        self.quiet(srv)
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

    def sequential(self, name: str, tag: str, srv: Proc, request) -> tuple[list[float], int]:
        """``request()`` once after the other, up to --seq-requests times, stopping early once
        --seq-budget seconds have passed and 3 requests are done. ``request`` returns whether
        the answer was right; its whole duration counts (the body is read). Returns the
        latencies in ms and the number of wrong answers."""
        self.quiet(srv)
        lat, errors = [], 0
        t_end = time.monotonic() + self.args.seq_budget
        while len(lat) < self.args.seq_requests and (len(lat) < 3 or time.monotonic() < t_end):
            t0 = time.perf_counter()
            try:
                ok = request()
            except Exception as e:  # noqa: BLE001 -- a timeout or a reset is a wrong answer
                print(f"   ({tag}: {type(e).__name__}: {e})", flush=True)
                ok = False
            lat.append((time.perf_counter() - t0) * 1000)
            errors += not ok
        print(f"   {tag:<16} {len(lat)} sequential requests: p50 {percentile(lat, 50):8.1f} ms  "
              f"p99 {percentile(lat, 99):8.1f} ms  errors {errors}", flush=True)
        if errors:
            self.failures.append(f"{name}: {tag}: {errors} errors")
        return lat, errors

    def run_server(self, name: str, impl: str) -> None:
        args = self.args
        db = f"mlflowd_bench_{impl}"
        sdir = self.work / impl
        sdir.mkdir()
        fresh_db(args.pg, db)
        uri = server_uri(args.pg, db)
        print(f"\n== {name} on {uri}", flush=True)
        srv = None
        anyload = None
        try:
            srv, base, t_fresh = self.start(name, impl, sdir, uri)
            self.set_row("start-up to healthy, empty DB", "s", False, name, t_fresh)
            srv.stop()
            if args.tune:
                # Same database settings for both servers: the tuning is PostgreSQL's, not ours.
                subprocess.run([str(args.mlflowd_bin), "db", "tune", pg_uri(args.pg, db)],
                               check=True, capture_output=True, text=True)
                print("   applied `mlflowd db tune`", flush=True)
            srv, base, t_warm = self.start(name, impl, sdir, uri)
            self.set_row("start-up to healthy, migrated DB", "s", False, name, t_warm)
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
            idle_rss, idle_conns = tree_rss_mb(srv.pid), pg_conns(args.pg, db)
            self.set_row("RSS idle", "MB", False, name, idle_rss)
            self.set_row("PG connections idle", "conns", False, name, idle_conns)

            # Runs until the server stops: the peaks over every scenario below.
            anyload = LoadSampler(srv.pid, args.pg, db).start()
            sampler = LoadSampler(srv.pid, args.pg, db).start()
            try:
                # Only the rows of this wrk run (its step block): a request left over from an
                # earlier figure cannot inflate the count.
                count_metrics = "SELECT count(*) FROM metrics WHERE step >= {lo} AND step < {hi}"
                for conns in (8, 32):
                    res, rate = self.measure(name, base, "runs/log-batch", lua_log_batch(run_ids),
                                             conns, f"log-batch c{conns}", srv, db,
                                             count_metrics)
                    self.set_row(f"log-batch 1000 metrics, {conns} conns", "metrics/s", True,
                                 name, rate, res.errors)
                res, rate = self.measure(name, base, "runs/log-metric", lua_log_metric(run_ids),
                                         32, "log-metric c32", srv, db, count_metrics)
                for key, unit, val, hb in (("log-metric, 32 conns", "req/s", rate, True),
                                           ("log-metric p50, 32 conns", "ms", res.p50_ms, False),
                                           ("log-metric p99, 32 conns", "ms", res.p99_ms, False)):
                    self.set_row(key, unit, hb, name, val, res.errors)
                body = json.dumps({"experiment_id": exp, "start_time": 1700000000000,
                                   "tags": [{"key": "bench", "value": "create"}]})
                res, rate = self.measure(name, base, "runs/create", lua_static(body), 32,
                                         "create c32", srv, db, "SELECT count(*) FROM runs")
                self.set_row("runs/create, 32 conns", "req/s", True, name, rate, res.errors)
                self.set_row("runs/create p50, 32 conns", "ms", False, name, res.p50_ms,
                             res.errors)
                wait_quiet(srv.pid)
            finally:
                sampler.stop()
            self.set_row("RSS peak under write load", "MB", False, name, sampler.peak_mb)
            self.set_row("PG connections peak under write load", "conns", False, name,
                         sampler.peak_conns)
            print(f"   RSS idle {idle_rss:.1f} MB, peak under write load {sampler.peak_mb:.1f} MB;"
                  f" PG connections idle {idle_conns}, peak under write load "
                  f"{sampler.peak_conns}", flush=True)

            # The running peak after each scenario tells which one set "any scenario".
            if not args.skip_search:
                self.run_search(name, base, db, srv)
                print(f"   (RSS peak so far {anyload.peak_mb:.1f} MB)", flush=True)
            if not args.skip_history:
                self.run_history(name, base, db, srv)
                print(f"   (RSS peak so far {anyload.peak_mb:.1f} MB)", flush=True)
            if self.s3:
                self.run_artifacts(name, impl, base, srv)
        except Exception as e:  # noqa: BLE001 -- record, report, continue with the next server
            self.failures.append(f"{name}: {type(e).__name__}: {e}")
            print(f"   ERROR {type(e).__name__}: {e}", flush=True)
            if srv is not None:
                print(f"--- {srv.log_path} (tail) ---\n{srv.log_tail()}", flush=True)
        finally:
            if anyload is not None:
                anyload.stop()
                self.set_row("RSS peak, any scenario", "MB", False, name, anyload.peak_mb)
                self.set_row("PG connections peak, any scenario", "conns", False, name,
                             anyload.peak_conns)
                print(f"   RSS peak over every scenario {anyload.peak_mb:.1f} MB; PG "
                      f"connections peak {anyload.peak_conns}", flush=True)
            if srv is not None:
                srv.stop()

    # ---- runs/search
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
        lua = lua_static(json.dumps(req))
        # 1 connection: one request after the other, the latency of an unloaded server.
        for conns in (1, 8):
            label = f"{conns} conn{'s' if conns > 1 else ''}"
            res, _ = self.measure(name, base, "runs/search", lua, conns, f"search c{conns}",
                                  srv, db)
            self.set_row(f"runs/search p50, {label}", "ms", False, name, res.p50_ms, res.errors)
            self.set_row(f"runs/search p99, {label}", "ms", False, name, res.p99_ms, res.errors)
            self.set_row(f"runs/search, {label}", "req/s", True, name, res.rps, res.errors)
        self.walk_pages(name, base, srv, req)

    def walk_pages(self, name: str, base: str, srv: Proc, req: dict) -> None:
        """Follows next_page_token from the first page until there is none, one request after
        the other (as a client listing every matching run does)."""
        self.quiet(srv)
        sess = self.requests.Session()
        ids: list[str] = []
        pages, errors, token = 0, 0, None
        t0 = time.perf_counter()
        while True:
            body = dict(req, page_token=token) if token else req
            r = sess.post(f"{base}/api/2.0/mlflow/runs/search", json=body, timeout=300)
            pages += 1
            if r.status_code != 200:
                errors += 1
                self.failures.append(f"{name}: runs/search page {pages} -> {r.status_code} "
                                     f"{r.text[:200]}")
                break
            d = r.json()
            ids += [run["info"]["run_id"] for run in d.get("runs", [])]
            token = d.get("next_page_token")
            if not token:
                break
        seconds = time.perf_counter() - t0
        expected = search_expected()
        print(f"   search walk      {pages} pages, {len(ids)} runs in {seconds:.2f} s "
              f"({seconds / pages * 1000:.0f} ms/page); expected {expected} runs", flush=True)
        self.set_row("runs/search all pages, 100/page", "s", False, name, seconds, errors)
        self.set_row("runs/search all pages: pages", "pages", False, name, pages, errors)
        if not errors and len(ids) != expected:
            self.failures.append(f"{name}: the page walk found {len(ids)} runs, {expected} match")
        if len(set(ids)) != len(ids):
            self.failures.append(f"{name}: the page walk returned {len(ids) - len(set(ids))} "
                                 "runs twice")
        self.walk_totals[name] = len(ids)
        self.walk_ids[name] = hashlib.sha256(" ".join(ids).encode()).hexdigest()

    # ---- metric history
    def run_history(self, name: str, base: str, db: str, srv: Proc) -> None:
        exp = self.post(base, "experiments/create", {"name": "history"})["experiment_id"]
        t0 = time.perf_counter()
        pg_exec(self.args.pg, db, HISTORY_SQL,
                {"exp": int(exp), "runs": BULK_RUNS, "points": HISTORY_POINTS,
                 "bulk_points": BULK_POINTS, "key": HISTORY_KEY})
        print(f"   seeded {HISTORY_POINTS} points in one run and {BULK_POINTS} in each of "
              f"{BULK_RUNS} runs in {time.perf_counter() - t0:.1f} s", flush=True)
        sess = self.requests.Session()

        # get-history: the whole 100k-point history in one answer (no max_results: the
        # documented unpaginated call). The timing covers reading the whole body; the first
        # answer is parsed (outside the timing) to check it.
        url = f"{base}/api/2.0/mlflow/metrics/get-history"
        params = {"run_id": md5_hex("hist0"), "metric_key": HISTORY_KEY}
        first: dict = {}

        def get_history() -> bool:
            r = sess.get(url, params=params, timeout=600)
            if r.status_code == 200 and not first:
                first["size"] = len(r.content)
                first["points"] = len(r.json().get("metrics", []))
            return r.status_code == 200

        lat, errors = self.sequential(name, "get-history", srv, get_history)
        self.set_latency_rows("get-history 100k points", name, lat, errors)
        if first:
            self.set_row("get-history 100k points, response", "MB", False, name,
                         first["size"] / MB)
            print(f"   get-history      {first['points']} points, {first['size'] / MB:.2f} MB",
                  flush=True)
            if first["points"] != HISTORY_POINTS:
                self.failures.append(f"{name}: get-history returned {first['points']} points, "
                                     f"expected {HISTORY_POINTS}")

        # get-history-bulk-interval: what the UI's run charts ask for, on the UI's path.
        query = urllib.parse.urlencode(
            [("run_ids", md5_hex(f"hist{i}")) for i in range(1, BULK_RUNS + 1)]
            + [("metric_key", HISTORY_KEY), ("max_results", BULK_MAX_RESULTS)])
        path = f"/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?{query}"
        bulk: dict = {}

        def get_bulk() -> bool:
            r = sess.get(base + path, timeout=600)
            if r.status_code == 200 and not bulk:
                bulk["points"] = len(r.json().get("metrics", []))
                bulk["size"] = len(r.content)
            return r.status_code == 200

        lat, errors = self.sequential(name, "bulk-interval", srv, get_bulk)
        self.set_latency_rows("bulk-interval 100 runs", name, lat, errors)
        if bulk:
            self.bulk_points[name] = bulk["points"]
            print(f"   bulk-interval    {bulk['points']} points, {bulk['size'] / MB:.2f} MB",
                  flush=True)
        res, _ = self.measure(name, base, path, lua_get(path), 8, "bulk-interval c8", srv, db)
        self.set_row("bulk-interval 100 runs, 8 conns", "req/s", True, name, res.rps, res.errors)

    # ---- artifacts through the proxy
    def run_artifacts(self, name: str, impl: str, base: str, srv: Proc) -> None:
        """--artifact-repeat round trips through the proxy; each row is the median MB/s."""
        size, timeout = self.args.artifact_size, 600.0
        sess = self.requests.Session()
        url = artifact_url(base)
        self.quiet(srv)
        # Warm-up: a listing goes through the artifact store (S3 client set-up included).
        r = sess.get(f"{base}/api/2.0/mlflow-artifacts/artifacts", params={"path": "bench"},
                     timeout=60)
        if r.status_code != 200:
            print(f"   (warm-up listing -> {r.status_code} {r.text[:200]})", flush=True)
        ups, downs, up_errs, down_errs = [], [], 0, 0
        try:
            for _ in range(self.args.artifact_repeat):
                up_s, r = proxy_upload(sess, url, self.src, timeout)
                print(f"   artifact upload  {up_s:7.2f} s  {size / MB / up_s:7.1f} MB/s  -> HTTP "
                      f"{r.status_code}", flush=True)
                if r.status_code == 200:
                    ups.append(size / MB / up_s)
                else:
                    # Still measure the download: put the object where the upload should have
                    # written it, straight to S3 with boto3.
                    up_errs += 1
                    self.failures.append(f"{name}: artifact upload -> HTTP {r.status_code}: "
                                         f"{r.text[:300]}")
                    self.s3.client.upload_file(str(self.src), BUCKET, f"{impl}/{ARTIFACT_PATH}")
                down_s, n = proxy_download(sess, url, self.dst, timeout)
                ok = n == size and file_matches(self.dst, size, self.src_sha)
                downs.append(size / MB / down_s)
                print(f"   artifact download {down_s:6.2f} s  {size / MB / down_s:7.1f} MB/s  "
                      f"sha256 {'ok' if ok else 'MISMATCH'}", flush=True)
                if not ok:
                    down_errs += 1
                    self.failures.append(f"{name}: artifact download: {n} bytes, sha256 mismatch")
                self.dst.unlink(missing_ok=True)
                self.s3.empty_bucket()
        finally:
            self.dst.unlink(missing_ok=True)
            self.s3.empty_bucket()
            if ups or up_errs:
                self.set_row(self.art_up, "MB/s", True, name,
                             statistics.median(ups) if ups else None, up_errs)
            if downs:
                self.set_row(self.art_down, "MB/s", True, name, statistics.median(downs),
                             down_errs)

    def run_direct_s3(self) -> None:
        """The ceiling of the artifact rows: the same file to and from the same S3 directly with
        boto3, --artifact-repeat times, median MB/s. Upload: upload_file (8 MiB parts on 10
        threads). Download: the faster of download_file (8 MiB ranged GETs on 10 threads) and
        one streamed GetObject; moto reads the whole object for each ranged GET, so on moto the
        single GET is the faster one."""
        size, key = self.args.artifact_size, "direct/blob.bin"
        print(f"\n== direct S3 (boto3 to moto at {self.s3.url}), {size_label(size)}", flush=True)
        rates: dict[str, list[float]] = {"upload_file": [], "download_file": [], "get_object": []}
        try:
            for _ in range(self.args.artifact_repeat):
                up_s = direct_upload(self.s3, self.src, key)
                rates["upload_file"].append(size / MB / up_s)
                print(f"   upload_file      {up_s:7.2f} s  {size / MB / up_s:7.1f} MB/s",
                      flush=True)
                for how, fn in (("download_file", direct_download_file),
                                ("get_object", direct_get_object)):
                    down_s = fn(self.s3, key, self.dst)
                    ok = file_matches(self.dst, size, self.src_sha)
                    self.dst.unlink(missing_ok=True)
                    rates[how].append(size / MB / down_s)
                    print(f"   {how:<16} {down_s:7.2f} s  {size / MB / down_s:7.1f} MB/s  "
                          f"sha256 {'ok' if ok else 'MISMATCH'}", flush=True)
                    if not ok:
                        raise RuntimeError(f"direct S3 {how}: sha256 mismatch")
                self.s3.empty_bucket()
            med = {how: statistics.median(v) for how, v in rates.items()}
            print("   median MB/s: " + ", ".join(f"{how} {v:.1f}" for how, v in med.items()),
                  flush=True)
            r = self.row(self.art_up, "MB/s")
            r.ceiling, r.ceiling_src = med["upload_file"], "boto3 S3"
            r = self.row(self.art_down, "MB/s")
            r.ceiling = max(med["download_file"], med["get_object"])
            r.ceiling_src = "boto3 S3"
        finally:
            self.dst.unlink(missing_ok=True)
            self.s3.empty_bucket()

    def compare_servers(self, servers: list[str]) -> None:
        """What both servers must agree on: the runs the page walk lists (same data, same
        filter and order), and the points of the bulk call."""
        if len(servers) != 2:
            return
        a, b = servers
        if a in self.walk_totals and b in self.walk_totals:
            if self.walk_totals[a] != self.walk_totals[b]:
                self.failures.append(f"{a}: the page walk found {self.walk_totals[a]} runs, "
                                     f"{b} {self.walk_totals[b]}")
            elif self.walk_ids[a] != self.walk_ids[b]:
                self.failures.append(f"{a}: the page walk listed the runs in another order "
                                     f"than {b}")
        if a in self.bulk_points and b in self.bulk_points \
                and self.bulk_points[a] != self.bulk_points[b]:
            print(f"WARNING: bulk-interval returned {self.bulk_points[a]} points from {a}, "
                  f"{self.bulk_points[b]} from {b}")

    # ---- PostgreSQL ceiling
    def run_pgbench(self) -> None:
        """pgbench on a fresh database with MLflow's schema (taken from the mlflowd database when
        it is still there, else from the Python server's)."""
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
        # What mlflowd's own write costs PostgreSQL: the statement of `LOG_METRICS_PG` in
        # src/store/metrics.rs (run check, history rows, latest_metrics upsert in one
        # statement), its rows generated server-side as in the ceiling. The gap between this and
        # the plain insert is the database work MLflow's schema asks for; the gap between it and
        # mlflowd's figure is HTTP, JSON and the server.
        ours = ("WITH u AS ({rows}), "
                "run AS (SELECT run_uuid, name, experiment_id, user_id, status, start_time, "
                "end_time, artifact_uri, lifecycle_stage FROM runs "
                "WHERE run_uuid = 'pgbench' || (:client_id % 64)), "
                "live AS (SELECT 1 FROM run WHERE lifecycle_stage = 'active'), "
                "history AS (INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                "SELECT u.key, u.value, u.timestamp, 'pgbench' || (:client_id % 64), u.step, "
                "u.is_nan FROM u WHERE EXISTS (SELECT 1 FROM live) ON CONFLICT DO NOTHING), "
                "latest AS (INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, "
                "run_uuid) SELECT u.key, u.value, u.timestamp, u.step, u.is_nan, "
                "'pgbench' || (:client_id % 64) FROM u WHERE EXISTS (SELECT 1 FROM live) "
                "ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, "
                "timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan "
                "WHERE (excluded.step, excluded.timestamp, excluded.value) > "
                "(latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)) "
                "SELECT * FROM run;\n")
        ours_batch = self.work / "pg_ours_batch.sql"
        ours_batch.write_text(ours.format(rows=(
            "SELECT ('m' || g)::varchar AS key, (g / 1000.0)::float8 AS value, "
            "1700000000000 + g AS timestamp, s AS step, false AS is_nan "
            "FROM (SELECT nextval('pgbench_step') AS s) n, generate_series(0, 999) g")))
        ours_single = self.work / "pg_ours_single.sql"
        ours_single.write_text(ours.format(rows=(
            "SELECT 'loss'::varchar AS key, 0.5::float8 AS value, 1700000000000 AS timestamp, "
            "nextval('pgbench_step') AS step, false AS is_nan")))
        print("\n== PostgreSQL ceiling (pgbench)", flush=True)
        for conns in (8, 32):
            name = f"log-batch 1000 metrics, {conns} conns"
            tps = self.pgbench(db, batch, conns)
            r = self.row(name, "metrics/s")
            r.ceiling, r.ceiling_src = tps * 1000, "pgbench"
            print(f"   1000-row insert c{conns}: {tps:,.0f} tps = {tps * 1000:,.0f} rows/s",
                  flush=True)
            tps = self.pgbench(db, ours_batch, conns)
            r = self.row(f"{name}: mlflowd's statement alone", "metrics/s")
            r.ceiling, r.ceiling_src, r.reference_of = tps * 1000, "pgbench", name
            print(f"   mlflowd's 1000-metric statement c{conns}: {tps * 1000:,.0f} metrics/s",
                  flush=True)
        tps = self.pgbench(db, single, 32)
        r = self.row("log-metric, 32 conns", "req/s")
        r.ceiling, r.ceiling_src = tps, "pgbench"
        print(f"   single-row insert c32: {tps:,.0f} tps", flush=True)
        tps = self.pgbench(db, ours_single, 32)
        r = self.row("log-metric, 32 conns: mlflowd's statement alone", "req/s")
        r.ceiling, r.ceiling_src, r.reference_of = tps, "pgbench", "log-metric, 32 conns"
        print(f"   mlflowd's log-metric statement c32: {tps:,.0f} tps", flush=True)
        if not self.args.keep_db:
            pg_admin(self.args.pg, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')

    def pgbench(self, db: str, script: Path, conns: int) -> float:
        threads = min(self.args.wrk_threads, conns)
        # Prepared statements, as mlflowd's (sqlx) are: in the simple protocol PostgreSQL also
        # parses every statement, which cost the single-row insert 20-40 % of its rate.
        cmd = ["pgbench", "-n", "-M", "prepared", "-f", str(script), "-c", str(conns),
               "-j", str(threads),
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
    lines = [
        f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"machine: {os.cpu_count()} CPUs ({model}), {mem:.0f} GB RAM, "
        f"{platform.system()} {platform.release()}; load average before the run "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        f"mlflowd: {args.mlflowd_bin} at commit {rev}",
        f"python server: mlflow {mlflow.__version__} (uvicorn, --workers {args.python_workers}), "
        f"Python {platform.python_version()}",
        f"PostgreSQL {pg}; load: {first_line(['wrk', '--version'])} "
        f"(-t {args.wrk_threads}), on the same machine; {first_line(['pgbench', '--version'])}",
        "databases: " + ("tuned with `mlflowd db tune` (fillfactor 50 on latest_metrics)"
                         if args.tune
                         else "MLflow's schema as `db upgrade` creates it, untuned"),
        f"each wrk figure: {args.warmup} s warm-up, then {args.duration} s measured; sequential "
        f"figures: up to {args.seq_requests} requests (at least 3, {args.seq_budget:.0f} s budget)",
    ]
    if not args.skip_artifacts:
        from importlib.metadata import version

        lines.append(f"artifacts: {size_label(args.artifact_size)} file, median of "
                     f"{args.artifact_repeat} round trips; S3 = moto "
                     f"{version('moto')} on the same machine, boto3 {version('boto3')}")
    return "\n".join(lines)


def main() -> int:
    t_begin = time.monotonic()
    args = parse_args(sys.argv[1:])
    ensure_venv_interpreter(args.venv, __file__,
                            "mlflow==3.17.2, psycopg2, requests, boto3, moto[server]==5.2.5")
    args.venv = args.venv.resolve()
    if not shutil.which("wrk"):
        print("error: wrk not found. Install it with `apt-get install -y wrk` (Debian/Ubuntu).",
              file=sys.stderr)
        return 2
    if not args.skip_pgbench and not shutil.which("pgbench"):
        print("error: pgbench not found (it comes with PostgreSQL: postgresql-client or "
              "postgresql-contrib); or pass --skip-pgbench", file=sys.stderr)
        return 2
    if (not args.skip_mlflowd or args.tune) and not args.mlflowd_bin.exists():
        print(f"error: mlflowd binary not found at {args.mlflowd_bin} "
              "(cargo build --release --locked, or --mlflowd-bin PATH, or --skip-mlflowd)",
              file=sys.stderr)
        return 2
    args.mlflowd_bin = args.mlflowd_bin.resolve()
    tools = ([] if args.skip_python else ["mlflow"]) + ([] if args.skip_artifacts
                                                         else ["moto_server"])
    for tool in tools:
        if not (args.venv / "bin" / tool).exists():
            print(f"error: {args.venv / 'bin' / tool} not found", file=sys.stderr)
            return 2
    try:
        pg_exec(args.pg, "postgres", "SELECT 1")
    except Exception as e:  # noqa: BLE001
        print(f"error: cannot connect to PostgreSQL at {args.pg}: {e}", file=sys.stderr)
        return 2

    install_signal_handlers()
    env_text = environment(args)
    print(env_text, flush=True)
    work = Path(tempfile.mkdtemp(prefix="mlflowd-bench-tracking-"))
    servers: list[str] = []
    bench = Bench(args, work)
    try:
        if not args.skip_artifacts:
            # One moto server for the whole run; the direct transfer first, on a fresh moto.
            t0 = time.perf_counter()
            bench.src_sha = generate_file(bench.src, args.artifact_size)
            print(f"generated the {size_label(args.artifact_size)} artifact in "
                  f"{time.perf_counter() - t0:.1f} s", flush=True)
            bench.s3 = MotoS3(bench.venv_bin, work).start()
            try:
                bench.run_direct_s3()
            except Exception as e:  # noqa: BLE001 -- the ceiling is optional
                print(f"   direct S3 ERROR {type(e).__name__}: {e}", flush=True)
        if not args.skip_mlflowd:
            servers.append("mlflowd")
            bench.run_server("mlflowd", "mlflowd")
        if not args.skip_python:
            servers.append("python 3.17.2")
            bench.run_server("python 3.17.2", "python")
        bench.compare_servers(servers)
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
            for big in (bench.src, bench.dst):
                big.unlink(missing_ok=True)
            print(f"kept scratch dir {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    print("\n" + env_text)
    print("ratio = mlflowd / python (for req/s, metrics/s and MB/s higher is better for mlflowd; "
          "for ms, s, MB and conns lower is). RSS of the Python server = sum over its process "
          "tree. MB = 10^6 bytes. Ceiling: pgbench = the bare INSERTs on the same PostgreSQL; "
          "boto3 S3 = the same transfer straight to the same S3 (moto), no proxy.\n")
    print(render_table(bench.sorted_rows(), servers))
    for f in bench.failures:
        print(f"FAILURE: {f}")
    print(f"\ntotal elapsed: {time.monotonic() - t_begin:.0f} s")
    return 1 if any(f.startswith("mlflowd") for f in bench.failures) else 0


if __name__ == "__main__":
    sys.exit(main())
