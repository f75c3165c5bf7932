"""Helpers shared by the benchmark scripts in this directory (``tracking.py``,
``artifacts_proxy.py``): the venv re-exec, /proc sampling, child processes, test files, and the
moto S3 server with the artifact transfers (through a server's proxy, and directly with boto3).

The scripts run as ``python3 bench/<name>.py`` and re-execute themselves under the venv's
interpreter; each puts its own directory first on ``sys.path`` to import this module. Only the
standard library is imported at module level: boto3 and requests are imported where they are
used, so that this module loads before the re-exec as well.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000  # the unit of RSS and throughput in every table


# --------------------------------------------------------------------------------------------
# Command line, venv
# --------------------------------------------------------------------------------------------


def parse_size(text: str) -> int:
    """``2G``, ``200M``, ``1048576``: K/M/G/T suffixes are binary (KiB, MiB, ...)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*", text, re.IGNORECASE)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {text!r} (e.g. 2G, 200M, 1048576)")
    mult = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    size = int(float(m.group(1)) * mult)
    if size <= 0:
        raise argparse.ArgumentTypeError("size must be positive")
    return size


def size_label(size: int) -> str:
    """``268435456`` -> ``256 MiB`` (for row labels)."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift and size % (1 << shift) == 0:
            return f"{size >> shift} {unit}"
    return f"{size / MB:.1f} MB"


def default_venv() -> Path:
    return Path(os.environ.get("MLFLOWD_BENCH_VENV", REPO_ROOT / ".venv"))


def default_mlflowd_bin() -> Path:
    return Path(os.environ.get("MLFLOWD_BIN", REPO_ROOT / "target" / "release" / "mlflowd"))


def ensure_venv_interpreter(venv: Path, script: str, needs: str) -> None:
    """Re-exec ``script`` under the venv's python unless we already run in it. ``needs`` names
    the packages the script uses, for the error message."""
    py = venv / "bin" / "python"
    if not py.exists():
        print(
            f"error: no venv at {venv} (expected {py}).\n"
            "       `bash tests/run.sh` creates <repo>/.venv from tests/requirements.txt, or:\n"
            "       python3 -m venv .venv && .venv/bin/pip install -r tests/requirements.txt\n"
            f"       (or point --venv / MLFLOWD_BENCH_VENV at a venv with {needs})",
            file=sys.stderr,
        )
        sys.exit(2)
    if Path(sys.prefix).resolve() != venv.resolve():
        if os.environ.get("_MLFLOWD_BENCH_REEXEC"):
            sys.exit(f"error: re-exec with {py} did not land in the venv (sys.prefix={sys.prefix})")
        os.environ["_MLFLOWD_BENCH_REEXEC"] = "1"
        os.execv(str(py), [str(py), str(Path(script).resolve()), *sys.argv[1:]])


def child_env(venv_bin: Path, work: Path, extra: dict | None = None) -> dict:
    """The environment of every child process: ours, minus the re-exec marker and a tracking
    URI that would point the clients elsewhere; the venv first on PATH; TMPDIR in the scratch
    directory, so that spill files (moto's spooled objects, the Python server's temporary
    copies) are deleted with it."""
    env = dict(os.environ)
    env.pop("_MLFLOWD_BENCH_REEXEC", None)
    env.pop("MLFLOW_TRACKING_URI", None)
    env.update(extra or {})
    tmp = work / "tmp"
    tmp.mkdir(exist_ok=True)
    env["TMPDIR"] = str(tmp)
    env["PATH"] = f"{venv_bin}{os.pathsep}{env.get('PATH', '')}"
    return env


def python_server_env(env: dict) -> dict:
    """What the Python ``mlflow server`` gets in every benchmark (as in tests/e2e/conftest.py):
    no job runner (it would start a Huey consumer per worker), no telemetry."""
    env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
    env["MLFLOW_DISABLE_TELEMETRY"] = "true"
    env["DO_NOT_TRACK"] = "true"
    return env


def install_signal_handlers() -> None:
    """SIGTERM/SIGHUP behave like Ctrl-C: unwind through the finally blocks (which stop every
    child process and delete the scratch directory)."""
    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)


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


def tree_rss_kb(pid: int, tree: bool = True) -> dict[int, int]:
    pids = proc_tree(pid) if tree else [pid]
    return {p: _status_kb(p, "VmRSS") for p in pids}


def tree_hwm_kb(pid: int, tree: bool = True) -> dict[int, int]:
    pids = proc_tree(pid) if tree else [pid]
    return {p: _status_kb(p, "VmHWM") for p in pids}


def kb_to_mb(kb: int) -> float:
    return kb * 1024 / MB


def tree_rss_mb(pid: int) -> float:
    """VmRSS summed over ``pid`` and its descendants (for the Python server: the ``mlflow`` CLI
    process, the uvicorn supervisor and its workers)."""
    return kb_to_mb(sum(tree_rss_kb(pid).values()))


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


class RssSampler:
    """Samples the (tree-summed) VmRSS of a process every ``interval`` seconds in a thread.
    Use it as a context manager, or ``start()`` / ``stop()``. Subclasses sample more by
    overriding ``_sample`` (it runs in the thread, once more after the stop)."""

    def __init__(self, pid: int, tree: bool = True, interval: float = 0.1):
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

    def start(self) -> "RssSampler":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> "RssSampler":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def peak_mb(self) -> float:
        return kb_to_mb(self.peak_kb)


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

    def wait_ready(self, probe, timeout: float = 180.0, poll: float = 0.05) -> None:
        """Calls ``probe()`` every ``poll`` seconds until it returns true (the poll period bounds
        the resolution of a start-up time)."""
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
            time.sleep(poll)
        raise RuntimeError(f"{self.label} not ready after {timeout}s ({last!r})"
                           f"\n--- {self.log_path} (tail) ---\n{self.log_tail()}")

    def stop(self, grace: float = 15.0) -> None:
        if self in Proc.LIVE:
            Proc.LIVE.remove(self)
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=grace)
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
        # uvicorn's access log would push everything else out of the tail.
        lines = [ln for ln in lines if not re.search(r'INFO:\s+127\.0\.0\.1:\d+ - "', ln)]
        return "\n".join(lines[-n:])


def stop_all() -> None:
    for p in list(Proc.LIVE):
        p.stop()


# --------------------------------------------------------------------------------------------
# Test files
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
# S3 (moto) and artifact transfers
# --------------------------------------------------------------------------------------------

BUCKET = "mlflowd-bench"
ARTIFACT_PATH = "bench/blob.bin"  # the artifact's path under the proxy's destination


def artifact_url(base: str, path: str = ARTIFACT_PATH) -> str:
    """The proxy's upload/download URL of an artifact (``mlflow-artifacts`` REST API)."""
    return f"{base}/api/2.0/mlflow-artifacts/artifacts/{path}"


