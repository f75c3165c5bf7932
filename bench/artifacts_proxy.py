#!/usr/bin/env python3
"""Artifact proxy benchmark: a large upload and download through ``/api/2.0/mlflow-artifacts``.

Shows the acceptance point of the artifacts work: a 2 GiB upload and download through mlflowd's
artifact proxy (``--artifacts-destination s3://...``) keeps the server's RSS under 100 MB.  For
comparison it runs the same transfer through the Python ``mlflow server`` 3.17.2, and a direct
``boto3`` upload/download to the same S3 server (moto's standalone server) as the baseline.

For every server, one after the other (only one server runs at a time):

* start it on a free loopback port (own SQLite database), warm it up, sample its idle RSS;
* ``PUT`` the generated file with ``requests.put(url, data=fileobj)`` (streamed, Content-Length);
* ``GET`` it back with ``requests.get(stream=True)`` into a file, compare sha256;
* sample the server's RSS every 50 ms during each phase (for the Python server: the sum over the
  whole process tree -- the ``mlflow`` CLI process plus its uvicorn worker), read VmHWM at the end;
* delete the objects from the bucket, stop the server.

Units: MB = 10^6 bytes for both RSS and throughput (so "100 MB" is the stricter reading of the
limit, 95.4 MiB).  ``--size`` suffixes K/M/G are binary (KiB/MiB/GiB).

Exit status: 0 when mlflowd's peak RSS (sampled and VmHWM) stays under ``--rss-limit-mb`` and every
transfer that ran round-tripped byte-exactly (sha256); 1 otherwise (a failing *Python* server is
reported but does not fail the run); 2 on setup errors.

The script re-executes itself with the venv's interpreter (``--venv``, ``$MLFLOWD_BENCH_VENV`` or
``<repo>/.venv``), which must hold mlflow==3.17.2, moto[server]==5.2.5, boto3 and requests
(``tests/requirements.txt``; ``bash tests/run.sh`` creates it).
"""

from __future__ import annotations

import argparse
import hashlib
import os
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
BUCKET = "mlflowd-bench"
ARTIFACT_PATH = "bench/blob.bin"


# --------------------------------------------------------------------------------------------
# Command line, venv
# --------------------------------------------------------------------------------------------


def parse_size(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*", text, re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {text!r} (e.g. 2G, 200M, 1048576)")
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    size = int(float(m.group(1)) * mult)
    if size <= 0:
        raise argparse.ArgumentTypeError("size must be positive")
    return size


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Upload/download a large file through the mlflow-artifacts proxy of mlflowd "
        "and of the Python mlflow server (S3 destination on moto), next to a direct boto3 "
        "transfer; report throughput and server RSS.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--size", type=parse_size, default=parse_size("2G"),
                   help="file size; K/M/G suffixes are binary (2G = 2 GiB)")
    p.add_argument("--venv", type=Path,
                   default=Path(os.environ.get("MLFLOWD_BENCH_VENV", REPO_ROOT / ".venv")),
                   help="venv with mlflow==3.17.2, moto[server], boto3, requests "
                   "(env MLFLOWD_BENCH_VENV)")
    p.add_argument("--mlflowd-bin", type=Path,
                   default=Path(os.environ.get("MLFLOWD_BIN",
                                               REPO_ROOT / "target" / "release" / "mlflowd")),
                   help="mlflowd binary (env MLFLOWD_BIN)")
    p.add_argument("--skip-mlflowd", action="store_true", help="do not run mlflowd")
    p.add_argument("--skip-python", action="store_true",
                   help="do not run the Python mlflow server")
    p.add_argument("--skip-direct", action="store_true", help="do not run the direct boto3 baseline")
    p.add_argument("--rss-limit-mb", type=float, default=100.0,
                   help="mlflowd's peak RSS must stay below this (MB = 10^6 bytes)")
    p.add_argument("--tmpdir", type=Path, default=None,
                   help="parent of the scratch directory, None = $TMPDIR (needs ~4x --size free on disk)")
    p.add_argument("--keep-tmp", action="store_true",
                   help="keep the scratch directory (server logs) instead of deleting it")
    p.add_argument("--sample-interval", type=float, default=0.05, help="RSS sampling period, s")
    p.add_argument("--timeout", type=float, default=3600.0, help="per-transfer read timeout, s")
    return p.parse_args(argv)


