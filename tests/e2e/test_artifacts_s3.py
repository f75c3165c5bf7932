"""Artifacts on S3 (moto's standalone server stands in for S3/MinIO).

* proxied mode (``--artifacts-destination s3://<bucket>/<prefix>``): the stock 3.17.2 client
  uploads, lists and downloads through the ``mlflow-artifacts`` service, checked byte for byte
  and against what is really in the bucket (boto3);
* direct mode (``--default-artifact-root s3://... --no-serve-artifacts``): the client uploads
  with boto3 itself, the server's run endpoints (``artifacts/list``, ``get-artifact``,
  ``upload-artifact``) read/write the bucket; compared with the reference server's answers;
* raw HTTP on the proxied S3 service: PUT/GET/DELETE/list, directory deletes, error shapes,
  headers, path safety;
* multipart uploads (``mpu/create|complete|abort``) with presigned part URLs, the stock
  client's proxy multipart path, and the 501 of a local-disk destination;
* S3 outages: unreachable endpoint, missing bucket, refused credentials, an endpoint that
  accepts connections but never answers, and S3 coming back; tracking keeps working
  meanwhile;
* a client disconnecting mid-upload leaves nothing in the bucket.

The client's ``MlflowClient.list_artifacts(run_id, path)`` with a path and
``download_artifacts(run_id=..., artifact_path=...)`` go through ``runs:/`` URIs, which call
logged-models search; this module uses artifact URIs / the run root instead (and checks, on the
reference server, that no logged-models request was made).

Where MLflow 3.17.2 answers an S3 failure with an HTML/plain 500 or a 401/404, mlflowd
deliberately answers a JSON error (503 ``TEMPORARILY_UNAVAILABLE`` for an unreachable S3, 5xx
for a misconfiguration), and a missing S3 object is a 404, not MLflow's 500; those branches test
``srv.impl == "python"`` (true for every server under ``MLFLOWD_BIN_IS_PYTHON=1``) and say why.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import mlflow
import pytest
import requests
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

from rawhttp import RawResponse, raw_request
from test_artifacts_local import list_target, path_target
from conftest import MotoServer, free_port, list_keys, s3_env
from toggle_proxy import ToggleProxy

ART = "/api/2.0/mlflow-artifacts/artifacts"
AJAX_ART = "/ajax-api/2.0/mlflow-artifacts/artifacts"
MPU = "/api/2.0/mlflow-artifacts/mpu"
LIST = "/api/2.0/mlflow/artifacts/list"
GET_ARTIFACT = "/get-artifact"
UPLOAD = "/ajax-api/2.0/mlflow/upload-artifact"
OCTET = {"Content-Type": "application/octet-stream"}
MiB = 1024 * 1024
MPU_UNSUPPORTED = "Multipart upload is not supported for the current artifact repository"

# Outage limits: an artifact request must end (with an error) within these many seconds.
UNREACHABLE_LIMIT = 30
BLACKHOLE_LIMIT = 60


@pytest.fixture(scope="module", autouse=True)
def _client_s3_env(s3_client_env):
    """The test process (stock client, boto3) talks to the session's moto."""
    yield


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


@dataclass
class S3Server:
    """A server whose artifacts live under ``s3://<bucket>/<prefix>``."""

    srv: object
    moto: MotoServer
    bucket: str
    prefix: str

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def key(self, rel: str) -> str:
        return f"{self.prefix}/{rel}"

    def keys(self, rel: str = "") -> dict[str, int]:
        """Objects under ``<prefix>/<rel>``, keyed relative to the prefix."""
        base = f"{self.prefix}/"
        found = list_keys(self.moto.client(), self.bucket, base + rel)
        return {k[len(base):]: v for k, v in found.items()}

    def get_object(self, rel: str) -> bytes:
        return self.moto.client().get_object(Bucket=self.bucket, Key=self.key(rel))["Body"].read()




