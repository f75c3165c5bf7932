"""Server modes of the artifact service, checked on mlflowd and (``MLFLOWD_BIN_IS_PYTHON=1``) on
the Python server:

* ``--artifacts-only``: the artifact service works, every tracking route answers MLflow's 503
  text, and a non-default ``--backend-store-uri`` is refused at start-up;
* an S3 endpoint with a self-signed certificate (moto with ``--ssl``): refused by default,
  used with ``MLFLOW_S3_IGNORE_TLS=true``.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import time
from pathlib import Path

import pytest
import requests
import urllib3

from conftest import (
    MotoServer,
    Server,
    ServerStartError,
    free_port,
    mlflowd_bin,
    mlflowd_is_python,
    reference_mlflow_bin,
    s3_env,
)

ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts"


def artifact_server(workdir: Path, label: str, extra: list[str], env: dict | None = None,
                    backend: str | None = None) -> Server:
    """A server whose command line we choose entirely (make_server always sets a backend)."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    full_env = dict(os.environ)
    full_env.update(env or {})
    if mlflowd_is_python():
        cmd = [str(reference_mlflow_bin()), "server", "--workers", "1"]
        full_env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
        impl = "python"
    else:
        cmd = [str(mlflowd_bin()), "server"]
        full_env.setdefault("RUST_LOG", "info")
        impl = "mlflowd"
    if backend:
        cmd += ["--backend-store-uri", backend]
    cmd += extra + ["--host", "127.0.0.1", "--port", str(port)]
    return Server(label, impl, cmd, full_env, workdir, workdir / f"{label}.log", port, None)


# --------------------------------------------------------------------------------------------
# --artifacts-only
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def artifacts_only(e2e_tmp):
    workdir = Path(e2e_tmp) / f"artifacts-only-{secrets.token_hex(3)}"
    srv = artifact_server(workdir, "artifacts-only",
                          ["--artifacts-only", "--artifacts-destination", str(workdir / "dest")])
    srv.start()
    yield srv
    srv.stop()


def test_artifacts_only_serves_artifacts(artifacts_only):
    srv = artifacts_only
    data = secrets.token_bytes(100_000)
    r = requests.put(srv.base_url + f"{ARTIFACTS}/a/b.bin", data=data, timeout=30)
    assert r.status_code == 200, r.text
    r = requests.get(srv.base_url + f"{ARTIFACTS}/a/b.bin", timeout=30)
    assert r.status_code == 200 and r.content == data
    r = requests.get(srv.base_url + ARTIFACTS, params={"path": "a"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["files"] == [{"path": "b.bin", "is_dir": False, "file_size": 100_000}]
    r = requests.delete(srv.base_url + f"{ARTIFACTS}/a/b.bin", timeout=30)
    assert r.status_code == 200, r.text
    assert requests.get(srv.base_url + f"{ARTIFACTS}/a/b.bin", timeout=30).status_code == 404
    # No database: MLflow leaves no mlflow.db behind, and neither may mlflowd.
    assert not (srv.cwd / "mlflow.db").exists()


@pytest.mark.parametrize("method,path", [
    ("POST", "/api/2.0/mlflow/experiments/create"),
    ("GET", "/api/2.0/mlflow/experiments/search"),
    ("POST", "/ajax-api/2.0/mlflow/runs/create"),
    ("GET", "/api/2.0/mlflow/artifacts/list"),
    ("GET", "/get-artifact"),
    ("POST", "/ajax-api/2.0/mlflow/upload-artifact"),
])
def test_artifacts_only_refuses_tracking(artifacts_only, method, path):
    r = requests.request(method, artifacts_only.base_url + path, json={}, timeout=30)
    assert r.status_code == 503, (path, r.status_code, r.text[:300])
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert r.text == (
        f"Endpoint: {path} disabled due to the mlflow server running in `--artifacts-only` "
        "mode. To enable tracking server functionality, run `mlflow server` without "
        "`--artifacts-only`"
    )


def test_artifacts_only_refuses_backend_store(e2e_tmp):
    workdir = Path(e2e_tmp) / f"artifacts-only-bad-{secrets.token_hex(3)}"
    srv = artifact_server(workdir, "artifacts-only-bad",
                          ["--artifacts-only", "--artifacts-destination", str(workdir / "d")],
                          backend=f"sqlite:///{workdir / 'x.db'}")
    with pytest.raises(ServerStartError) as info:
        srv.start(timeout=60)
    assert "cannot have a value set for `--backend_store_uri`" in str(info.value)
    assert not (workdir / "x.db").exists()


# --------------------------------------------------------------------------------------------
# TLS: a self-signed S3 endpoint
# --------------------------------------------------------------------------------------------


class TlsMotoServer(MotoServer):
    """moto with ``--ssl`` (a certificate made up at start, signed by nobody)."""

    def __init__(self, label: str, log_path: Path):
        super().__init__(label, log_path)
        self.url = f"https://127.0.0.1:{self.port}"
        self.base_url = self.url

    def start(self, timeout: float = 60) -> "TlsMotoServer":
        logf = open(self.log_path, "ab") if self.log_path.parent.exists() else None
        if logf is None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(Path(os.sys.executable).parent / "moto_server"), "-H", "127.0.0.1",
             "-p", str(self.port), "--ssl"],
            stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        logf.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_tail()
            try:
                r = requests.get(self.url + "/moto-api/data.json", timeout=2, verify=False)
                if r.status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise ServerStartError(f"moto --ssl not up\n{self.log_tail()}")

    def client(self, *args, **kwargs):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.url, aws_access_key_id="testing",
                            aws_secret_access_key="testing", region_name="us-east-1",
                            verify=False, config=Config(s3={"addressing_style": "path"}))