def ensure_venv_interpreter(venv: Path) -> None:
    """Re-exec under the venv's python unless we already run in it."""
    py = venv / "bin" / "python"
    if not py.exists():
        print(
            f"error: no venv at {venv} (expected {py}).\n"
            "       `bash tests/run.sh` creates <repo>/.venv from tests/requirements.txt, or:\n"
            "       python3 -m venv .venv && .venv/bin/pip install -r tests/requirements.txt\n"
            "       (or point --venv / MLFLOWD_BENCH_VENV at a venv with mlflow==3.17.2, "
            "moto[server]==5.2.5, boto3, requests)",
            file=sys.stderr,
        )
        sys.exit(2)
    if Path(sys.prefix).resolve() != venv.resolve():
        if os.environ.get("_MLFLOWD_BENCH_REEXEC"):
            sys.exit(f"error: re-exec with {py} did not land in the venv (sys.prefix={sys.prefix})")
        os.environ["_MLFLOWD_BENCH_REEXEC"] = "1"
        os.execv(str(py), [str(py), str(Path(__file__).resolve()), *sys.argv[1:]])


# --------------------------------------------------------------------------------------------
# /proc sampling
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


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            parts = f.read().split(b"\0")
        return " ".join(p.decode(errors="replace") for p in parts if p)
    except (FileNotFoundError, ProcessLookupError):
        return "?"


def tree_rss_kb(pid: int, tree: bool) -> dict[int, int]:
    pids = proc_tree(pid) if tree else [pid]
    return {p: _status_kb(p, "VmRSS") for p in pids}


def tree_hwm_kb(pid: int, tree: bool) -> dict[int, int]:
    pids = proc_tree(pid) if tree else [pid]
    return {p: _status_kb(p, "VmHWM") for p in pids}


class RssSampler:
    """Samples the (tree-summed) VmRSS of a process every ``interval`` seconds in a thread."""

    def __init__(self, pid: int, tree: bool, interval: float):
        self.pid, self.tree, self.interval = pid, tree, interval
        self.peak_kb = 0
        self.per_pid_peak_kb: dict[int, int] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        rss = tree_rss_kb(self.pid, self.tree)
        self.samples += 1
        self.peak_kb = max(self.peak_kb, sum(rss.values()))
        for p, kb in rss.items():
            self.per_pid_peak_kb[p] = max(self.per_pid_peak_kb.get(p, 0), kb)

    def _run(self) -> None:
        while True:
            self._sample()
            if self._stop.wait(self.interval):
                break
        self._sample()

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb * 1024 / MB


def kb_to_mb(kb: int) -> float:
    return kb * 1024 / MB


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

    def wait_ready(self, probe, timeout: float = 120.0) -> None:
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
            time.sleep(0.2)
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
            self.proc.wait(timeout=10)
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
# Data
# --------------------------------------------------------------------------------------------


def generate_file(path: Path, size: int) -> str:
    """Incompressible content: fresh os.urandom blocks. Returns the sha256 hex digest."""
    h = hashlib.sha256()
    block = 4 << 20
    left = size
    with open(path, "wb") as f:
        while left:
            chunk = os.urandom(min(block, left))
            f.write(chunk)
            h.update(chunk)
            left -= len(chunk)
    return h.hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4 << 20):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    idle_mb: float | None = None
    up_peak_mb: float | None = None
    down_peak_mb: float | None = None
    hwm_mb: float | None = None
    up_s: float | None = None
    down_s: float | None = None
    size: int = 0
    sha_ok: bool | None = None
    moto_peak_mb: float | None = None
    up_status: int | None = None  # HTTP status of a failed proxied upload
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    def up_mbps(self) -> float | None:
        return self.size / MB / self.up_s if self.up_s else None

    def down_mbps(self) -> float | None:
        return self.size / MB / self.down_s if self.down_s else None