def put_ok(srv, rel: str, data: bytes, prefix: str = ART) -> None:
    r = raw_request(srv, "PUT", path_target(rel, prefix), body=data, headers=OCTET)
    assert r.status == 200, (rel, r)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def files_under(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _, filenames in os.walk(root):
        for f in filenames:
            p = Path(dirpath) / f
            out[p.relative_to(root).as_posix()] = p.read_bytes()
    return out


def make_run(srv, name: str) -> dict:
    eid = srv.api.ok_post("experiments/create", {"name": name})["experiment_id"]
    info = srv.api.ok_post("runs/create", {"experiment_id": eid})["run"]["info"]
    info["experiment_id"] = eid
    return info


def assert_json_error(r: RawResponse, status: int | None, code: str | None, what: str = "",
                      message_contains: str | None = None) -> dict:
    if status is not None:
        assert r.status == status, f"{what}: expected {status}, got {r!r}"
    assert (r.headers.get("Content-Type") or "").startswith("application/json"), \
        f"{what}: not JSON: {r.headers.get('Content-Type')} {r!r}"
    body = r.json()
    if code is not None:
        assert body.get("error_code") == code, f"{what}: {body}"
    assert isinstance(body.get("message"), str) and body["message"], f"{what}: {body}"
    if message_contains is not None:
        assert message_contains in body["message"], f"{what}: {body}"
    return body


def start_server(server_factory, db, label: str, no_serve: bool = False, **kwargs):
    srv = server_factory("mlflowd", db, label=label, start=False, **kwargs)
    if no_serve:
        srv.cmd.append("--no-serve-artifacts")
    return srv.start()


def new_prefix(kind: str) -> str:
    return f"{kind}-{secrets.token_hex(4)}"


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def proxied(backend_kind, db_factory, server_factory, moto_s3, s3_bucket) -> S3Server:
    """mlflowd serving artifacts from ``s3://<bucket>/proxied-<hex>`` (proxied mode)."""
    prefix = new_prefix(f"proxied-{backend_kind}")
    db = db_factory(backend_kind)
    srv = start_server(server_factory, db, f"mlflowd-s3-proxied-{backend_kind}",
                       artifacts_destination=f"s3://{s3_bucket}/{prefix}",
                       env=s3_env(moto_s3.url))
    yield S3Server(srv, moto_s3, s3_bucket, prefix)
    srv.stop()


@pytest.fixture(scope="module")
def direct(backend_kind, db_factory, server_factory, moto_s3, s3_bucket) -> S3Server:
    """mlflowd with ``--default-artifact-root s3://<bucket>/direct-<hex> --no-serve-artifacts``:
    runs get ``s3://`` artifact URIs, the client talks to S3 itself."""
    prefix = new_prefix(f"direct-{backend_kind}")
    db = db_factory(backend_kind)
    srv = start_server(server_factory, db, f"mlflowd-s3-direct-{backend_kind}", no_serve=True,
                       default_artifact_root=f"s3://{s3_bucket}/{prefix}",
                       env=s3_env(moto_s3.url))
    yield S3Server(srv, moto_s3, s3_bucket, prefix)
    srv.stop()


@pytest.fixture(scope="module")
def direct_reference(db_factory, server_factory, moto_s3, s3_bucket) -> S3Server:
    """The reference server in direct mode (SQLite: the artifact side ignores the backend)."""
    prefix = new_prefix("direct-ref")
    db = db_factory("sqlite")
    srv = server_factory("python", db, label="reference-s3-direct", start=False,
                         default_artifact_root=f"s3://{s3_bucket}/{prefix}",
                         env=s3_env(moto_s3.url))
    srv.cmd.append("--no-serve-artifacts")
    srv.start()
    yield S3Server(srv, moto_s3, s3_bucket, prefix)
    srv.stop()


@pytest.fixture(scope="module")
def local_srv(db_factory, server_factory):
    """mlflowd with a local-disk destination (multipart upload unsupported there)."""
    db = db_factory("sqlite")
    srv = start_server(server_factory, db, "mlflowd-local-dest")
    yield srv
    srv.stop()


@pytest.fixture
def tracking_client(monkeypatch):
    """Points the stock client at a server; ends stray runs afterwards."""
    def use(srv):
        monkeypatch.setenv("MLFLOW_TRACKING_URI", srv.base_url)
        mlflow.set_tracking_uri(srv.base_url)
        return srv

    yield use
    while mlflow.active_run() is not None:
        mlflow.end_run()


def reference_log_has_no_logged_models_calls(srv) -> None:
    """Self-check of this module (reference server only: its access log names every request):
    the client paths used here never need logged-models search, which mlflowd lacks."""
    if srv.impl != "python":
        return
    log = Path(srv.log_path).read_text(errors="replace")
    assert "logged-models" not in log, "the test made the client call logged-models search"


# --------------------------------------------------------------------------------------------
# a. Proxied mode with the stock client (both backends)
# --------------------------------------------------------------------------------------------


def _source_tree(root: Path) -> dict[str, bytes]:
    """Writes the upload source tree; returns artifact path -> bytes."""
    big = root / "big.bin"
    big.write_bytes(os.urandom(20 * MiB + 321))
    (root / "empty.txt").write_bytes(b"")
    (root / "uni").mkdir()
    (root / "uni" / "sp ace ü.txt").write_bytes("grüße, 日本語\n".encode())
    tree = root / "tree"
    (tree / "sub" / "deeper").mkdir(parents=True)
    (tree / "a.txt").write_bytes(b"alpha\n")
    (tree / "sub" / "b.json").write_bytes(b'{"b": 1}\n')
    (tree / "sub" / "deeper" / "c.csv").write_bytes(b"x,y\n1,2\n" * 1000)
    (tree / "sub" / "deeper" / "empty inner.dat").write_bytes(b"")
    (tree / "日本語").mkdir()
    (tree / "日本語" / "ファイル.txt").write_bytes("ファイル\n".encode())
    (tree / "with space").mkdir()
    (tree / "with space" / "x y.bin").write_bytes(os.urandom(1000))
    expected = {
        "big.bin": big.read_bytes(),
        "empty.txt": b"",
        "uni/sp ace ü.txt": (root / "uni" / "sp ace ü.txt").read_bytes(),
    }
    for rel, data in files_under(tree).items():
        expected[f"tree/{rel}"] = data
    return expected


def test_proxied_client_roundtrip(proxied, tracking_client, uniq, tmp_path, monkeypatch):
    tracking_client(proxied.srv)
    # Download through the proxy (GET mlflow-artifacts/artifacts/...), not via presigned URLs
    # straight from S3 (what the client does when server-info advertises multipart downloads;
    # see test_proxied_default_client_download).
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD", "false")
    src = tmp_path / "src"
    src.mkdir()
    expected = _source_tree(src)
    text = "hello ü\nsecond line\n"
    expected["notes/readme.md"] = text.encode()

    exp = mlflow.set_experiment(uniq)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(src / "big.bin"))
        mlflow.log_artifact(str(src / "empty.txt"))
        mlflow.log_artifact(str(src / "uni" / "sp ace ü.txt"), artifact_path="uni")
        mlflow.log_artifacts(str(src / "tree"), artifact_path="tree")
        mlflow.log_text(text, "notes/readme.md")
    run_id = run.info.run_id
    artifact_uri = run.info.artifact_uri
    assert artifact_uri == f"mlflow-artifacts:/{exp.experiment_id}/{run_id}/artifacts"

    # Really in the bucket, under <prefix>/<experiment_id>/<run_id>/artifacts/.
    run_rel = f"{exp.experiment_id}/{run_id}/artifacts"
    in_bucket = proxied.keys(run_rel + "/")
    assert sorted(in_bucket) == sorted(f"{run_rel}/{k}" for k in expected), in_bucket
    for rel, data in expected.items():
        assert in_bucket[f"{run_rel}/{rel}"] == len(data), rel
    assert sha256(proxied.get_object(f"{run_rel}/big.bin")) == sha256(expected["big.bin"])
    assert proxied.get_object(f"{run_rel}/tree/日本語/ファイル.txt") == \
        expected["tree/日本語/ファイル.txt"]

    # Root listing through the client (no logged-models call for the root).
    root = [(f.path, f.is_dir, f.file_size)
            for f in mlflow.MlflowClient().list_artifacts(run_id)]
    assert root == [
        ("big.bin", False, len(expected["big.bin"])),
        ("empty.txt", False, None),  # 0 bytes: the proto default is dropped, client sees None
        ("notes", True, None),
        ("tree", True, None),
        ("uni", True, None),
    ]

    # Sub-directories: by artifact URI (mlflow.artifacts.list_artifacts) and the repository.
    def listing(rel):
        infos = mlflow.artifacts.list_artifacts(artifact_uri=f"{artifact_uri}/{rel}")
        return [(f.path, f.is_dir, f.file_size) for f in infos]

    assert listing("tree") == [
        ("tree/a.txt", False, 6),
        ("tree/sub", True, None),
        ("tree/with space", True, None),
        ("tree/日本語", True, None),
    ]
    repo = get_artifact_repository(artifact_uri)
    assert [(f.path, f.is_dir, f.file_size) for f in repo.list_artifacts("tree/sub/deeper")] == [
        ("tree/sub/deeper/c.csv", False, 8000),
        ("tree/sub/deeper/empty inner.dat", False, None),
    ]
    assert [(f.path, f.file_size) for f in repo.list_artifacts("tree/with space")] == [
        ("tree/with space/x y.bin", 1000)]
    assert [(f.path, f.file_size) for f in repo.list_artifacts("uni")] == [
        ("uni/sp ace ü.txt", len(expected["uni/sp ace ü.txt"]))]
    assert repo.list_artifacts("does-not-exist") == []

    # Download the whole run (run root: no logged-models call) and compare every file.
    dst = tmp_path / "dst"
    local_root = Path(mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=str(dst)))
    got = files_under(local_root)
    assert sorted(got) == sorted(expected)
    for rel, data in expected.items():
        assert sha256(got[rel]) == sha256(data), rel

    # A single file and a sub-tree by artifact URI.
    one = Path(mlflow.artifacts.download_artifacts(
        artifact_uri=f"{artifact_uri}/uni/sp ace ü.txt", dst_path=str(tmp_path / "one")))
    assert one.name == "sp ace ü.txt" and one.read_bytes() == expected["uni/sp ace ü.txt"]
    (tmp_path / "sub").mkdir()
    sub = Path(repo.download_artifacts("tree/sub", str(tmp_path / "sub")))
    assert files_under(sub) == {k[len("tree/sub/"):]: v for k, v in expected.items()
                                if k.startswith("tree/sub/")}

    # The 3.x client's run-scoped sub-directory paths: MlflowClient.list_artifacts(run, dir)
    # and download_artifacts(run_id=..., artifact_path=...) search logged models first.
    client = mlflow.MlflowClient()
    assert [(f.path, f.is_dir) for f in client.list_artifacts(run_id, "tree/sub")] == [
        ("tree/sub/b.json", False), ("tree/sub/deeper", True)]
    by_run = Path(mlflow.artifacts.download_artifacts(
        run_id=run_id, artifact_path="tree/sub", dst_path=str(tmp_path / "by-run")))
    assert files_under(by_run) == {k[len("tree/sub/"):]: v for k, v in expected.items()
                                   if k.startswith("tree/sub/")}


