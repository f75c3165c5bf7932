"""Shared harness for the end-to-end suites.

Starts real servers as subprocesses on free loopback ports:

* ``mlflowd`` -- the binary under test (``$MLFLOWD_BIN``, default ``target/debug/mlflowd``);
* the reference ``mlflow server`` 3.17.2 from the test venv (the oracle).

Setting ``MLFLOWD_BIN_IS_PYTHON=1`` makes every "mlflowd" fixture start a Python reference server
instead; that is how these tests are validated against the oracle itself.

Backends: every module that uses the ``backend_kind`` fixture runs once on SQLite and once on
PostgreSQL (``$MLFLOWD_TEST_PG``, e.g. ``postgresql://postgres@127.0.0.1:5432``; each module gets its
own freshly created database, dropped at teardown).

Every server writes stdout/stderr to a log file; when a test fails, the tail of the log of every
server alive at that moment is attached to the report, and a server that does not come up raises
with its log tail.
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
import requests

REPO_ROOT = Path(__file__).resolve().parents[2]


# The stock client must fail fast instead of retrying 5xx answers for minutes (its default is
# 7 retries with exponential backoff), and must not phone home.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "true")

SERVER_START_TIMEOUT = float(os.environ.get("MLFLOWD_E2E_START_TIMEOUT", "120"))
LOG_TAIL_LINES = 60


def mlflowd_is_python() -> bool:
    return os.environ.get("MLFLOWD_BIN_IS_PYTHON", "") not in ("", "0", "false", "False")


def mlflowd_bin() -> Path:
    return Path(os.environ.get("MLFLOWD_BIN", REPO_ROOT / "target" / "debug" / "mlflowd"))


def reference_mlflow_bin() -> Path:
    """The ``mlflow`` console script of the interpreter running pytest (the test venv)."""
    override = os.environ.get("MLFLOW_REFERENCE_BIN")
    if override:
        return Path(override)
    return Path(sys.executable).parent / "mlflow"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------
# Databases
# --------------------------------------------------------------------------------------------


def pg_base_uri() -> str | None:
    uri = os.environ.get("MLFLOWD_TEST_PG")
    return uri.rstrip("/") if uri else None


@dataclass
class Database:
    """A fresh, empty backend store.

    ``uri`` is the spelling mlflowd takes, ``python_uri`` the SQLAlchemy spelling for the
    reference server (``postgresql+psycopg2://``)."""

    kind: str
    uri: str
    python_uri: str
    name: str
    _dropper: Callable[[], None] | None = None

    def drop(self) -> None:
        if self._dropper is not None:
            self._dropper()
            self._dropper = None


def _pg_admin_connect():
    import psycopg2

    base = pg_base_uri()
    assert base, "MLFLOWD_TEST_PG is not set"
    conn = psycopg2.connect(base + "/postgres")
    conn.autocommit = True
    return conn


def _pg_drop(name: str) -> None:
    conn = _pg_admin_connect()
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        conn.close()


def create_database(kind: str, tmpdir: Path) -> Database:
    if kind == "sqlite":
        path = Path(tmpdir) / f"mlflow-{secrets.token_hex(4)}.db"
        uri = f"sqlite:///{path}"  # absolute path -> sqlite:////abs/path.db
        return Database(kind, uri, uri, str(path), lambda: path.unlink(missing_ok=True))
    if kind == "postgres":
        base = pg_base_uri()
        if not base:
            pytest.skip("MLFLOWD_TEST_PG not set (tests/run.sh always sets it)")
        name = f"mlflowd_e2e_{secrets.token_hex(6)}"
        conn = _pg_admin_connect()
        try:
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            conn.close()
        uri = f"{base}/{name}"
        python_uri = "postgresql+psycopg2://" + uri.split("://", 1)[1]
        return Database(kind, uri, python_uri, name, lambda: _pg_drop(name))
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------
# HTTP helper
# --------------------------------------------------------------------------------------------


class Api:
    """Raw HTTP against one server. Paths are relative to ``<prefix>/2.0/mlflow/``."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()

    def url(self, path: str, prefix: str = "api", version: str = "2.0") -> str:
        if path.startswith("/"):
            return self.base_url + path
        return f"{self.base_url}/{prefix}/{version}/mlflow/{path}"

    def request(self, method: str, path: str, prefix: str = "api", **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        return self.session.request(method, self.url(path, prefix), **kwargs)

    def get(self, path: str, params: Any = None, prefix: str = "api") -> requests.Response:
        return self.request("GET", path, prefix=prefix, params=params)

    def post(self, path: str, body: Any = None, prefix: str = "api") -> requests.Response:
        return self.request("POST", path, prefix=prefix, json=body if body is not None else {})

    # Convenience wrappers that assert success and return the JSON body.
    def ok_get(self, path: str, params: Any = None) -> dict:
        r = self.get(path, params)
        assert r.status_code == 200, f"GET {path} {params} -> {r.status_code} {r.text[:2000]}"
        return r.json()

    def ok_post(self, path: str, body: Any = None) -> dict:
        r = self.post(path, body)
        assert r.status_code == 200, f"POST {path} {body} -> {r.status_code} {r.text[:2000]}"
        return r.json()


# --------------------------------------------------------------------------------------------
# Server processes
# --------------------------------------------------------------------------------------------

_LIVE_SERVERS: list["Server"] = []


@atexit.register
def _stop_leftover_servers() -> None:
    """Never leave a server behind, even if pytest is interrupted mid-module."""
    for srv in list(_LIVE_SERVERS):
        srv.stop()

_ACCESS_LOG = re.compile(r'INFO:\s+127\.0\.0\.1:\d+ - "')


class ServerStartError(RuntimeError):
    pass


class Server:
    """A server subprocess (own process group) with its log file."""

    def __init__(self, label: str, impl: str, cmd: list[str], env: dict, cwd: Path, log_path: Path,
                 port: int, db: Database):
        self.label = label
        self.impl = impl  # "mlflowd" or "python"
        self.cmd = cmd
        self.env = env
        self.cwd = cwd
        self.log_path = log_path
        self.port = port
        self.db = db
        self.base_url = f"http://127.0.0.1:{port}"
        # `--static-prefix`, when the server runs under one (base_url stays the host root).
        self.prefix = ""
        self.api = Api(self.base_url)
        self.proc: subprocess.Popen | None = None

    def __repr__(self) -> str:
        return f"<Server {self.label} {self.impl} {self.base_url} db={self.db.kind}>"

    def start(self, timeout: float = SERVER_START_TIMEOUT) -> "Server":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        logf = open(self.log_path, "ab")
        logf.write(f"$ {' '.join(self.cmd)}\n".encode())
        logf.flush()
        self.proc = subprocess.Popen(
            self.cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=self.env, cwd=self.cwd, start_new_session=True,
        )
        logf.close()
        _LIVE_SERVERS.append(self)
        deadline = time.monotonic() + timeout
        last_err = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._forget()
                raise ServerStartError(
                    f"{self.label} exited with code {self.proc.returncode} before becoming "
                    f"healthy\n--- {self.log_path} (tail) ---\n{self.log_tail()}"
                )
            try:
                r = requests.get(self.base_url + self.prefix + "/health", timeout=2)
                if r.status_code == 200:
                    return self
                last_err = f"/health -> {r.status_code}"
            except requests.RequestException as e:
                last_err = repr(e)
            time.sleep(0.25)
        self.stop()
        raise ServerStartError(
            f"{self.label} not healthy after {timeout}s ({last_err})\n"
            f"--- {self.log_path} (tail) ---\n{self.log_tail()}"
        )

    def _forget(self) -> None:
        if self in _LIVE_SERVERS:
            _LIVE_SERVERS.remove(self)

    def stop(self) -> None:
        self._forget()
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)
        # The reference server forks uvicorn into the same process group; make sure nothing of
        # the group survives (e.g. a worker that ignored SIGTERM).
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def log_tail(self, n: int = LOG_TAIL_LINES) -> str:
        """Last lines of the log, without the reference server's per-request access lines."""
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return "(no log)"
        lines = [line for line in lines if not _ACCESS_LOG.search(line)]
        return "\n".join(lines[-n:])


def make_server(impl: str, db: Database, workdir: Path, label: str,
                default_artifact_root: str | None = None,
                artifacts_destination: str | None = None,
                env: dict[str, str] | None = None,
                extra_args: list[str] | None = None) -> Server:
    """Build (not start) a server of implementation ``impl`` ("mlflowd" or "python") on ``db``.

    ``impl == "mlflowd"`` honours ``MLFLOWD_BIN_IS_PYTHON``. ``artifacts_destination`` defaults
    to ``<workdir>/artifacts`` (created); ``env`` entries override the inherited environment
    (e.g. ``s3_env(...)`` for an S3 destination); ``extra_args`` are appended to the command
    line of either implementation (flags both understand, e.g. ``--static-prefix``)."""
    port = free_port()
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if artifacts_destination is None:
        artifacts = workdir / "artifacts"
        artifacts.mkdir(exist_ok=True)
        artifacts_destination = str(artifacts)
    overrides = dict(env or {})
    env = dict(os.environ)
    env.update(overrides)
    real_impl = "python" if (impl == "python" or mlflowd_is_python()) else "mlflowd"
    if real_impl == "mlflowd":
        binary = mlflowd_bin()
        if not binary.exists():
            raise ServerStartError(f"mlflowd binary not found at {binary} (set MLFLOWD_BIN)")
        cmd = [str(binary), "server", "--backend-store-uri", db.uri]
        if default_artifact_root:
            cmd += ["--default-artifact-root", default_artifact_root]
        cmd += ["--artifacts-destination", artifacts_destination, "--host", "127.0.0.1",
                "--port", str(port)]
        env.setdefault("RUST_LOG", "info")
    else:
        cmd = [str(reference_mlflow_bin()), "server", "--backend-store-uri", db.python_uri]
        if default_artifact_root:
            cmd += ["--default-artifact-root", default_artifact_root]
        cmd += ["--artifacts-destination", artifacts_destination, "--host", "127.0.0.1",
                "--port", str(port), "--workers", "1"]
        # The GenAI job runner (huey consumer) is not needed and slows start-up.
        env["MLFLOW_SERVER_ENABLE_JOB_EXECUTION"] = "false"
        env["MLFLOW_DISABLE_TELEMETRY"] = "true"
        env["DO_NOT_TRACK"] = "true"
        # Make sure the test venv's interpreter (which `mlflow server` re-uses to spawn uvicorn)
        # is first on PATH.
        env["PATH"] = f"{reference_mlflow_bin().parent}{os.pathsep}{env.get('PATH', '')}"
    cmd += list(extra_args or [])
    # Never let the server pick up a tracking URI meant for the client side.
    env.pop("MLFLOW_TRACKING_URI", None)
    srv = Server(label, real_impl, cmd, env, workdir, workdir / f"{label}.log", port, db)
    if "--static-prefix" in cmd:
        srv.prefix = cmd[cmd.index("--static-prefix") + 1]
    return srv


# --------------------------------------------------------------------------------------------
# S3 (moto's standalone server stands in for S3/MinIO)
# --------------------------------------------------------------------------------------------

S3_ACCESS_KEY = "testing"
S3_SECRET_KEY = "testing"
S3_REGION = "us-east-1"
# Variables that would make boto3/the AWS SDK pick other credentials than the ones given.
_AWS_CREDENTIAL_NOISE = ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
                         "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE")