def fmt(v, spec: str = ".1f") -> str:
    return "-" if v is None else format(v, spec)


def print_table(results: list[Result]) -> str:
    head = ["server", "idle RSS MB", "peak RSS up MB", "peak RSS down MB", "VmHWM MB",
            "up s", "up MB/s", "down s", "down MB/s", "sha256 ok", "moto peak MB"]
    rows = []
    for r in results:
        rows.append([
            r.name, fmt(r.idle_mb), fmt(r.up_peak_mb), fmt(r.down_peak_mb), fmt(r.hwm_mb),
            fmt(r.up_s), f"FAIL ({r.up_status})" if r.up_status else fmt(r.up_mbps()), fmt(r.down_s), fmt(r.down_mbps()),
            "-" if r.sha_ok is None else ("yes" if r.sha_ok else "NO"), fmt(r.moto_peak_mb, ".0f"),
        ])
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Benchmark
# --------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path):
        import boto3
        import requests
        from botocore.config import Config

        self.args = args
        self.work = work
        self.requests = requests
        self.venv_bin = args.venv / "bin"
        self.s3_port = free_port()
        self.s3_url = f"http://127.0.0.1:{self.s3_port}"
        self.aws_env = {
            "MLFLOW_S3_ENDPOINT_URL": self.s3_url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        self.s3 = boto3.client(
            "s3", endpoint_url=self.s3_url, aws_access_key_id="testing",
            aws_secret_access_key="testing", region_name="us-east-1",
            config=Config(retries={"max_attempts": 1}, read_timeout=args.timeout),
        )
        self.src = work / "blob.bin"
        self.dst = work / "blob.down"
        self.src_sha = ""
        self.moto: Proc | None = None

    # ---- environment shared by every child process
    def base_env(self) -> dict:
        env = dict(os.environ)
        env.pop("_MLFLOWD_BENCH_REEXEC", None)
        env.pop("MLFLOW_TRACKING_URI", None)
        env.update(self.aws_env)
        # Spill files (moto's spooled objects, the Python server's temp copies) land in the
        # scratch directory and are deleted with it.
        tmp = self.work / "tmp"
        tmp.mkdir(exist_ok=True)
        env["TMPDIR"] = str(tmp)
        env["PATH"] = f"{self.venv_bin}{os.pathsep}{env.get('PATH', '')}"
        return env

    def start_moto(self) -> None:
        cmd = [str(self.venv_bin / "moto_server"), "-H", "127.0.0.1", "-p", str(self.s3_port)]
        self.moto = Proc("moto", cmd, self.base_env(), self.work, self.work / "moto.log").start()
        self.moto.wait_ready(lambda: self.s3.list_buckets() is not None, timeout=60)
        self.s3.create_bucket(Bucket=BUCKET)

    def empty_bucket(self) -> None:
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=BUCKET):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:
                self.s3.delete_objects(Bucket=BUCKET, Delete={"Objects": keys, "Quiet": True})
        ups = self.s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
        for u in ups:
            self.s3.abort_multipart_upload(Bucket=BUCKET, Key=u["Key"], UploadId=u["UploadId"])

    def moto_sampler(self) -> RssSampler:
        return RssSampler(self.moto.pid, tree=True, interval=0.2)

    # ---- one proxy server
    def run_server(self, name: str, impl: str) -> Result:
        res = Result(name, size=self.args.size)
        port = free_port()
        sdir = self.work / re.sub(r"[^A-Za-z0-9.-]+", "-", name)
        sdir.mkdir()
        db = f"sqlite:///{sdir / 'm.db'}"
        env = self.base_env()
        if impl == "mlflowd":
            dest = f"s3://{BUCKET}/proxied"
            cmd = [str(self.args.mlflowd_bin), "server", "--host", "127.0.0.1", "--port", str(port),
                   "--backend-store-uri", db, "--artifacts-destination", dest]
            env.setdefault("RUST_LOG", "info")
            tree = False
        else:
            dest = f"s3://{BUCKET}/python"
            cmd = [str(self.venv_bin / "mlflow"), "server", "--host", "127.0.0.1", "--port",
                   str(port), "--backend-store-uri", db, "--artifacts-destination", dest,
                   "--workers", "1"]
            env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
            env["MLFLOW_DISABLE_TELEMETRY"] = "true"
            env["DO_NOT_TRACK"] = "true"
            tree = True
        base = f"http://127.0.0.1:{port}"
        url = f"{base}/api/2.0/mlflow-artifacts/artifacts/{ARTIFACT_PATH}"
        sess = self.requests.Session()
        srv = Proc(name, cmd, env, sdir, sdir / "server.log").start()
        print(f"\n== {name}: {' '.join(cmd)}", flush=True)
        try:
            srv.wait_ready(lambda: sess.get(base + "/health", timeout=2).status_code == 200)
            # Warm-up: a listing goes through the artifact store (S3 client set-up included).
            r = sess.get(f"{base}/api/2.0/mlflow-artifacts/artifacts", params={"path": "bench"},
                         timeout=60)
            if r.status_code != 200:
                res.notes.append(f"warm-up listing -> {r.status_code} {r.text[:200]}")
            time.sleep(1.0)
            idle = tree_rss_kb(srv.pid, tree)
            res.idle_mb = kb_to_mb(sum(idle.values()))
            print(f"   idle RSS {res.idle_mb:.1f} MB", flush=True)
            if tree:
                for p, kb in idle.items():
                    print(f"     pid {p:>7} {kb_to_mb(kb):7.1f} MB  {cmdline(p)[:100]}")

            # -- upload
            with RssSampler(srv.pid, tree, self.args.sample_interval) as up, \
                    self.moto_sampler() as mup:
                t0 = time.perf_counter()
                with open(self.src, "rb") as f:
                    r = sess.put(url, data=f, timeout=(10, self.args.timeout))
                res.up_s = time.perf_counter() - t0
            res.up_peak_mb = up.peak_mb
            res.moto_peak_mb = mup.peak_mb
            print(f"   upload   {res.up_s:7.1f} s  {res.up_mbps():7.1f} MB/s  "
                  f"peak RSS {res.up_peak_mb:.1f} MB  ({up.samples} samples)  -> HTTP "
                  f"{r.status_code}", flush=True)
            if tree:
                self._print_per_pid(up)
            if r.status_code != 200:
                # Record the failure, then still measure the download: put the object where the
                # proxied upload should have written it, straight to S3 with boto3.
                res.up_status = r.status_code
                res.error = f"upload -> HTTP {r.status_code}: {r.text[:500]}"
                print(f"   ERROR {res.error}\n--- {srv.log_path} (tail) ---\n{srv.log_tail()}",
                      flush=True)
                self.empty_bucket()
                prefix = dest.split("/", 3)[3]  # s3://bucket/<prefix>
                self.s3.upload_file(str(self.src), BUCKET, f"{prefix}/{ARTIFACT_PATH}")
                res.notes.append("the proxied upload failed; the download was measured on an "
                                 "object written directly with boto3")
                print("   seeded the object with boto3 to measure the download anyway", flush=True)

            # -- download
            with RssSampler(srv.pid, tree, self.args.sample_interval) as down, \
                    self.moto_sampler() as mdown:
                t0 = time.perf_counter()
                n = 0
                with sess.get(url, stream=True, timeout=(10, self.args.timeout)) as r:
                    if r.status_code != 200:
                        raise RuntimeError(f"download -> HTTP {r.status_code}: {r.text[:500]}")
                    with open(self.dst, "wb") as f:
                        for chunk in r.iter_content(chunk_size=1 << 20):
                            f.write(chunk)
                            n += len(chunk)
                res.down_s = time.perf_counter() - t0
            res.down_peak_mb = down.peak_mb
            res.moto_peak_mb = max(res.moto_peak_mb, mdown.peak_mb)
            print(f"   download {res.down_s:7.1f} s  {res.down_mbps():7.1f} MB/s  "
                  f"peak RSS {res.down_peak_mb:.1f} MB  ({down.samples} samples)", flush=True)
            if tree:
                self._print_per_pid(down)
            hwm = tree_hwm_kb(srv.pid, tree)
            res.hwm_mb = kb_to_mb(sum(hwm.values()))
            if tree:
                res.notes.append("VmHWM is the sum of per-process high-water marks (upper bound)")
            res.sha_ok = n == self.args.size and sha256_file(self.dst) == self.src_sha
            print(f"   VmHWM {res.hwm_mb:.1f} MB; received {n} bytes; sha256 "
                  f"{'ok' if res.sha_ok else 'MISMATCH'}", flush=True)
        except Exception as e:  # noqa: BLE001 -- record, report, continue with the next server
            err = f"{type(e).__name__}: {e}"
            res.error = f"{res.error}; {err}" if res.error else err
            print(f"   ERROR {res.error}\n--- {srv.log_path} (tail) ---\n{srv.log_tail()}",
                  flush=True)
        finally:
            srv.stop()
            self.dst.unlink(missing_ok=True)
            self.empty_bucket()
        return res

    @staticmethod
    def _print_per_pid(s: RssSampler) -> None:
        for p, kb in sorted(s.per_pid_peak_kb.items()):
            print(f"     pid {p:>7} peak {kb_to_mb(kb):7.1f} MB  {cmdline(p)[:100]}")

    # ---- direct boto3 baseline
    def run_direct(self) -> list[Result]:
        from boto3.s3.transfer import TransferConfig

        res = Result("boto3 direct (baseline)", size=self.args.size)
        single = Result("boto3 direct, single GET", size=self.args.size)
        key = "direct/blob.bin"
        print("\n== boto3 direct: upload_file / download_file, default TransferConfig", flush=True)
        cfg = TransferConfig()
        try:
            with self.moto_sampler() as mup:
                t0 = time.perf_counter()
                self.s3.upload_file(str(self.src), BUCKET, key, Config=cfg)
                res.up_s = time.perf_counter() - t0
            print(f"   upload   {res.up_s:7.1f} s  {res.up_mbps():7.1f} MB/s", flush=True)
            with self.moto_sampler() as mdown:
                t0 = time.perf_counter()
                self.s3.download_file(BUCKET, key, str(self.dst), Config=cfg)
                res.down_s = time.perf_counter() - t0
            print(f"   download {res.down_s:7.1f} s  {res.down_mbps():7.1f} MB/s", flush=True)
            res.moto_peak_mb = max(mup.peak_mb, mdown.peak_mb)
            res.sha_ok = (self.dst.stat().st_size == self.args.size
                          and sha256_file(self.dst) == self.src_sha)
            print(f"   sha256 {'ok' if res.sha_ok else 'MISMATCH'}", flush=True)
            self.dst.unlink(missing_ok=True)

            # download_file splits the object into 8 MiB ranged GETs (10 threads), and moto reads
            # the *whole* object for every ranged GET, so on moto that path is quadratic in the
            # size. A single streamed GetObject is the linear reference for a streaming proxy.
            print("== boto3 direct: one streamed get_object", flush=True)
            with self.moto_sampler() as mget:
                t0 = time.perf_counter()
                body = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"]
                with open(self.dst, "wb") as f:
                    for chunk in body.iter_chunks(chunk_size=1 << 20):
                        f.write(chunk)
                single.down_s = time.perf_counter() - t0
            single.moto_peak_mb = mget.peak_mb
            print(f"   download {single.down_s:7.1f} s  {single.down_mbps():7.1f} MB/s", flush=True)
            single.sha_ok = (self.dst.stat().st_size == self.args.size
                             and sha256_file(self.dst) == self.src_sha)
            print(f"   sha256 {'ok' if single.sha_ok else 'MISMATCH'}", flush=True)
        except Exception as e:  # noqa: BLE001
            err = f"{type(e).__name__}: {e}"
            if res.sha_ok is None:
                res.error = err
            single.error = err
            print(f"   ERROR {err}", flush=True)
        finally:
            self.dst.unlink(missing_ok=True)
            self.empty_bucket()
        return [res, single]