def test_proxied_server_info_multipart_flags(proxied, db_factory, server_factory, moto_s3,
                                             s3_bucket, tracking_client, uniq, tmp_path):
    """An S3 destination supports multipart uploads and presigned downloads (MLflow:
    `MultipartUploadMixin`, `MultipartDownloadMixin`). MLflow always advertises them in
    server-info, and the stock client then goes to S3 directly (multipart upload above
    MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE, every download through a presigned URL), which
    breaks for clients that cannot reach a cluster-internal S3 endpoint. mlflowd advertises
    them only with ``--s3-presigned-urls`` (README), and the client's presigned path must then
    work end to end."""
    r = raw_request(proxied.srv, "GET", "/api/3.0/mlflow/server-info")
    assert r.status == 200, r
    info = r.json()
    advertised = proxied.srv.impl == "python"
    assert info["multipart_uploads_enabled"] is advertised, info
    assert info["multipart_downloads_enabled"] is advertised, info
    if proxied.srv.impl == "python":
        return
    prefix = new_prefix("presigned")
    env = dict(s3_env(moto_s3.url), MLFLOWD_S3_PRESIGNED_URLS="true",
               RUST_LOG="info,mlflowd=debug")
    srv = start_server(server_factory, db_factory("sqlite"), "mlflowd-s3-presigned",
                       artifacts_destination=f"s3://{s3_bucket}/{prefix}", env=env)
    try:
        info = raw_request(srv, "GET", "/api/3.0/mlflow/server-info").json()
        assert info["multipart_uploads_enabled"] is True, info
        assert info["multipart_downloads_enabled"] is True, info
        tracking_client(srv)
        data = os.urandom(1 * MiB + 3)
        mlflow.set_experiment(uniq)
        with mlflow.start_run() as run:
            mlflow.log_text(data.hex(), "p/blob.txt")
        local = Path(mlflow.artifacts.download_artifacts(
            artifact_uri=f"{run.info.artifact_uri}/p/blob.txt", dst_path=str(tmp_path / "p")))
        assert local.read_text() == data.hex()
        # The download went through a presigned URL: the server logged the presigned request.
        assert "GetPresignedDownloadUrl" in srv.log_path.read_text(errors="replace")
    finally:
        srv.stop()


def test_proxied_default_client_download(proxied, tracking_client, uniq, tmp_path):
    """With MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD unset, the client follows server-info: when
    multipart downloads are advertised it fetches `mlflow-artifacts/presigned/<path>` and GETs
    the presigned URL from S3. Whatever the server advertises must work end to end."""
    srv = tracking_client(proxied.srv)
    data = os.urandom(2 * MiB + 5)
    exp = mlflow.set_experiment(uniq)
    with mlflow.start_run() as run:
        mlflow.log_text(data.hex(), "d/blob.txt")
    local = Path(mlflow.artifacts.download_artifacts(
        artifact_uri=f"{run.info.artifact_uri}/d/blob.txt", dst_path=str(tmp_path / "x")))
    assert local.read_text() == data.hex()
    assert proxied.get_object(f"{exp.experiment_id}/{run.info.run_id}/artifacts/d/blob.txt") \
        == data.hex().encode()
    reference_log_has_no_logged_models_calls(srv)


def test_proxied_presigned_download(proxied, uniq):
    """`GET mlflow-artifacts/presigned/<path>`: what the client uses when server-info says
    `multipart_downloads_enabled` -- a presigned S3 GET URL (ranges work) and the size."""
    srv = proxied.srv
    data = os.urandom(70_000)
    put_ok(srv, f"{uniq}/p/q.bin", data)
    r = raw_request(srv, "GET", path_target(f"{uniq}/p/q.bin",
                                            "/api/2.0/mlflow-artifacts/presigned"))
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"url", "headers", "file_size"}, body
    assert body["file_size"] == len(data) and body["headers"] == {}, body
    got = requests.get(body["url"], headers=body["headers"], timeout=60)
    assert got.status_code == 200 and got.content == data, got.status_code
    got = requests.get(body["url"], headers={"Range": "bytes=5-9"}, timeout=60)
    assert got.status_code == 206 and got.content == data[5:10], got.status_code
    r = raw_request(srv, "GET", path_target(f"{uniq}/p/nope.bin",
                                            "/api/2.0/mlflow-artifacts/presigned"))
    assert_json_error(r, 404, "RESOURCE_DOES_NOT_EXIST", "presigned of a missing file")


# --------------------------------------------------------------------------------------------
# b. Direct mode: the client writes S3, the server's run endpoints read it (both backends)
# --------------------------------------------------------------------------------------------

DIRECT_TREE = {
    "top.txt": b"top\n",
    "data.bin": b"0123456789abcdefghij",
    "d/x.csv": b"a,b\n1,2\n",
    "d/empty": b"",
    "d/sub/y.bin": bytes(range(256)) * 40,
    "d/sp ace ü.txt": "ü\n".encode(),
}


def _expected_list(root_uri: str, path: str | None, tree: dict[str, bytes]) -> dict:
    """MLflow's artifacts/list answer for ``path`` over the flat ``tree``."""
    base = f"{path.rstrip('/')}/" if path else ""
    entries = {}
    for rel, data in tree.items():
        if not rel.startswith(base):
            continue
        head, _, rest = rel[len(base):].partition("/")
        if rest:
            entries[base + head] = {"path": base + head, "is_dir": True}
        else:
            e = {"path": base + head, "is_dir": False}
            if data:
                e["file_size"] = len(data)
            entries[base + head] = e
    out = {"root_uri": root_uri}
    if entries:
        out["files"] = [entries[k] for k in sorted(entries)]
    return out


def test_direct_client_upload_server_reads(direct, tracking_client, uniq, tmp_path):
    srv = tracking_client(direct.srv)
    src = tmp_path / "src"
    for rel, data in DIRECT_TREE.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes(data)
    exp = mlflow.set_experiment(uniq)
    with mlflow.start_run() as run:
        mlflow.log_artifacts(str(src))  # S3ArtifactRepository in this process: boto3 -> moto
    run_id = run.info.run_id
    root_uri = run.info.artifact_uri
    assert root_uri == f"{direct.uri}/{exp.experiment_id}/{run_id}/artifacts"
    run_rel = f"{exp.experiment_id}/{run_id}/artifacts"
    assert direct.keys(run_rel + "/") == {f"{run_rel}/{k}": len(v)
                                          for k, v in DIRECT_TREE.items()}

    # artifacts/list
    for path in (None, "", "d", "d/", "d/sub", "nope", "top.txt", "d/sub/y.bin"):
        params = {"run_id": run_id} if path is None else {"run_id": run_id, "path": path}
        r = srv.api.session.get(srv.base_url + LIST, params=params, timeout=60)
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        expected = _expected_list(root_uri, None if path in (None, "") else path, DIRECT_TREE)
        if path in ("top.txt", "d/sub/y.bin"):  # a file lists as nothing
            expected = {"root_uri": root_uri}
        if path == "d/":  # the same entries as "d" (paths relative to the run root)
            expected = _expected_list(root_uri, "d", DIRECT_TREE)
        assert r.json() == expected, path
        assert r.content == json.dumps(expected, indent=2).encode(), path

    # get-artifact: byte-identical, attachment headers
    for rel, data in DIRECT_TREE.items():
        r = srv.api.session.get(srv.base_url + GET_ARTIFACT,
                                params={"run_id": run_id, "path": rel}, timeout=60)
        assert r.status_code == 200, (rel, r.status_code, r.text[:500])
        assert r.content == data, rel
        assert r.headers["Content-Length"] == str(len(data)), rel
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Content-Disposition"].startswith("attachment; filename"), r.headers
    r = srv.api.session.get(srv.base_url + GET_ARTIFACT,
                            params={"run_id": run_id, "path": "top.txt"}, timeout=60)
    assert r.headers["Content-Type"] == "text/plain", r.headers
    assert r.headers["Content-Disposition"] == "attachment; filename=top.txt"

    # Range
    r = srv.api.session.get(srv.base_url + GET_ARTIFACT, params={"run_id": run_id,
                            "path": "data.bin"}, headers={"Range": "bytes=0-9"}, timeout=60)
    assert r.status_code == 206, (r.status_code, r.text[:300])
    assert r.content == b"0123456789"
    assert r.headers["Content-Range"] == "bytes 0-9/20"
    assert r.headers["Content-Length"] == "10"
    r = srv.api.session.get(srv.base_url + GET_ARTIFACT, params={"run_id": run_id,
                            "path": "data.bin"}, headers={"Range": "bytes=15-"}, timeout=60)
    assert (r.status_code, r.content, r.headers.get("Content-Range")) == \
        (206, b"fghij", "bytes 15-19/20")

    # A "directory": 400, named relative to the run's root.
    r = srv.api.session.get(srv.base_url + GET_ARTIFACT,
                            params={"run_id": run_id, "path": "d/sub"}, timeout=60)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert r.json()["message"] == "Artifact path refers to a directory, not a file: 'd/sub'"

    # A missing file.
    r = srv.api.session.get(srv.base_url + GET_ARTIFACT,
                            params={"run_id": run_id, "path": "d/nope.txt"}, timeout=60)
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    if srv.impl == "python":
        # MLflow 3.17.2 lets the S3 404 of HeadObject surface as an INTERNAL_ERROR 500.
        assert r.status_code == 500, (r.status_code, r.text[:300])
        assert r.json()["error_code"] == "INTERNAL_ERROR"
        assert "d/nope.txt" in r.json()["message"]
    else:
        # mlflowd: a missing artifact is a 404, as on a local-disk root.
        assert r.status_code == 404, (r.status_code, r.text[:300])
        assert r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
        assert "d/nope.txt" in r.json()["message"]
    reference_log_has_no_logged_models_calls(srv)


