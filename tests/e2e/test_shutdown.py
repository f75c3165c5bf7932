"""Graceful shutdown and the readiness side of ``/health`` (mlflowd only: the Python server has
neither a grace period nor a database check on ``/health``).

* SIGTERM while six slow uploads are in flight: every one of them completes successfully, the uploaded files are intact, new connections are refused,
  and the process exits 0.
* A request still running when the grace period ends does not keep the process alive.
* ``/health`` answers ``OK`` while the database answers, and 503 when it does not.
"""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import threading
import time
from pathlib import Path

import pytest
import requests

from conftest import mlflowd_is_python, pg_base_uri, _pg_admin_connect

pytestmark = pytest.mark.skipif(mlflowd_is_python(),
                                reason="mlflowd's own shutdown and readiness behaviour")

ART = "/api/2.0/mlflow-artifacts/artifacts"


def slow_body(data: bytes, seconds: float, pieces: int = 20):
    """A request body that trickles out over ``seconds`` (a chunked upload in flight)."""
    step = max(1, len(data) // pieces)
    for i in range(0, len(data), step):
        yield data[i:i + step]
        time.sleep(seconds / pieces)


def start(server_factory, db_factory, label: str, grace: int, kind: str = "sqlite"):
    srv = server_factory("mlflowd", db_factory(kind), label=label, start=False,
                         env={"MLFLOWD_SHUTDOWN_GRACE_PERIOD": str(grace)})
    return srv.start()


def test_sigterm_finishes_in_flight_requests(server_factory, db_factory):
    srv = start(server_factory, db_factory, "shutdown-drain", grace=30)
    blobs = {f"drain/blob-{i}.bin": os.urandom(300_000 + i) for i in range(6)}
    results: dict[str, object] = {}

    def upload(rel: str, data: bytes):
        try:
            r = requests.put(srv.base_url + f"{ART}/{rel}", data=slow_body(data, 3.0),
                             timeout=60)
            results[rel] = r.status_code
        except requests.RequestException as e:  # a failure is what the test counts
            results[rel] = repr(e)

    threads = [threading.Thread(target=upload, args=item) for item in blobs.items()]
    for t in threads:
        t.start()
    time.sleep(0.8)  # every upload is now mid-body
    assert all(rel not in results for rel in blobs), results
    signalled_at = time.monotonic()
    os.kill(srv.proc.pid, signal.SIGTERM)

    # New connections are refused once shutdown has begun.
    time.sleep(0.3)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()

    for t in threads:
        t.join(timeout=60)
    failed = {k: v for k, v in results.items() if v != 200}
    assert not failed, f"requests started before SIGTERM failed: {failed}"
    assert srv.proc.wait(timeout=30) == 0
    assert time.monotonic() - signalled_at < 30
    # Every upload landed whole, under its own name.
    dest = Path(srv.cwd) / "artifacts"
    for rel, data in blobs.items():
        got = (dest / rel).read_bytes()
        assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest(), rel
    assert "all requests finished" in srv.log_path.read_text(errors="replace")


def test_grace_period_bounds_shutdown(server_factory, db_factory):
    srv = start(server_factory, db_factory, "shutdown-grace", grace=2)
    outcome = {}

    def stuck_upload():
        try:
            r = requests.put(srv.base_url + f"{ART}/grace/slow.bin",
                             data=slow_body(b"x" * 200_000, 20.0), timeout=60)
            outcome["status"] = r.status_code
        except requests.RequestException as e:
            outcome["error"] = repr(e)

    t = threading.Thread(target=stuck_upload)
    t.start()
    time.sleep(0.5)
    signalled_at = time.monotonic()
    os.kill(srv.proc.pid, signal.SIGTERM)
    assert srv.proc.wait(timeout=20) == 0
    elapsed = time.monotonic() - signalled_at
    assert 1.5 < elapsed < 10, elapsed
    t.join(timeout=60)
    # The upload could not finish: nothing may appear under its final name.
    assert "status" not in outcome or outcome["status"] != 200, outcome
    assert not (Path(srv.cwd) / "artifacts" / "grace" / "slow.bin").exists()
    assert "grace period over" in srv.log_path.read_text(errors="replace")


def test_health_reports_database_state(server_factory, db_factory):
    if not pg_base_uri():
        pytest.skip("needs PostgreSQL (MLFLOWD_TEST_PG)")
    db = db_factory("postgres")
    srv = server_factory("mlflowd", db, label="health-db")
    r = requests.get(srv.base_url + "/health", timeout=10)
    assert (r.status_code, r.text) == (200, "OK")
    # Take the database away under the running server.
    conn = _pg_admin_connect()
    try:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE "{db.name}" WITH (FORCE)')
    finally:
        conn.close()
    started = time.monotonic()
    r = requests.get(srv.base_url + "/health", timeout=30)
    assert r.status_code == 503, (r.status_code, r.text)
    assert r.text == "database unavailable"
    assert time.monotonic() - started < 10
    # The process itself is alive: /version does not need the database.
    assert requests.get(srv.base_url + "/version", timeout=10).status_code == 200
