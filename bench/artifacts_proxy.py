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
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# The helpers shared with tracking.py; the script's directory is sys.path[0] when it runs as
# `python3 bench/artifacts_proxy.py`, but not necessarily when it is imported or run otherwise.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    markdown_table,
    ARTIFACT_PATH, BUCKET, MB, MotoS3, Proc, RssSampler, artifact_url, child_env, cmdline,
    default_mlflowd_bin, default_venv, direct_download_file, direct_get_object, direct_upload,
    ensure_venv_interpreter, file_matches, free_port, generate_file, install_signal_handlers,
    kb_to_mb, parse_size, proxy_download, proxy_upload, python_server_env, sha256_file,
    stop_all, tree_hwm_kb, tree_rss_kb,
)


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Upload/download a large file through the mlflow-artifacts proxy of mlflowd "
        "and of the Python mlflow server (S3 destination on moto), next to a direct boto3 "
        "transfer; report throughput and server RSS.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--size", type=parse_size, default=parse_size("2G"),
                   help="file size; K/M/G suffixes are binary (2G = 2 GiB)")
    p.add_argument("--venv", type=Path, default=default_venv(),
                   help="venv with mlflow==3.17.2, moto[server], boto3, requests "
                   "(env MLFLOWD_BENCH_VENV)")
    p.add_argument("--mlflowd-bin", type=Path, default=default_mlflowd_bin(),
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
    return markdown_table(head, rows)


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
        self.s3 = MotoS3(self.venv_bin, work, read_timeout=args.timeout)
        self.src = work / "blob.bin"
        self.dst = work / "blob.down"
        self.src_sha = ""

    # ---- one proxy server
    def run_server(self, name: str, impl: str) -> Result:
        res = Result(name, size=self.args.size)
        port = free_port()
        sdir = self.work / re.sub(r"[^A-Za-z0-9.-]+", "-", name)
        sdir.mkdir()
        db = f"sqlite:///{sdir / 'm.db'}"
        env = child_env(self.venv_bin, self.work, self.s3.env)
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
            python_server_env(env)
            tree = True
        base = f"http://127.0.0.1:{port}"
        url = artifact_url(base)
        sess = self.requests.Session()
        srv = Proc(name, cmd, env, sdir, sdir / "server.log").start()
        print(f"\n== {name}: {' '.join(cmd)}", flush=True)
        try:
            srv.wait_ready(lambda: sess.get(base + "/health", timeout=2).status_code == 200,
                           timeout=120, poll=0.2)
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
                    self.s3.sampler() as mup:
                res.up_s, r = proxy_upload(sess, url, self.src, self.args.timeout)
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
                self.s3.empty_bucket()
                prefix = dest.split("/", 3)[3]  # s3://bucket/<prefix>
                self.s3.client.upload_file(str(self.src), BUCKET, f"{prefix}/{ARTIFACT_PATH}")
                res.notes.append("the proxied upload failed; the download was measured on an "
                                 "object written directly with boto3")
                print("   seeded the object with boto3 to measure the download anyway", flush=True)

            # -- download
            with RssSampler(srv.pid, tree, self.args.sample_interval) as down, \
                    self.s3.sampler() as mdown:
                res.down_s, n = proxy_download(sess, url, self.dst, self.args.timeout)
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
            srv.stop(grace=10)
            self.dst.unlink(missing_ok=True)
            self.s3.empty_bucket()
        return res

    @staticmethod
    def _print_per_pid(s: RssSampler) -> None:
        for p, kb in sorted(s.per_pid_peak_kb.items()):
            print(f"     pid {p:>7} peak {kb_to_mb(kb):7.1f} MB  {cmdline(p)[:100]}")

    # ---- direct boto3 baseline
    def run_direct(self) -> list[Result]:
        res = Result("boto3 direct (baseline)", size=self.args.size)
        single = Result("boto3 direct, single GET", size=self.args.size)
        key = "direct/blob.bin"
        print("\n== boto3 direct: upload_file / download_file, default TransferConfig", flush=True)
        try:
            with self.s3.sampler() as mup:
                res.up_s = direct_upload(self.s3, self.src, key)
            print(f"   upload   {res.up_s:7.1f} s  {res.up_mbps():7.1f} MB/s", flush=True)
            with self.s3.sampler() as mdown:
                res.down_s = direct_download_file(self.s3, key, self.dst)
            print(f"   download {res.down_s:7.1f} s  {res.down_mbps():7.1f} MB/s", flush=True)
            res.moto_peak_mb = max(mup.peak_mb, mdown.peak_mb)
            res.sha_ok = file_matches(self.dst, self.args.size, self.src_sha)
            print(f"   sha256 {'ok' if res.sha_ok else 'MISMATCH'}", flush=True)
            self.dst.unlink(missing_ok=True)

            # download_file splits the object into 8 MiB ranged GETs (10 threads), and moto reads
            # the *whole* object for every ranged GET, so on moto that path is quadratic in the
            # size. A single streamed GetObject is the linear reference for a streaming proxy.
            print("== boto3 direct: one streamed get_object", flush=True)
            with self.s3.sampler() as mget:
                single.down_s = direct_get_object(self.s3, key, self.dst)
            single.moto_peak_mb = mget.peak_mb
            print(f"   download {single.down_s:7.1f} s  {single.down_mbps():7.1f} MB/s", flush=True)
            single.sha_ok = file_matches(self.dst, self.args.size, self.src_sha)
            print(f"   sha256 {'ok' if single.sha_ok else 'MISMATCH'}", flush=True)
        except Exception as e:  # noqa: BLE001
            err = f"{type(e).__name__}: {e}"
            if res.sha_ok is None:
                res.error = err
            single.error = err
            print(f"   ERROR {err}", flush=True)
        finally:
            self.dst.unlink(missing_ok=True)
            self.s3.empty_bucket()
        return [res, single]


def main() -> int:
    args = parse_args(sys.argv[1:])
    ensure_venv_interpreter(args.venv, __file__, "mlflow==3.17.2, moto[server]==5.2.5, boto3, "
                            "requests")
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

    install_signal_handlers()

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
        bench.s3.start()
        print(f"moto S3 at {bench.s3.url}, bucket {BUCKET}", flush=True)

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