def test_direct_upload_artifact_writes_s3(direct, uniq):
    """upload-artifact on a run with an s3:// root writes the object with the server's
    credentials (MLflow: `_get_artifact_repo(run).log_artifact`)."""
    srv = direct.srv
    run = make_run(srv, uniq)
    data = os.urandom(300_000)
    r = srv.api.session.post(srv.base_url + UPLOAD, params={"run_uuid": run["run_id"],
                             "path": "models/m/weights.bin"}, data=data, headers=OCTET,
                             timeout=60)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    assert r.content == b""
    run_rel = f"{run['experiment_id']}/{run['run_id']}/artifacts"
    assert direct.keys(run_rel + "/") == {f"{run_rel}/models/m/weights.bin": len(data)}
    assert direct.get_object(f"{run_rel}/models/m/weights.bin") == data
    r = srv.api.session.get(srv.base_url + GET_ARTIFACT, params={
        "run_id": run["run_id"], "path": "models/m/weights.bin"}, timeout=60)
    assert r.status_code == 200 and r.content == data
    # Overwrite with a shorter body.
    r = srv.api.session.post(srv.base_url + UPLOAD, params={"run_uuid": run["run_id"],
                             "path": "models/m/weights.bin"}, data=b"v2", headers=OCTET,
                             timeout=60)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    assert direct.get_object(f"{run_rel}/models/m/weights.bin") == b"v2"


def test_direct_matches_reference(direct, direct_reference, uniq):
    """The same objects under a run of each server: list and get-artifact answers agree
    byte for byte (modulo the run's root URI)."""
    pair = []
    for s3srv in (direct, direct_reference):
        run = make_run(s3srv.srv, f"{uniq}-{s3srv.srv.impl}")
        s3 = s3srv.moto.client()
        run_key = f"{s3srv.prefix}/{run['experiment_id']}/{run['run_id']}/artifacts"
        assert run["artifact_uri"] == f"s3://{s3srv.bucket}/{run_key}"
        for rel, data in DIRECT_TREE.items():
            s3.put_object(Bucket=s3srv.bucket, Key=f"{run_key}/{rel}", Body=data)
        pair.append((s3srv.srv, run))

    def norm(body: bytes, run) -> bytes:
        return body.replace(run["artifact_uri"].encode(), b"<root>")

    list_paths = [None, "d", "d/", "d/sub", "nope", "top.txt"]
    get_cases = [(rel, None) for rel in DIRECT_TREE] + [
        ("data.bin", "bytes=0-9"), ("data.bin", "bytes=-4"), ("data.bin", "bytes=30-"),
        ("d", None)]
    failures = []
    answers = []
    for srv, run in pair:
        got = {}
        for path in list_paths:
            params = {"run_id": run["run_id"]}
            if path is not None:
                params["path"] = path
            r = srv.api.session.get(srv.base_url + LIST, params=params, timeout=60)
            got[("list", path)] = (r.status_code, r.headers.get("Content-Type"),
                                   norm(r.content, run))
        for rel, rng in get_cases:
            r = srv.api.session.get(srv.base_url + GET_ARTIFACT,
                                    params={"run_id": run["run_id"], "path": rel},
                                    headers={"Range": rng} if rng else {}, timeout=60)
            if r.status_code == 416:
                # Only the status and Content-Range: the body is an HTML page in MLflow.
                got[("get", rel, rng)] = (416, r.headers.get("Content-Range"))
                continue
            hdrs = {k: r.headers.get(k) for k in (
                "Content-Type", "Content-Length", "Content-Range", "Content-Disposition",
                "X-Content-Type-Options", "Accept-Ranges")}
            got[("get", rel, rng)] = (r.status_code, hdrs, r.content)
        answers.append(got)
    ours, ref = answers
    for k in ref:
        if ours[k] != ref[k]:
            failures.append(f"{k}:\n  mlflowd:   {ours[k]!r:.600}\n  reference: {ref[k]!r:.600}")
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------------------------
# c. Raw HTTP on the proxied S3 service
# --------------------------------------------------------------------------------------------


def test_raw_put_get_list_headers(proxied, uniq):
    srv = proxied.srv
    data = os.urandom(300_000)
    r = raw_request(srv, "PUT", path_target(f"{uniq}/d/blob.bin"), body=data, headers=OCTET)
    assert r.status == 200, r
    assert r.body == b""
    assert proxied.keys(f"{uniq}/") == {f"{uniq}/d/blob.bin": len(data)}
    assert proxied.get_object(f"{uniq}/d/blob.bin") == data

    r = raw_request(srv, "GET", path_target(f"{uniq}/d/blob.bin"))
    assert r.status == 200, r
    assert r.body == data
    assert r.headers["Content-Disposition"] == "attachment; filename=blob.bin"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Type"].startswith("application/octet-stream"), r.headers
    if r.headers.get("Content-Length") is not None:
        assert r.headers["Content-Length"] == str(len(data))

    put_ok(srv, f"{uniq}/d/notes.txt", b"hello\n")
    put_ok(srv, f"{uniq}/d/empty", b"")
    put_ok(srv, f"{uniq}/top.txt", b"12345")
    r = raw_request(srv, "GET", path_target(f"{uniq}/d/notes.txt"))
    assert r.status == 200 and r.body == b"hello\n", r
    assert r.headers["Content-Type"].startswith("text/plain"), r.headers
    assert r.headers["Content-Disposition"] == "attachment; filename=notes.txt"
    r = raw_request(srv, "GET", path_target(f"{uniq}/d/empty"))
    assert r.status == 200 and r.body == b"", r
    assert proxied.keys(f"{uniq}/d/empty") == {f"{uniq}/d/empty": 0}

    # A Range on the proxied GET: MLflow 3.17.2 streams S3 downloads and ignores it; a 206
    # must at least be right.
    r = raw_request(srv, "GET", path_target(f"{uniq}/d/blob.bin"), headers={"Range": "bytes=0-9"})
    if r.status == 206:
        assert r.body == data[:10] and r.headers["Content-Range"] == f"bytes 0-9/{len(data)}"
    else:
        assert r.status == 200 and r.body == data, r

    r = raw_request(srv, "GET", list_target(uniq))
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == {"files": [
        {"path": "d", "is_dir": True},
        {"path": "top.txt", "is_dir": False, "file_size": 5},
    ]}
    r = raw_request(srv, "GET", list_target(f"{uniq}/d"))
    assert r.json() == {"files": [
        {"path": "blob.bin", "is_dir": False, "file_size": len(data)},
        {"path": "empty", "is_dir": False},  # 0 bytes: no file_size (proto default)
        {"path": "notes.txt", "is_dir": False, "file_size": 6},
    ]}
    # Missing directory, a file, a prefix that is not a directory: empty answer.
    for p in (f"{uniq}/missing", f"{uniq}/top.txt", f"{uniq}/d/no", f"{uniq}/to"):
        r = raw_request(srv, "GET", list_target(p))
        assert r.status == 200 and r.json() == {}, (p, r)
    # The root lists this test's directory among others.
    r = raw_request(srv, "GET", list_target(None))
    assert r.status == 200, r
    assert {"path": uniq, "is_dir": True} in r.json()["files"]