_LIVE_AUX: list["MotoServer"] = []


@atexit.register
def _stop_leftover_aux() -> None:
    for aux in list(_LIVE_AUX):
        aux.stop()


def s3_env(endpoint_url: str, access_key: str = S3_ACCESS_KEY,
           secret_key: str = S3_SECRET_KEY) -> dict[str, str]:
    """The environment a server (or the test process) needs to talk to the S3 at
    ``endpoint_url``: what `make_server(..., env=...)` takes."""
    return {
        "MLFLOW_S3_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": access_key,
        "AWS_SECRET_ACCESS_KEY": secret_key,
        "AWS_DEFAULT_REGION": S3_REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def moto_server_bin() -> Path:
    return Path(sys.executable).parent / "moto_server"


class MotoServer:
    """``moto_server`` as a subprocess (own process group) on a free loopback port."""

    impl = "moto"

    def __init__(self, label: str, log_path: Path):
        self.label = label
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url = self.url
        self.log_path = Path(log_path)
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "MotoServer":
        binary = moto_server_bin()
        if not binary.exists():
            raise ServerStartError(f"moto_server not found at {binary} (tests/requirements.txt)")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        logf = open(self.log_path, "ab")
        env = dict(os.environ)
        for k in _AWS_CREDENTIAL_NOISE:
            env.pop(k, None)
        self.proc = subprocess.Popen(
            [str(binary), "-H", "127.0.0.1", "-p", str(self.port)], stdout=logf,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True,
        )
        logf.close()
        _LIVE_AUX.append(self)
        deadline = time.monotonic() + timeout
        last_err = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise ServerStartError(f"{self.label} exited with code {self.proc.returncode}"
                                       f"\n{self.log_tail()}")
            try:
                # The moto API's own endpoint: answers without touching any AWS service (and
                # so without counting towards INITIAL_NO_AUTH_ACTION_COUNT).
                r = requests.get(self.url + "/moto-api/data.json", timeout=2)
                if r.status_code == 200:
                    return self
                last_err = f"-> {r.status_code}"
            except requests.RequestException as e:
                last_err = repr(e)
            time.sleep(0.2)
        self.stop()
        raise ServerStartError(f"{self.label} not up after {timeout}s ({last_err})\n"
                               f"{self.log_tail()}")

    def stop(self) -> None:
        if self in _LIVE_AUX:
            _LIVE_AUX.remove(self)
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=10)
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=10)

    def log_tail(self, n: int = 25) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except FileNotFoundError:
            return "(no log)"

    def client(self, access_key: str = S3_ACCESS_KEY, secret_key: str = S3_SECRET_KEY,
               service: str = "s3"):
        """A boto3 client for this moto (explicit endpoint and credentials, no retries)."""
        import boto3
        from botocore.config import Config

        return boto3.client(
            service, endpoint_url=self.url, aws_access_key_id=access_key,
            aws_secret_access_key=secret_key, region_name=S3_REGION,
            config=Config(retries={"max_attempts": 1, "mode": "standard"},
                          s3={"addressing_style": "path"}),
        )

    def create_bucket(self, prefix: str = "mlflowd-e2e") -> str:
        name = f"{prefix}-{secrets.token_hex(4)}"
        self.client().create_bucket(Bucket=name)
        return name

    def reset_auth(self, free_actions: float) -> None:
        """Moto checks credentials (IAM users/access keys) once ``free_actions`` more AWS
        actions have been served (0: from now on; ``inf``: never, the default)."""
        r = requests.post(self.url + "/moto-api/reset-auth", data=str(free_actions).encode(),
                          timeout=10)
        assert r.status_code == 200, r.text