class MotoS3:
    """moto's standalone S3 server on a free loopback port, one bucket, and a boto3 client."""

    def __init__(self, venv_bin: Path, work: Path, read_timeout: float = 3600.0):
        import boto3
        from botocore.config import Config

        self.venv_bin, self.work = venv_bin, work
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # What a server needs to reach this S3 (mlflowd and MLflow read the same variables).
        self.env = {
            "MLFLOW_S3_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        # One attempt per call: a retried transfer would hide a failure and distort a time.
        self.client = boto3.client(
            "s3", endpoint_url=self.url, aws_access_key_id="testing",
            aws_secret_access_key="testing", region_name="us-east-1",
            config=Config(retries={"max_attempts": 1}, read_timeout=read_timeout),
        )
        self.proc: Proc | None = None

    def start(self) -> "MotoS3":
        cmd = [str(self.venv_bin / "moto_server"), "-H", "127.0.0.1", "-p", str(self.port)]
        env = child_env(self.venv_bin, self.work, self.env)
        self.proc = Proc("moto", cmd, env, self.work, self.work / "moto.log").start()
        self.proc.wait_ready(lambda: self.client.list_buckets() is not None, timeout=60,
                             poll=0.2)
        self.client.create_bucket(Bucket=BUCKET)
        return self

    def empty_bucket(self) -> None:
        """Deletes every object and open multipart upload (moto holds them in memory/spool)."""
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=BUCKET):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:
                self.client.delete_objects(Bucket=BUCKET, Delete={"Objects": keys, "Quiet": True})
        ups = self.client.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
        for u in ups:
            self.client.abort_multipart_upload(Bucket=BUCKET, Key=u["Key"], UploadId=u["UploadId"])

    def sampler(self) -> RssSampler:
        return RssSampler(self.proc.pid, tree=True, interval=0.2)


def proxy_upload(sess, url: str, src: Path, timeout: float) -> tuple[float, object]:
    """``PUT`` the file through a server's artifact proxy, streamed with a Content-Length
    (``requests.put(data=fileobj)``). Returns (seconds, response)."""
    t0 = time.perf_counter()
    with open(src, "rb") as f:
        r = sess.put(url, data=f, timeout=(10, timeout))
    return time.perf_counter() - t0, r


def proxy_download(sess, url: str, dst: Path, timeout: float) -> tuple[float, int]:
    """``GET`` an artifact through the proxy into ``dst``, streamed in 1 MiB chunks. Returns
    (seconds until the last byte is written, bytes received); raises on a non-200 answer."""
    t0 = time.perf_counter()
    n = 0
    with sess.get(url, stream=True, timeout=(10, timeout)) as r:
        if r.status_code != 200:
            raise RuntimeError(f"download -> HTTP {r.status_code}: {r.text[:500]}")
        with open(dst, "wb") as f:
            for chunk in r.iter_content(chunk_size=1 << 20):
                f.write(chunk)
                n += len(chunk)
    return time.perf_counter() - t0, n


def direct_upload(s3: MotoS3, src: Path, key: str) -> float:
    """boto3 ``upload_file`` with the default TransferConfig (8 MiB parts, 10 threads)."""
    from boto3.s3.transfer import TransferConfig

    t0 = time.perf_counter()
    s3.client.upload_file(str(src), BUCKET, key, Config=TransferConfig())
    return time.perf_counter() - t0


def direct_download_file(s3: MotoS3, key: str, dst: Path) -> float:
    """boto3 ``download_file`` with the default TransferConfig: 8 MiB ranged GETs on 10
    threads (quadratic on moto, which reads the whole object for every ranged GET)."""
    from boto3.s3.transfer import TransferConfig

    t0 = time.perf_counter()
    s3.client.download_file(BUCKET, key, str(dst), Config=TransferConfig())
    return time.perf_counter() - t0


def direct_get_object(s3: MotoS3, key: str, dst: Path) -> float:
    """One streamed ``GetObject``: what a streaming proxy does, without the proxy."""
    t0 = time.perf_counter()
    body = s3.client.get_object(Bucket=BUCKET, Key=key)["Body"]
    with open(dst, "wb") as f:
        for chunk in body.iter_chunks(chunk_size=1 << 20):
            f.write(chunk)
    return time.perf_counter() - t0


def file_matches(path: Path, size: int, sha: str) -> bool:
    return path.stat().st_size == size and sha256_file(path) == sha


def markdown_table(head: list[str], rows: list[list[str]]) -> str:
    """A Markdown table with every column padded to its widest cell."""
    widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(head)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for row in rows:
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
    return "\n".join(lines)