def test_raw_non_ascii_name(proxied, uniq):
    from mlflow.server.handlers import _content_disposition_attachment

    srv = proxied.srv
    name = "sp ace ü.txt"
    body = "ü\n".encode()
    put_ok(srv, f"{uniq}/{name}", body)
    assert proxied.get_object(f"{uniq}/{name}") == body
    r = raw_request(srv, "GET", path_target(f"{uniq}/{name}"))
    assert r.status == 200 and r.body == body, r
    assert r.headers["Content-Disposition"] == _content_disposition_attachment(name)
    r = raw_request(srv, "GET", list_target(uniq))
    assert r.json() == {"files": [{"path": name, "is_dir": False, "file_size": len(body)}]}


def test_raw_overwrite(proxied, uniq):
    srv = proxied.srv
    put_ok(srv, f"{uniq}/v.txt", b"first version, longer\n")
    put_ok(srv, f"{uniq}/v.txt", b"second\n")
    assert proxied.keys(f"{uniq}/") == {f"{uniq}/v.txt": 7}
    r = raw_request(srv, "GET", path_target(f"{uniq}/v.txt"))
    assert r.status == 200 and r.body == b"second\n", r


def test_raw_delete_file_and_tree(proxied, uniq):
    srv = proxied.srv
    files = ["keep.txt", "gone.txt", "a/b/x.txt", "a/b/sub/y.txt", "a/b/sub/deep/z",
             "a/bc.txt", "a/b.txt", "a/bb/w.txt"]
    for rel in files:
        put_ok(srv, f"{uniq}/{rel}", rel.encode())
    r = raw_request(srv, "DELETE", path_target(f"{uniq}/gone.txt"))
    assert r.status == 200 and r.json() == {}, r
    # A directory: everything under it goes, siblings sharing the name prefix stay.
    r = raw_request(srv, "DELETE", path_target(f"{uniq}/a/b"))
    assert r.status == 200 and r.json() == {}, r
    assert sorted(proxied.keys(f"{uniq}/")) == sorted(
        f"{uniq}/{p}" for p in ["keep.txt", "a/bc.txt", "a/b.txt", "a/bb/w.txt"])
    r = raw_request(srv, "GET", list_target(f"{uniq}/a"))
    assert r.json() == {"files": [
        {"path": "b.txt", "is_dir": False, "file_size": 7},
        {"path": "bb", "is_dir": True},
        {"path": "bc.txt", "is_dir": False, "file_size": 8},
    ]}, r
    r = raw_request(srv, "GET", list_target(f"{uniq}/a/b"))
    assert r.status == 200 and r.json() == {}, r
    r = raw_request(srv, "GET", path_target(f"{uniq}/a/b/x.txt"))
    assert r.status in (404, 500), r  # gone (status per test_raw_get_missing_and_directory)
    # Deleting what does not exist is fine.
    r = raw_request(srv, "DELETE", path_target(f"{uniq}/never/there"))
    assert r.status == 200 and r.json() == {}, r
    # Ajax prefix deletes too.
    r = raw_request(srv, "DELETE", path_target(f"{uniq}/a", AJAX_ART))
    assert r.status == 200 and r.json() == {}, r
    assert proxied.keys(f"{uniq}/") == {f"{uniq}/keep.txt": 8}


def test_raw_get_missing_and_directory(proxied, uniq):
    srv = proxied.srv
    put_ok(srv, f"{uniq}/dir/f.txt", b"x")
    r = raw_request(srv, "GET", path_target(f"{uniq}/nope.txt"))
    if srv.impl == "python":
        # MLflow 3.17.2: the S3 HeadObject 404 surfaces as a 500 INTERNAL_ERROR (JSON).
        body = assert_json_error(r, 500, "INTERNAL_ERROR", "GET missing")
        assert f"{uniq}/nope.txt" in body["message"] and "404" in body["message"], body
    else:
        # mlflowd: 404 as on a local-disk destination.
        assert_json_error(r, 404, "RESOURCE_DOES_NOT_EXIST", "GET missing",
                          message_contains=f"{uniq}/nope.txt")
    r = raw_request(srv, "GET", path_target(f"{uniq}/dir"))
    if srv.impl == "python":
        # MLflow 3.17.2 downloads the "directory" into a temp dir and then fails to open it
        # mid-response: a 200 with an empty body.
        assert r.status == 200 and r.body == b"", r
    else:
        # mlflowd: never a 200 for a prefix; a JSON 400 (as on local disk) or 404.
        assert r.status in (400, 404), r
        assert r.headers["Content-Type"].startswith("application/json"), r.headers
        assert b'"x"' not in r.body


def test_raw_put_trailing_slash_and_bad_paths(proxied, uniq):
    srv = proxied.srv
    before = proxied.keys()
    r = raw_request(srv, "PUT", path_target(f"{uniq}/dir/"), body=b"x")
    assert r.status == 400, r
    assert r.json() == {"detail": "Artifact path must include a filename (cannot end with '/')."}
    # (The full vector catalogue is in test_artifacts_local.py; the check is shared code.)
    for logical in ("../escape.txt", f"{uniq}/../../escape.txt", "%2e%2e/escape.txt",
                    f"{uniq}/x/%2e%2e/%2e%2e/../escape.txt"):
        for method in ("PUT", "GET", "DELETE"):
            r = raw_request(srv, method, path_target(logical),
                            body=b"pwned" if method == "PUT" else None)
            assert r.status == 400, (method, logical, r)
            assert r.json()["message"] == "Invalid path", (method, logical, r)
        r = raw_request(srv, "GET", list_target(logical))
        assert r.status == 400 and r.json()["message"] == "Invalid path", (logical, r)
    assert proxied.keys() == before
    assert not [k for k in list_keys(proxied.moto.client(), proxied.bucket) if "escape" in k]


def test_raw_ajax_prefix(proxied, uniq):
    srv = proxied.srv
    put_ok(srv, f"{uniq}/aj/f.txt", b"ajax", prefix=AJAX_ART)
    assert proxied.get_object(f"{uniq}/aj/f.txt") == b"ajax"
    for prefix in (AJAX_ART, ART):
        r = raw_request(srv, "GET", path_target(f"{uniq}/aj/f.txt", prefix))
        assert r.status == 200 and r.body == b"ajax", (prefix, r)
    r = raw_request(srv, "GET", list_target(f"{uniq}/aj", AJAX_ART))
    assert r.json() == {"files": [{"path": "f.txt", "is_dir": False, "file_size": 4}]}