def main() -> int:
    args = parse_args(sys.argv[1:])
    ensure_venv_interpreter(args.venv)
    args.venv = args.venv.resolve()
    if not args.skip_mlflowd and not args.mlflowd_bin.exists():
        print(f"error: mlflowd binary not found at {args.mlflowd_bin} "
              "(cargo build --release, or --mlflowd-bin PATH, or --skip-mlflowd)", file=sys.stderr)
        return 2
    args.mlflowd_bin = args.mlflowd_bin.resolve()
    for tool in (["moto_server"] + ([] if args.skip_python else ["mlflow"])):
        if not (args.venv / "bin" / tool).exists():
            print(f"error: {args.venv / 'bin' / tool} not found", file=sys.stderr)
            return 2

    # SIGTERM/SIGHUP behave like Ctrl-C: unwind through the finally blocks.
    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    work = Path(tempfile.mkdtemp(prefix="mlflowd-bench-", dir=args.tmpdir))
    results: list[Result] = []
    try:
        bench = Bench(args, work)
        print(f"scratch dir {work}; size {args.size} bytes ({args.size / MB:.0f} MB); "
              f"{os.cpu_count()} CPUs", flush=True)
        t0 = time.perf_counter()
        bench.src_sha = generate_file(bench.src, args.size)
        print(f"generated {bench.src.name} in {time.perf_counter() - t0:.1f} s, "
              f"sha256 {bench.src_sha[:16]}...", flush=True)
        bench.start_moto()
        print(f"moto S3 at {bench.s3_url}, bucket {BUCKET}", flush=True)

        if not args.skip_direct:
            results.extend(bench.run_direct())
        if not args.skip_mlflowd:
            results.append(bench.run_server("mlflowd", "mlflowd"))
        if not args.skip_python:
            results.append(bench.run_server("python mlflow 3.17.2", "python"))
    except KeyboardInterrupt as e:
        print(f"\ninterrupted ({e}); cleaning up", file=sys.stderr)
        return 130
    finally:
        stop_all()
        if args.keep_tmp:
            for big in (work / "blob.bin", work / "blob.down"):
                big.unlink(missing_ok=True)
            print(f"kept scratch dir {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\nsize {args.size} bytes ({args.size / MB:.1f} MB, {args.size / (1 << 30):.2f} GiB); "
          "MB = 10^6 bytes; Python server RSS = sum over its process tree\n")
    print(print_table(results))
    for r in results:
        for note in r.notes:
            print(f"note ({r.name}): {note}")
        if r.error:
            print(f"error ({r.name}): {r.error}")

    failed = False
    for r in results:
        is_mlflowd = r.name == "mlflowd"
        if r.name.startswith("python") and (r.error or r.sha_ok is False):
            print(f"WARNING: {r.name} did not complete the round trip (not a failure of mlflowd)")
            continue
        if r.error or r.sha_ok is not True:
            print(f"FAIL: {r.name}: {'error' if r.error else 'sha256 mismatch'}")
            failed = True
        measured = [v for v in (r.up_peak_mb, r.down_peak_mb, r.hwm_mb) if v is not None]
        if is_mlflowd and measured:
            peak = max(measured)
            verdict = "OK" if peak < args.rss_limit_mb else "FAIL"
            print(f"{verdict}: mlflowd peak RSS {peak:.1f} MB ({peak * MB / (1 << 20):.1f} MiB) "
                  f"vs limit {args.rss_limit_mb:.0f} MB")
            failed |= peak >= args.rss_limit_mb
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