def list_keys(s3_client, bucket: str, prefix: str = "") -> dict[str, int]:
    """Every object under ``prefix``: key -> size."""
    out = {}
    for page in s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            out[obj["Key"]] = obj["Size"]
    return out


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------

BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(autouse=True, scope="module")
def _reset_client_uris():
    """The stock client keeps its tracking and registry URIs in globals and in environment
    variables (``set_registry_uri`` exports ``MLFLOW_REGISTRY_URI``); a module's servers stop
    with the module, so the next module must not inherit URIs that point at them."""
    saved = {k: os.environ.get(k) for k in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI")}
    yield
    import mlflow
    import mlflow.tracking._model_registry.utils as registry_utils

    mlflow.set_tracking_uri(None)
    registry_utils._registry_uri = None
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def e2e_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module", params=BACKENDS)
def backend_kind(request) -> str:
    if request.param == "postgres" and not pg_base_uri():
        pytest.skip("MLFLOWD_TEST_PG not set (tests/run.sh always sets it)")
    return request.param


@pytest.fixture(scope="module")
def db_factory(e2e_tmp):
    """Creates fresh databases; drops them all at module teardown."""
    created: list[Database] = []

    def factory(kind: str) -> Database:
        d = Path(tempfile.mkdtemp(prefix=f"db-{kind}-", dir=e2e_tmp))
        db = create_database(kind, d)
        created.append(db)
        return db

    yield factory
    for db in created:
        db.drop()


@pytest.fixture(scope="module")
def server_factory(e2e_tmp, request):
    """Starts servers; stops all of them at module teardown."""
    started: list[Server] = []
    module = request.module.__name__.rsplit(".", 1)[-1]

    def factory(impl: str, db: Database, label: str | None = None, start: bool = True,
                **kwargs) -> Server:
        label = label or f"{impl}-{db.kind}"
        workdir = Path(tempfile.mkdtemp(prefix=f"{module}-{label}-", dir=e2e_tmp))
        srv = make_server(impl, db, workdir, label, **kwargs)
        started.append(srv)
        if start:
            srv.start()
        return srv

    yield factory
    for srv in started:
        srv.stop()


@pytest.fixture(scope="module")
def mlflowd(backend_kind, db_factory, server_factory):
    """mlflowd on a fresh database of the module's backend kind."""
    db = db_factory(backend_kind)
    srv = server_factory("mlflowd", db, label=f"mlflowd-{backend_kind}")
    yield srv
    srv.stop()
    db.drop()


@pytest.fixture(scope="module")
def reference(backend_kind, db_factory, server_factory):
    """The Python reference server on its own fresh database of the module's backend kind."""
    db = db_factory(backend_kind)
    srv = server_factory("python", db, label=f"reference-{backend_kind}")
    yield srv
    srv.stop()
    db.drop()


@pytest.fixture(scope="session")
def moto_s3(e2e_tmp) -> MotoServer:
    """One moto S3 server for the session (tests take their own buckets from it)."""
    srv = MotoServer("moto", Path(e2e_tmp) / "moto" / "moto.log").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def s3_bucket(moto_s3) -> str:
    """A fresh, empty bucket on the session's moto, one per module."""
    return moto_s3.create_bucket()


@pytest.fixture(scope="module")
def s3_client_env(moto_s3):
    """The S3 environment (`s3_env`) in the test process for the module (the stock client
    uploads to ``s3://`` artifact roots itself, with boto3); restored afterwards so later
    modules' servers do not inherit it."""
    with pytest.MonkeyPatch.context() as mp:
        for k in _AWS_CREDENTIAL_NOISE:
            mp.delenv(k, raising=False)
        for k, v in s3_env(moto_s3.url).items():
            mp.setenv(k, v)
        yield moto_s3


@pytest.fixture
def api(mlflowd) -> Api:
    return mlflowd.api


@pytest.fixture
def uniq(request) -> str:
    """A short name unique to this test invocation, usable in experiment names."""
    base = re.sub(r"[^A-Za-z0-9]+", "-", request.node.name)[:60].strip("-")
    return f"{base}-{secrets.token_hex(3)}"


# --------------------------------------------------------------------------------------------
# Reporting: attach server log tails to failed tests
# --------------------------------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed:
        for srv in list(_LIVE_SERVERS) + list(_LIVE_AUX):
            rep.sections.append(
                (f"server log: {srv.label} ({srv.impl}, {srv.base_url}) {srv.log_path}",
                 srv.log_tail())
            )


def pytest_report_header(config):
    impl = "Python reference server (MLFLOWD_BIN_IS_PYTHON)" if mlflowd_is_python() \
        else str(mlflowd_bin())
    return [f"mlflowd under test: {impl}",
            f"reference mlflow: {reference_mlflow_bin()}",
            f"postgres: {pg_base_uri() or '(not set: postgres backend skipped)'}"]