def test_proxied_run_upload_and_get_artifact(proxied, uniq):
    """The run endpoints on a proxied (`mlflow-artifacts:`) run whose destination is S3."""
    srv = proxied.srv
    run = make_run(srv, uniq)
    assert run["artifact_uri"] == \
        f"mlflow-artifacts:/{run['experiment_id']}/{run['run_id']}/artifacts"
    run_rel = f"{run['experiment_id']}/{run['run_id']}/artifacts"
    data = b"0123456789abcdefghij"
    r = srv.api.session.post(srv.base_url + UPLOAD, params={"run_uuid": run["run_id"],
                             "path": "up/data.bin"}, data=data, headers=OCTET, timeout=60)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    assert proxied.keys(run_rel + "/") == {f"{run_rel}/up/data.bin": 20}

    r = srv.api.session.get(srv.base_url + GET_ARTIFACT, params={
        "run_id": run["run_id"], "path": "up/data.bin"}, timeout=60)
    assert r.status_code == 200 and r.content == data, r.status_code
    assert r.headers["Content-Disposition"] == "attachment; filename=data.bin"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Length"] == "20"
    r = srv.api.session.get(srv.base_url + GET_ARTIFACT, params={
        "run_id": run["run_id"], "path": "up/data.bin"}, headers={"Range": "bytes=0-9"},
        timeout=60)
    assert r.status_code == 206, (r.status_code, r.text[:300])
    assert r.content == b"0123456789" and r.headers["Content-Range"] == "bytes 0-9/20"

    r = srv.api.session.get(srv.base_url + LIST, params={"run_id": run["run_id"]}, timeout=60)
    assert r.json() == {"root_uri": run["artifact_uri"],
                        "files": [{"path": "up", "is_dir": True}]}
    r = srv.api.session.get(srv.base_url + LIST, params={"run_id": run["run_id"], "path": "up"},
                            timeout=60)
    assert r.json() == {"root_uri": run["artifact_uri"],
                        "files": [{"path": "up/data.bin", "is_dir": False, "file_size": 20}]}
    r = srv.api.session.get(srv.base_url + GET_ARTIFACT, params={
        "run_id": run["run_id"], "path": "up"}, timeout=60)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert r.json()["message"] == \
        f"Artifact path refers to a directory, not a file: '{run_rel}/up'"
    r = srv.api.session.get(srv.base_url + GET_ARTIFACT, params={
        "run_id": run["run_id"], "path": "up/nope"}, timeout=60)
    assert r.headers["Content-Type"].startswith("application/json"), r.headers
    if srv.impl == "python":
        # MLflow 3.17.2: S3's 404 surfaces as a 500 INTERNAL_ERROR.
        assert r.status_code == 500 and r.json()["error_code"] == "INTERNAL_ERROR", r.text
    else:
        assert r.status_code == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST", \
            r.text


# --------------------------------------------------------------------------------------------
# d. Multipart uploads
# --------------------------------------------------------------------------------------------


def mpu(srv, action: str, dir_path: str, body: dict) -> RawResponse:
    return raw_request(srv, "POST", path_target(dir_path, f"{MPU}/{action}"),
                       body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})


def test_mpu_create_parts_complete(proxied, uniq):
    srv = proxied.srv
    local_name = "/home/someone/data/big.bin"  # the stock client sends its local path
    r = mpu(srv, "create", f"{uniq}/mp", {"path": local_name, "num_parts": 2})
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("application/json")
    created = r.json()
    assert set(created) == {"upload_id", "credentials"}, created
    assert isinstance(created["upload_id"], str) and created["upload_id"]
    creds = created["credentials"]
    assert [c["part_number"] for c in creds] == [1, 2], creds
    for c in creds:
        # MLflow's message_to_json drops the empty headers map.
        assert c.get("headers", {}) == {}, c
        assert c["url"].startswith("http"), c
    # Nothing visible yet.
    assert proxied.keys(f"{uniq}/") == {}

    part1 = os.urandom(5 * MiB + 17)
    part2 = os.urandom(MiB + 3)
    parts = []
    for c, data in zip(creds, (part1, part2)):
        pr = requests.put(c["url"], data=data, timeout=60)
        assert pr.status_code == 200, (pr.status_code, pr.text[:300])
        parts.append({"part_number": c["part_number"], "etag": pr.headers["ETag"], "url": c["url"]})
    r = mpu(srv, "complete", f"{uniq}/mp", {"path": local_name,
                                             "upload_id": created["upload_id"], "parts": parts})
    assert r.status == 200, r
    assert r.json() == {}

    key = f"{uniq}/mp/big.bin"  # basename of `path` under the URL's directory
    assert proxied.keys(f"{uniq}/") == {key: len(part1) + len(part2)}
    head = proxied.moto.client().head_object(Bucket=proxied.bucket, Key=proxied.key(key))
    assert head["ETag"].endswith('-2"'), head["ETag"]  # really assembled from 2 parts
    r = raw_request(srv, "GET", path_target(key))
    assert r.status == 200, r
    assert sha256(r.body) == sha256(part1 + part2)
    r = raw_request(srv, "GET", list_target(f"{uniq}/mp"))
    assert r.json() == {"files": [{"path": "big.bin", "is_dir": False,
                                   "file_size": len(part1) + len(part2)}]}


def test_mpu_abort_leaves_nothing(proxied, uniq):
    srv = proxied.srv
    s3 = proxied.moto.client()
    r = mpu(srv, "create", f"{uniq}/ab", {"path": "ab.bin", "num_parts": 2})
    assert r.status == 200, r
    created = r.json()
    pr = requests.put(created["credentials"][0]["url"], data=os.urandom(5 * MiB), timeout=60)
    assert pr.status_code == 200, pr.text[:300]
    key = proxied.key(f"{uniq}/ab/ab.bin")
    pending = s3.list_multipart_uploads(Bucket=proxied.bucket, Prefix=key).get("Uploads", [])
    assert [u["UploadId"] for u in pending] == [created["upload_id"]]

    r = mpu(srv, "abort", f"{uniq}/ab", {"path": "ab.bin", "upload_id": created["upload_id"]})
    assert r.status == 200, r
    assert r.json() == {}
    assert s3.list_multipart_uploads(Bucket=proxied.bucket, Prefix=key).get("Uploads", []) == []
    assert proxied.keys(f"{uniq}/") == {}
    r = raw_request(srv, "GET", list_target(f"{uniq}/ab"))
    assert r.status == 200 and r.json() == {}, r


def test_mpu_request_validation(proxied, uniq):
    srv = proxied.srv
    missing = ("Missing value for required parameter '{}'. See the API docs for more "
               "information about request parameters.")
    r = mpu(srv, "create", f"{uniq}/v", {"num_parts": 1})
    assert_json_error(r, 400, "INVALID_PARAMETER_VALUE", "create without path")
    assert r.json()["message"] == missing.format("path")
    r = mpu(srv, "complete", f"{uniq}/v", {"path": "x", "upload_id": "u"})
    assert_json_error(r, 400, "INVALID_PARAMETER_VALUE", "complete without parts")
    assert r.json()["message"] == missing.format("parts")
    r = mpu(srv, "abort", f"{uniq}/v", {"upload_id": "u"})
    assert_json_error(r, 400, "INVALID_PARAMETER_VALUE", "abort without path")
    r = mpu(srv, "create", "../v", {"path": "x", "num_parts": 1})
    assert r.status == 400 and r.json()["message"] == "Invalid path", r
    assert proxied.keys(f"{uniq}/") == {}


def test_mpu_client_proxy_multipart(proxied, tracking_client, uniq, tmp_path, monkeypatch):
    """The stock client's proxy multipart path: mpu/create, presigned part PUTs straight to
    S3, mpu/complete."""
    srv = tracking_client(proxied.srv)
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", str(5 * MiB))
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(5 * MiB))
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD", "false")
    f = tmp_path / "model.bin"
    data = os.urandom(12 * MiB + 11)
    f.write_bytes(data)
    exp = mlflow.set_experiment(uniq)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(f), artifact_path="weights")
    rel = f"{exp.experiment_id}/{run.info.run_id}/artifacts/weights/model.bin"
    assert proxied.keys(rel) == {rel: len(data)}
    head = proxied.moto.client().head_object(Bucket=proxied.bucket, Key=proxied.key(rel))
    assert head["ETag"].endswith('-3"'), head["ETag"]  # 5 + 5 + 2 MiB parts
    assert sha256(proxied.get_object(rel)) == sha256(data)
    local = Path(mlflow.artifacts.download_artifacts(
        artifact_uri=f"{run.info.artifact_uri}/weights/model.bin", dst_path=str(tmp_path / "d")))
    assert sha256(local.read_bytes()) == sha256(data)
    reference_log_has_no_logged_models_calls(srv)


def test_mpu_local_destination_not_implemented(local_srv, uniq):
    body = {"error_code": "NOT_IMPLEMENTED", "message": MPU_UNSUPPORTED}
    cases = [
        ("create", {"path": "big.bin", "num_parts": 2}),
        ("complete", {"path": "big.bin", "upload_id": "u",
                      "parts": [{"part_number": 1, "etag": "e"}]}),
        ("abort", {"path": "big.bin", "upload_id": "u"}),
    ]
    for action, req in cases:
        r = mpu(local_srv, action, f"{uniq}/d", req)
        assert r.status == 501, (action, r)
        assert r.headers["Content-Type"].startswith("application/json")
        # What the client's fallback tests: the message starts with MLflow's constant.
        assert r.json()["message"].startswith(MPU_UNSUPPORTED), (action, r)
        assert r.json() == body, (action, r)
    r = raw_request(local_srv, "GET", "/api/3.0/mlflow/server-info")
    assert r.json()["multipart_uploads_enabled"] is False