@pytest.fixture(scope="module")
def tls_s3(e2e_tmp):
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    srv = TlsMotoServer("moto-tls", Path(e2e_tmp) / "moto-tls" / "moto.log").start()
    bucket = f"tls-{secrets.token_hex(4)}"
    srv.client().create_bucket(Bucket=bucket)
    yield srv, bucket
    srv.stop()


def tls_server(e2e_tmp, tls_s3, ignore: bool) -> Server:
    moto, bucket = tls_s3
    workdir = Path(e2e_tmp) / f"tls-{ignore}-{secrets.token_hex(3)}"
    env = s3_env(moto.url)
    if ignore:
        env["MLFLOW_S3_IGNORE_TLS"] = "true"
    return artifact_server(workdir, f"tls-ignore-{ignore}",
                           ["--artifacts-destination", f"s3://{bucket}/p-{secrets.token_hex(3)}"],
                           env=env, backend=f"sqlite:///{workdir / 'm.db'}")


def test_s3_ignore_tls_round_trip(e2e_tmp, tls_s3):
    srv = tls_server(e2e_tmp, tls_s3, ignore=True).start()
    try:
        data = secrets.token_bytes(9 * 1024 * 1024 + 7)  # > one 8 MiB part: multipart path
        r = requests.put(srv.base_url + f"{ARTIFACTS}/t/blob.bin", data=data, timeout=120)
        assert r.status_code == 200, r.text
        r = requests.get(srv.base_url + f"{ARTIFACTS}/t/blob.bin", timeout=120)
        assert r.status_code == 200, r.text[:300]
        assert hashlib.sha256(r.content).hexdigest() == hashlib.sha256(data).hexdigest()
    finally:
        srv.stop()


def test_s3_self_signed_refused_by_default(e2e_tmp, tls_s3):
    srv = tls_server(e2e_tmp, tls_s3, ignore=False).start()
    try:
        started = time.monotonic()
        r = requests.put(srv.base_url + f"{ARTIFACTS}/t/x.txt", data=b"x", timeout=120)
        elapsed = time.monotonic() - started
        if srv.impl == "python":
            # botocore's SSLError surfaces as an unhandled 500.
            assert r.status_code == 500, (r.status_code, r.text[:300])
            return
        assert r.status_code == 503, (r.status_code, r.text[:500])
        body = r.json()
        assert body["error_code"] == "TEMPORARILY_UNAVAILABLE", body
        assert "certificate" in body["message"], body
        assert elapsed < 30, elapsed
    finally:
        srv.stop()