def test_mpu_local_destination_client_falls_back(local_srv, tracking_client, uniq, tmp_path,
                                                 monkeypatch):
    """Forced proxy multipart against a local destination: the client sees the 501 message
    and falls back to a plain PUT."""
    srv = tracking_client(local_srv)
    monkeypatch.setenv("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD", "true")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", "1024")
    monkeypatch.setenv("MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", str(5 * MiB))
    f = tmp_path / "x.bin"
    data = os.urandom(200_000)
    f.write_bytes(data)
    exp = mlflow.set_experiment(uniq)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(f))
    on_disk = Path(srv.cwd) / "artifacts" / exp.experiment_id / run.info.run_id / "artifacts"
    assert (on_disk / "x.bin").read_bytes() == data


# --------------------------------------------------------------------------------------------
# f. A client disconnecting mid-upload
# --------------------------------------------------------------------------------------------


def test_disconnect_mid_upload_leaves_nothing(proxied, uniq):
    srv = proxied.srv
    s3 = proxied.moto.client()
    put_ok(srv, f"{uniq}/other.txt", b"o")
    rel = f"{uniq}/partial.bin"
    target = path_target(rel)
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
        s.sendall(
            f"PUT {target} HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {20 * MiB}\r\n\r\n"
            .encode())
        chunk = os.urandom(MiB)
        for _ in range(8):
            s.sendall(chunk)
        time.sleep(1.0)  # let the server push what it has towards S3
    key = proxied.key(rel)
    deadline = time.monotonic() + 15
    while True:
        objects = list_keys(s3, proxied.bucket, key)
        pending = s3.list_multipart_uploads(Bucket=proxied.bucket, Prefix=key).get("Uploads", [])
        if (not objects and not pending) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert objects == {}, f"object left under the final key: {objects}"
    assert pending == [], f"multipart upload left pending: {pending}"
    r = raw_request(srv, "GET", list_target(uniq))
    assert r.json() == {"files": [{"path": "other.txt", "is_dir": False, "file_size": 1}]}
    r = raw_request(srv, "GET", path_target(rel))
    assert r.status != 200, r
    # Still fine afterwards: a complete upload to the same name works.
    put_ok(srv, rel, b"complete")
    assert proxied.get_object(rel) == b"complete"


# --------------------------------------------------------------------------------------------
# e. Outages
# --------------------------------------------------------------------------------------------

# Words (any of) the error message must contain to "name the cause", per failure mode.
CAUSE_WORDS = {
    "refuse": ("refused",),
    "reset": ("reset", "closed", "refused", "broken pipe", "eof"),
    "blackhole": ("timed out", "timeout", "did not answer", "no answer", "no response"),
}


def assert_s3_unavailable(r: RawResponse, what: str, mode: str,
                          limit: float = UNREACHABLE_LIMIT, impl: str = "mlflowd") -> None:
    assert r.elapsed < limit, f"{what}: took {r.elapsed:.1f}s (limit {limit}s): {r!r}"
    if impl == "python":
        # MLflow 3.17.2: botocore's EndpointConnectionError is not an MlflowException: a
        # plain-text (FastAPI routes) or HTML (Flask) 500.
        assert r.status == 500, f"{what}: {r!r}"
        return
    # mlflowd: a prompt JSON 503 naming the cause.
    body = assert_json_error(r, 503, "TEMPORARILY_UNAVAILABLE", what)
    msg = body["message"].lower()
    assert any(w in msg for w in CAUSE_WORDS[mode]), \
        f"{what}: message does not name the cause ({CAUSE_WORDS[mode]}): {body}"


def assert_tracking_works(srv, name: str) -> None:
    r = requests.get(srv.base_url + "/health", timeout=10)
    assert r.status_code == 200, r.text
    eid = srv.api.ok_post("experiments/create", {"name": name})["experiment_id"]
    rid = srv.api.ok_post("runs/create", {"experiment_id": eid})["run"]["info"]["run_id"]
    srv.api.ok_post("runs/log-metric", {"run_id": rid, "key": "m", "value": 1.5,
                                        "timestamp": 1, "step": 0})
    got = srv.api.ok_get("runs/get", {"run_id": rid})["run"]["data"]["metrics"]
    assert [(m["key"], m["value"]) for m in got] == [("m", 1.5)]


@pytest.fixture(scope="module")
def s3_proxy(moto_s3):
    with ToggleProxy("127.0.0.1", moto_s3.port) as px:
        yield px


@pytest.fixture(scope="module")
def outage_srv(db_factory, server_factory, moto_s3, s3_bucket, s3_proxy) -> S3Server:
    """mlflowd whose S3 endpoint is the toggle proxy in front of moto."""
    prefix = new_prefix("outage")
    db = db_factory("sqlite")
    srv = start_server(server_factory, db, "mlflowd-s3-outage",
                       artifacts_destination=f"s3://{s3_bucket}/{prefix}",
                       env=s3_env(s3_proxy.url))
    yield S3Server(srv, moto_s3, s3_bucket, prefix)
    srv.stop()


@pytest.fixture
def proxy_up(s3_proxy):
    s3_proxy.set_mode("up")
    yield s3_proxy
    s3_proxy.set_mode("up")


def _artifact_requests(srv, uniq: str, tag: str) -> dict[str, RawResponse]:
    return {
        "PUT": raw_request(srv, "PUT", path_target(f"{uniq}/{tag}.txt"), body=b"new",
                           headers=OCTET),
        "GET": raw_request(srv, "GET", path_target(f"{uniq}/a.txt")),
        "LIST": raw_request(srv, "GET", list_target(uniq)),
        "DELETE": raw_request(srv, "DELETE", path_target(f"{uniq}/a.txt")),
        "MPU": mpu(srv, "create", uniq, {"path": "m.bin", "num_parts": 1}),
    }


def test_s3_closed_port_from_start(db_factory, server_factory, s3_bucket, uniq):
    """S3 unreachable from the start (nothing listens on the endpoint's port): the server
    starts, tracking works, artifact requests fail promptly."""
    port = free_port()
    db = db_factory("sqlite")
    srv = start_server(server_factory, db, "mlflowd-s3-closed-port",
                       artifacts_destination=f"s3://{s3_bucket}/closed",
                       env=s3_env(f"http://127.0.0.1:{port}"))
    try:
        for what, r in _artifact_requests(srv, uniq, "b").items():
            assert_s3_unavailable(r, f"closed port: {what}", "refuse", impl=srv.impl)
        assert_tracking_works(srv, uniq)
    finally:
        srv.stop()


@pytest.mark.parametrize("down_mode", ["refuse", "reset"])
def test_s3_unreachable_then_back(outage_srv, proxy_up, uniq, down_mode):
    srv = outage_srv.srv
    proxy = proxy_up
    a = os.urandom(100_000)
    put_ok(srv, f"{uniq}/a.txt", a)
    assert outage_srv.get_object(f"{uniq}/a.txt") == a

    proxy.set_mode(down_mode)
    for what, r in _artifact_requests(srv, uniq, "b").items():
        assert_s3_unavailable(r, f"{down_mode}: {what}", down_mode, impl=srv.impl)
    assert_tracking_works(srv, f"{uniq}-during")
    if down_mode == "reset":
        assert proxy.accepted["reset"] > 0  # the server really tried while S3 was away

    proxy.set_mode("up")
    put_ok(srv, f"{uniq}/b.txt", b"after")
    assert outage_srv.keys(f"{uniq}/") == {f"{uniq}/a.txt": len(a), f"{uniq}/b.txt": 5}
    r = raw_request(srv, "GET", path_target(f"{uniq}/a.txt"))
    assert r.status == 200 and r.body == a, r
    r = raw_request(srv, "GET", list_target(uniq))
    assert r.json() == {"files": [{"path": "a.txt", "is_dir": False, "file_size": len(a)},
                                  {"path": "b.txt", "is_dir": False, "file_size": 5}]}
    assert_tracking_works(srv, f"{uniq}-after")


def test_s3_black_hole(outage_srv, proxy_up, uniq):
    """The endpoint accepts connections and never answers: requests end within 60 s with a
    503 and the server keeps serving meanwhile."""
    srv = outage_srv.srv
    if srv.impl == "python":
        pytest.skip("MLflow 3.17.2 waits out botocore's 60 s read timeout on each of 3 "
                    "attempts (180 s per request, then a plain/HTML 500); mlflowd bounds it")
    proxy = proxy_up
    put_ok(srv, f"{uniq}/a.txt", b"aaa")
    proxy.set_mode("blackhole")
    results: dict[str, RawResponse | BaseException] = {}

    def run(name, fn):
        try:
            results[name] = fn()
        except BaseException as e:  # noqa: BLE001 - reported below
            results[name] = e

    threads = [
        threading.Thread(target=run, args=("PUT", lambda: raw_request(
            srv, "PUT", path_target(f"{uniq}/b.txt"), body=b"bbb", headers=OCTET))),
        threading.Thread(target=run, args=("GET", lambda: raw_request(
            srv, "GET", path_target(f"{uniq}/a.txt")))),
        threading.Thread(target=run, args=("LIST", lambda: raw_request(
            srv, "GET", list_target(uniq)))),
    ]
    for t in threads:
        t.start()
    time.sleep(1)
    # Meanwhile the server is not stuck.
    t0 = time.monotonic()
    assert_tracking_works(srv, f"{uniq}-bh")
    assert time.monotonic() - t0 < 10
    for t in threads:
        t.join(BLACKHOLE_LIMIT + 30)
    assert proxy.accepted["blackhole"] > 0
    for name in ("PUT", "GET", "LIST"):
        r = results.get(name)
        assert isinstance(r, RawResponse), f"{name}: {r!r}"
        assert_s3_unavailable(r, f"blackhole {name}", "blackhole", limit=BLACKHOLE_LIMIT)

    proxy.set_mode("up")
    put_ok(srv, f"{uniq}/b.txt", b"bbb")
    r = raw_request(srv, "GET", path_target(f"{uniq}/a.txt"))
    assert r.status == 200 and r.body == b"aaa", r


def test_s3_missing_bucket(db_factory, server_factory, moto_s3, uniq):
    bucket = f"no-such-bucket-{secrets.token_hex(4)}"
    db = db_factory("sqlite")
    srv = start_server(server_factory, db, "mlflowd-s3-nobucket",
                       artifacts_destination=f"s3://{bucket}/x", env=s3_env(moto_s3.url))
    try:
        res = _artifact_requests(srv, uniq, "b")
        for what, r in res.items():
            assert r.elapsed < UNREACHABLE_LIMIT, (what, r)
        if srv.impl == "python":
            # MLflow 3.17.2: list (and GET, which lists first) map S3's NoSuchBucket to a 404
            # RESOURCE_DOES_NOT_EXIST; PUT/DELETE/mpu are HTML/plain 500s.
            for what in ("GET", "LIST"):
                assert_json_error(res[what], 404, "RESOURCE_DOES_NOT_EXIST", what,
                                  message_contains=bucket)
            for what in ("PUT", "DELETE", "MPU"):
                assert res[what].status == 500, (what, res[what])
        else:
            # mlflowd: a misconfigured destination is a server-side (5xx) JSON error naming
            # the bucket, for every operation.
            for what, r in res.items():
                assert 500 <= r.status < 600, (what, r)
                assert_json_error(r, None, None, what, message_contains=bucket)
                assert r.json().get("error_code"), (what, r)
        assert_tracking_works(srv, f"{uniq}-nb")
        assert bucket not in [b["Name"] for b in moto_s3.client().list_buckets()["Buckets"]]
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def moto_auth(e2e_tmp):
    """A dedicated moto that checks credentials: an IAM user with an access key allowed s3:*,
    a bucket, then authentication switched on (`/moto-api/reset-auth`)."""
    moto = MotoServer("moto-auth", Path(e2e_tmp) / "moto-auth" / "moto.log").start()
    iam = moto.client(service="iam")
    iam.create_user(UserName="mlflowd")
    key = iam.create_access_key(UserName="mlflowd")["AccessKey"]
    iam.put_user_policy(UserName="mlflowd", PolicyName="s3-all", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    bucket = moto.create_bucket("auth")
    moto.reset_auth(0)
    moto.access_key = key["AccessKeyId"]
    moto.secret_key = key["SecretAccessKey"]
    moto.bucket = bucket
    yield moto
    moto.stop()


def test_s3_wrong_credentials(moto_auth, db_factory, server_factory, uniq):
    from botocore.exceptions import ClientError

    moto = moto_auth
    bucket = moto.bucket
    good = moto.client(moto.access_key, moto.secret_key)
    good.put_object(Bucket=bucket, Key=f"x/{uniq}/seed.txt", Body=b"seed")
    wrong_secret = moto.secret_key[:-1] + ("A" if moto.secret_key[-1] != "A" else "B")
    # Sanity: moto really refuses the wrong secret.
    with pytest.raises(ClientError, match="SignatureDoesNotMatch"):
        moto.client(moto.access_key, wrong_secret).list_objects_v2(Bucket=bucket)

    db = db_factory("sqlite")
    bad = start_server(server_factory, db, "mlflowd-s3-badcreds",
                       artifacts_destination=f"s3://{bucket}/x",
                       env=s3_env(moto.url, moto.access_key, wrong_secret))
    ok = None
    try:
        res = _artifact_requests(bad, uniq, "b")
        for what, r in res.items():
            assert r.elapsed < UNREACHABLE_LIMIT, (what, r)
        if bad.impl == "python":
            # MLflow 3.17.2: list (and GET, which lists first) map SignatureDoesNotMatch to a
            # 401 UNAUTHENTICATED; PUT/DELETE/mpu are HTML/plain 500s.
            for what in ("GET", "LIST"):
                body = assert_json_error(res[what], 401, "UNAUTHENTICATED", what)
                assert "signature" in body["message"].lower(), body
            for what in ("PUT", "DELETE", "MPU"):
                assert res[what].status == 500, (what, res[what])
        else:
            # mlflowd: the server's own credentials being refused is a server-side 5xx JSON
            # error that says so.
            for what, r in res.items():
                assert 500 <= r.status < 600, (what, r)
                body = assert_json_error(r, None, None, what)
                assert body.get("error_code"), (what, body)
                msg = body["message"]
                assert any(w in msg for w in ("SignatureDoesNotMatch", "InvalidAccessKeyId")) \
                    or "credential" in msg.lower(), (what, body)
        assert_tracking_works(bad, f"{uniq}-bad")
        # Nothing was written with the wrong secret.
        assert list_keys(good, bucket, f"x/{uniq}/") == {f"x/{uniq}/seed.txt": 4}

        # Control: the right secret works against the same authenticating moto.
        ok = start_server(server_factory, db, "mlflowd-s3-goodcreds",
                          artifacts_destination=f"s3://{bucket}/x",
                          env=s3_env(moto.url, moto.access_key, moto.secret_key))
        put_ok(ok, f"{uniq}/b.txt", b"bbb")
        r = raw_request(ok, "GET", path_target(f"{uniq}/seed.txt"))
        assert r.status == 200 and r.body == b"seed", r
        r = raw_request(ok, "GET", list_target(uniq))
        assert r.json() == {"files": [{"path": "b.txt", "is_dir": False, "file_size": 3},
                                      {"path": "seed.txt", "is_dir": False, "file_size": 4}]}
    finally:
        bad.stop()
        if ok is not None:
            ok.stop()
