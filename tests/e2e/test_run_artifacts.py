"""Run-scoped artifact endpoints of the tracking server (Flask handlers in MLflow 3.17.2):

* ``GET /api/2.0/mlflow/artifacts/list`` (and ``/ajax-api/...``): ``list_artifacts_impl`` /
  ``_list_artifacts_for_proxied_run_artifact_root`` -- run-relative paths, ``root_uri``, the
  proto-default omission of ``file_size``, ``run_uuid`` alias, error shapes;
* ``GET /get-artifact``: ``get_artifact_handler`` + ``_send_artifact`` -- attachment headers,
  MLflow's content-type guessing, byte ranges (206/416), error shapes;
* ``POST /ajax-api/2.0/mlflow/upload-artifact``: ``upload_artifact_handler`` -- raw body written
  under the run's artifacts, the order of its checks and their messages, the 10 MiB limit;
* path-safety vectors MLflow rejects, on all three endpoints, with a check that nothing around
  the artifact destination changed.

Every expectation was checked against the reference ``mlflow server`` 3.17.2
(``MLFLOWD_BIN_IS_PYTHON=1``). Each test runs on both backends (the run lookup goes through the
tracking store). Query-string paths are sent with ``requests``, which percent-encodes the query
but never rewrites it, so the handler sees exactly the logical string.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

import pytest
import requests

LIST = "artifacts/list"
GET_ARTIFACT = "/get-artifact"
UPLOAD = "/ajax-api/2.0/mlflow/upload-artifact"
MAX_UPLOAD = 10 * 1024 * 1024
OCTET = {"Content-Type": "application/octet-stream"}


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def dest_of(srv) -> Path:
    return Path(srv.cwd) / "artifacts"


def files_under(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _, filenames in os.walk(root):
        for f in filenames:
            p = Path(dirpath) / f
            out[p.relative_to(root).as_posix()] = p.read_bytes()
    return out


class Run:
    def __init__(self, srv, experiment_id: str, run_id: str, artifact_uri: str):
        self.srv = srv
        self.experiment_id = experiment_id
        self.run_id = run_id
        self.artifact_uri = artifact_uri

    @property
    def dest_prefix(self) -> str:
        """The run's artifact directory relative to the destination (MLflow's error messages
        name artifacts by this path)."""
        return f"{self.experiment_id}/{self.run_id}/artifacts"

    @property
    def disk(self) -> Path:
        return dest_of(self.srv) / self.experiment_id / self.run_id / "artifacts"


def make_run(srv, name: str, artifact_location: str | None = None) -> Run:
    body = {"name": name}
    if artifact_location:
        body["artifact_location"] = artifact_location
    eid = srv.api.ok_post("experiments/create", body)["experiment_id"]
    info = srv.api.ok_post("runs/create", {"experiment_id": eid})["run"]["info"]
    return Run(srv, eid, info["run_id"], info["artifact_uri"])


def upload(srv, params: dict, data: bytes | None, headers: dict | None = OCTET,
           path: str = UPLOAD) -> requests.Response:
    return srv.api.session.post(srv.base_url + path, params=params, data=data,
                                headers=headers or {}, timeout=60)


def upload_ok(run: Run, rel: str, data: bytes) -> None:
    r = upload(run.srv, {"run_uuid": run.run_id, "path": rel}, data)
    assert r.status_code == 200, (rel, r.status_code, r.text[:500])


def get_artifact(srv, params: dict, headers: dict | None = None) -> requests.Response:
    return srv.api.session.get(srv.base_url + GET_ARTIFACT, params=params,
                               headers=headers or {}, timeout=60)


def list_artifacts(srv, params: dict, prefix: str = "api") -> requests.Response:
    return srv.api.request("GET", LIST, prefix=prefix, params=params)


def put_proxied(srv, logical: str, data: bytes) -> None:
    """Writes through the mlflow-artifacts PUT (the only way to make a 0-byte artifact: the
    upload-artifact handler refuses an empty body)."""
    r = srv.api.session.put(f"{srv.base_url}/api/2.0/mlflow-artifacts/artifacts/{logical}",
                            data=data, headers=OCTET, timeout=60)
    assert r.status_code == 200, (logical, r.status_code, r.text[:500])


def assert_error(r: requests.Response, status: int, code: str, message: str | None = None,
                 what: str = "") -> None:
    assert r.status_code == status, f"{what}: expected {status}, got {r.status_code} {r.text[:500]}"
    assert r.headers.get("Content-Type", "").startswith("application/json"), (what, r.headers)
    body = r.json()
    assert body.get("error_code") == code, (what, body)
    if message is not None:
        assert body.get("message") == message, (what, body)


def assert_invalid_path(r: requests.Response, what: str) -> None:
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "Invalid path", what)


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tree_run(mlflowd):
    """A run with a small artifact tree, uploaded through upload-artifact (plus one empty file
    written through the mlflow-artifacts PUT)."""
    run = make_run(mlflowd, f"tree-{secrets.token_hex(4)}")
    contents = {
        "a.txt": b"alpha\n",
        "dir/x.txt": b"hello",
        "dir/sub/y.bin": bytes(range(256)) * 4,
        "data.bin": b"0123456789abcdefghij",
    }
    for rel, data in contents.items():
        upload_ok(run, rel, data)
    put_proxied(mlflowd, f"{run.dest_prefix}/dir/empty.txt", b"")
    contents["dir/empty.txt"] = b""
    run.contents = contents
    return run


@pytest.fixture(scope="module")
def ct_run(mlflowd):
    return make_run(mlflowd, f"ct-{secrets.token_hex(4)}")


# --------------------------------------------------------------------------------------------
# 1. List
# --------------------------------------------------------------------------------------------


def test_list_root_and_nested(tree_run):
    srv, run = tree_run.srv, tree_run
    assert run.artifact_uri == f"mlflow-artifacts:/{run.dest_prefix}"
    root = {"root_uri": run.artifact_uri}
    root_files = [
        {"path": "a.txt", "is_dir": False, "file_size": 6},
        {"path": "data.bin", "is_dir": False, "file_size": 20},
        {"path": "dir", "is_dir": True},
    ]
    dir_files = [
        # A 0-byte file: the proto default is dropped by message_to_json, no "file_size".
        {"path": "dir/empty.txt", "is_dir": False},
        {"path": "dir/sub", "is_dir": True},
        {"path": "dir/x.txt", "is_dir": False, "file_size": 5},
    ]
    cases = [
        ({"run_id": run.run_id}, root_files),
        ({"run_id": run.run_id, "path": ""}, root_files),
        ({"run_uuid": run.run_id}, root_files),
        ({"run_id": run.run_id, "path": "dir"}, dir_files),
        # MLflow joins the requested path and the basename: `dir/` gives `dir/x.txt` too.
        ({"run_id": run.run_id, "path": "dir/"}, dir_files),
        ({"run_uuid": run.run_id, "path": "dir"}, dir_files),
        ({"run_id": run.run_id, "path": "dir/sub"},
         [{"path": "dir/sub/y.bin", "is_dir": False, "file_size": 1024}]),
    ]
    for prefix in ("api", "ajax-api"):
        for params, files in cases:
            r = list_artifacts(srv, params, prefix=prefix)
            assert r.status_code == 200, (prefix, params, r.status_code, r.text[:500])
            assert r.headers["Content-Type"].startswith("application/json"), r.headers
            assert r.json() == {**root, "files": files}, (prefix, params)


def test_list_missing_path_or_file_gives_only_root_uri(tree_run):
    srv, run = tree_run.srv, tree_run
    for path in ("nope", "dir/nope", "a.txt", "dir/x.txt", "dir/sub/y.bin"):
        r = list_artifacts(srv, {"run_id": run.run_id, "path": path})
        assert r.status_code == 200, (path, r.status_code, r.text[:500])
        assert r.json() == {"root_uri": run.artifact_uri}, path


def test_list_run_without_artifacts(mlflowd, uniq):
    run = make_run(mlflowd, uniq)
    r = list_artifacts(mlflowd, {"run_id": run.run_id})
    assert r.status_code == 200, r.text
    assert r.json() == {"root_uri": run.artifact_uri}


def test_list_unknown_run_404(mlflowd):
    rid = secrets.token_hex(16)
    for params in ({"run_id": rid}, {"run_uuid": rid}, {"run_id": rid, "path": "dir"}):
        r = list_artifacts(mlflowd, params)
        assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST", f"Run with id={rid} not found",
                     str(params))


def test_list_missing_run_id_400(mlflowd):
    r = list_artifacts(mlflowd, {"path": "dir"})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE",
                 "Missing value for required parameter 'run_id'. See the API docs for more "
                 "information about request parameters.")


def test_list_bad_path_checked_before_run(mlflowd):
    """`validate_path_is_safe` runs before the run lookup: an unknown run with a bad path is
    400, not 404."""
    r = list_artifacts(mlflowd, {"run_id": secrets.token_hex(16), "path": "../x"})
    assert_invalid_path(r, "list ../x of an unknown run")


def test_list_non_proxied_root(mlflowd, uniq):
    """A run whose artifact root is neither proxied nor S3 (`gs://...`). MLflow 3.17.2 tries
    the store itself and, without its SDK, answers an HTML 500; mlflowd does not serve such
    roots and must answer a prompt 501 NOT_IMPLEMENTED JSON error, never hang or 500."""
    run = make_run(mlflowd, uniq, artifact_location="gs://some-bucket/x")
    assert run.artifact_uri == f"gs://some-bucket/x/{run.run_id}/artifacts"
    r = mlflowd.api.session.get(mlflowd.api.url(LIST), params={"run_id": run.run_id},
                                timeout=20)
    g = mlflowd.api.session.get(mlflowd.base_url + GET_ARTIFACT,
                                params={"run_id": run.run_id, "path": "x.txt"}, timeout=20)
    u = mlflowd.api.session.post(mlflowd.base_url + UPLOAD,
                                 params={"run_uuid": run.run_id, "path": "x.txt"}, data=b"x",
                                 headers=OCTET, timeout=20)
    if mlflowd.impl == "python":
        for what, resp in (("list", r), ("get", g), ("upload", u)):
            assert resp.status_code == 500, (what, resp.status_code, resp.text[:500])
    else:
        assert_error(r, 501, "NOT_IMPLEMENTED", what="list of a gs:// run")
        assert_error(g, 501, "NOT_IMPLEMENTED", what="get-artifact of a gs:// run")
        assert_error(u, 501, "NOT_IMPLEMENTED", what="upload-artifact to a gs:// run")


def test_s3_root_without_s3(mlflowd, uniq):
    """A run whose root is `s3://...` on a server with no S3 configured (no endpoint that
    answers, no credentials): mlflowd reads S3 roots itself, so it must fail promptly with a
    JSON error that names the bucket, not hang or answer an empty 500. (MLflow answers an
    HTML 500 from botocore's exception.)"""
    run = make_run(mlflowd, uniq, artifact_location="s3://some-bucket/x")
    assert run.artifact_uri == f"s3://some-bucket/x/{run.run_id}/artifacts"
    started = time.monotonic()
    r = mlflowd.api.session.get(mlflowd.api.url(LIST), params={"run_id": run.run_id},
                                timeout=60)
    elapsed = time.monotonic() - started
    if mlflowd.impl == "python":
        assert r.status_code == 500, (r.status_code, r.text[:500])
        return
    assert r.status_code in (500, 503), (r.status_code, r.text[:500])
    body = r.json()
    assert body["error_code"] in ("INTERNAL_ERROR", "TEMPORARILY_UNAVAILABLE"), body
    assert "some-bucket" in body["message"], body
    assert elapsed < 45, elapsed


# --------------------------------------------------------------------------------------------
# 2. get-artifact
# --------------------------------------------------------------------------------------------


def test_get_artifact_file_and_headers(tree_run):
    srv, run = tree_run.srv, tree_run
    for key in ("run_id", "run_uuid"):
        for rel, data in tree_run.contents.items():
            r = get_artifact(srv, {key: run.run_id, "path": rel})
            assert r.status_code == 200, (key, rel, r.status_code, r.text[:500])
            assert r.content == data, (key, rel)
            name = rel.rsplit("/", 1)[-1]
            assert r.headers["Content-Disposition"] == f"attachment; filename={name}", r.headers
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert r.headers["Content-Length"] == str(len(data))
            assert r.headers["Accept-Ranges"] == "bytes"
            assert "Content-Range" not in r.headers


@pytest.mark.parametrize("name,mime", [
    ("notes.txt", "text/plain"),
    # MLflow's own text-extension table wins over `mimetypes` for these.
    ("table.csv", "text/plain"),
    ("conf.json", "text/plain"),
    ("conf.yaml", "text/plain"),
    ("MLmodel", "text/plain"),
    ("page.html", "text/html"),
    ("img.png", "image/png"),
    ("blob.bin", "application/octet-stream"),
    ("noextension", "application/octet-stream"),
])
def test_get_artifact_content_type(ct_run, name, mime):
    mlflowd, run = ct_run.srv, ct_run
    upload_ok(run, f"ct/{name}", b"<b>x</b>")
    r = get_artifact(mlflowd, {"run_id": run.run_id, "path": f"ct/{name}"})
    assert r.status_code == 200, r.text[:500]
    assert r.content == b"<b>x</b>"
    assert r.headers["Content-Type"] == mime, r.headers
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"] == f"attachment; filename={name}"


def test_get_artifact_non_ascii_name(mlflowd, uniq):
    from mlflow.server.handlers import _content_disposition_attachment

    run = make_run(mlflowd, uniq)
    name = "sp ace ü.txt"
    body = "grüße\n".encode()
    upload_ok(run, f"u/{name}", body)
    assert (run.disk / "u" / name).read_bytes() == body
    r = get_artifact(mlflowd, {"run_id": run.run_id, "path": f"u/{name}"})
    assert r.status_code == 200 and r.content == body, (r.status_code, r.text[:500])
    cd = r.headers["Content-Disposition"]
    assert "filename*=UTF-8''sp%20ace%20%C3%BC.txt" in cd, cd
    assert cd == _content_disposition_attachment(name), cd
    r = list_artifacts(mlflowd, {"run_id": run.run_id, "path": "u"})
    assert r.json()["files"] == [{"path": f"u/{name}", "is_dir": False, "file_size": len(body)}]


# data.bin is b"0123456789abcdefghij" (20 bytes).
RANGES = [
    ("bytes=2-5", "bytes 2-5/20", b"2345"),
    ("bytes=0-0", "bytes 0-0/20", b"0"),
    ("bytes=0-19", "bytes 0-19/20", b"0123456789abcdefghij"),
    ("bytes=15-", "bytes 15-19/20", b"fghij"),
    ("bytes=-4", "bytes 16-19/20", b"ghij"),
    ("bytes=18-100", "bytes 18-19/20", b"ij"),
    ("bytes=19-19", "bytes 19-19/20", b"j"),
]

# Werkzeug (MLflow's `make_conditional`) also refuses a suffix longer than the file (RFC 9110
# would serve the whole file) and any multi-range request.
UNSATISFIABLE = ["bytes=20-", "bytes=25-30", "bytes=5-2", "bytes=-0", "bytes=-50",
                 "bytes=0-0,3-4"]


def test_get_artifact_ranges(tree_run):
    srv, run = tree_run.srv, tree_run
    failures = []
    for rng, content_range, body in RANGES:
        r = get_artifact(srv, {"run_id": run.run_id, "path": "data.bin"}, {"Range": rng})
        got = (r.status_code, r.headers.get("Content-Range"), r.content,
               r.headers.get("Content-Length"))
        if got != (206, content_range, body, str(len(body))):
            failures.append(f"Range {rng}: expected 206 {content_range} {body!r}, got {got}")
            continue
        if r.headers.get("Content-Disposition") != "attachment; filename=data.bin" or \
                r.headers.get("X-Content-Type-Options") != "nosniff" or \
                r.headers.get("Content-Type") != "application/octet-stream":
            failures.append(f"Range {rng}: headers {dict(r.headers)}")
    assert not failures, "\n".join(failures)


def test_get_artifact_unsatisfiable_range_416(tree_run):
    srv, run = tree_run.srv, tree_run
    failures = []
    for rng in UNSATISFIABLE:
        r = get_artifact(srv, {"run_id": run.run_id, "path": "data.bin"}, {"Range": rng})
        got = (r.status_code, r.headers.get("Content-Range"))
        if got != (416, "bytes */20"):
            failures.append(f"Range {rng}: expected 416 'bytes */20', got {got} "
                            f"{r.content[:200]!r}")
        elif b"0123456789" in r.content:
            failures.append(f"Range {rng}: 416 carries the file: {r.content!r}")
    assert not failures, "\n".join(failures)


def test_get_artifact_missing_file_404(tree_run):
    srv, run = tree_run.srv, tree_run
    for rel in ("nope.txt", "dir/nope", "nodir/x.txt"):
        r = get_artifact(srv, {"run_id": run.run_id, "path": rel})
        # MLflow names the artifact by its path under the destination.
        assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST",
                     f"No such artifact: '{run.dest_prefix}/{rel}'", rel)


def test_get_artifact_directory_400(tree_run):
    srv, run = tree_run.srv, tree_run
    for rel in ("dir", "dir/sub"):
        r = get_artifact(srv, {"run_id": run.run_id, "path": rel})
        assert_error(r, 400, "INVALID_PARAMETER_VALUE",
                     f"Artifact path refers to a directory, not a file: "
                     f"'{run.dest_prefix}/{rel}'", rel)


def test_get_artifact_unknown_run_404(mlflowd):
    rid = secrets.token_hex(16)
    for key in ("run_id", "run_uuid"):
        r = get_artifact(mlflowd, {key: rid, "path": "a.txt"})
        assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST", f"Run with id={rid} not found", key)


def test_get_artifact_missing_params(tree_run):
    srv, run = tree_run.srv, tree_run
    # No `path`: Flask's `request.args["path"]` -> 400 (werkzeug's HTML BadRequest in MLflow).
    r = get_artifact(srv, {"run_id": run.run_id})
    assert r.status_code == 400, (r.status_code, r.text[:500])
    assert b"alpha" not in r.content
    # No run id at all: MLflow looks up the run `None`.
    r = get_artifact(srv, {"path": "a.txt"})
    assert_error(r, 404, "RESOURCE_DOES_NOT_EXIST", "Run with id=None not found")


def test_get_artifact_bad_path_checked_before_run(mlflowd):
    r = get_artifact(mlflowd, {"run_id": secrets.token_hex(16), "path": "../x"})
    assert_invalid_path(r, "get-artifact ../x of an unknown run")


# --------------------------------------------------------------------------------------------
# 3. upload-artifact
# --------------------------------------------------------------------------------------------


def test_upload_roundtrip_disk_get_list(mlflowd, uniq):
    run = make_run(mlflowd, uniq)
    data = os.urandom(300_000)
    r = upload(mlflowd, {"run_uuid": run.run_id, "path": "models/m/weights.bin"}, data)
    assert r.status_code == 200, r.text[:500]
    assert r.content == b""
    assert r.headers["Content-Type"].startswith("application/json"), r.headers
    assert (run.disk / "models" / "m" / "weights.bin").read_bytes() == data
    assert files_under(run.disk) == {"models/m/weights.bin": data}

    r = get_artifact(mlflowd, {"run_id": run.run_id, "path": "models/m/weights.bin"})
    assert r.status_code == 200 and r.content == data
    r = list_artifacts(mlflowd, {"run_id": run.run_id, "path": "models/m"})
    assert r.json() == {"root_uri": run.artifact_uri, "files": [
        {"path": "models/m/weights.bin", "is_dir": False, "file_size": len(data)}]}

    # Overwrite with shorter content, with other content types (the raw body is the data).
    for ct in ("text/plain", "application/json", None):
        new = f"v-{ct}".encode()
        r = upload(mlflowd, {"run_uuid": run.run_id, "path": "models/m/weights.bin"}, new,
                   headers={"Content-Type": ct} if ct else {})
        assert r.status_code == 200, (ct, r.status_code, r.text[:500])
        assert (run.disk / "models" / "m" / "weights.bin").read_bytes() == new, ct
    assert sorted(files_under(run.disk)) == ["models/m/weights.bin"]


def test_upload_error_messages_and_order(tree_run):
    srv, run = tree_run.srv, tree_run
    unknown = secrets.token_hex(16)
    before = files_under(dest_of(srv))
    cases = [
        # (params, body, status, error_code, message)
        ({"path": "a.txt"}, b"x", 400, "INVALID_PARAMETER_VALUE",
         "Request must specify run_uuid."),
        ({"run_uuid": "", "path": "a.txt"}, b"x", 400, "INVALID_PARAMETER_VALUE",
         "Request must specify run_uuid."),
        # `run_id` is not an alias here.
        ({"run_id": run.run_id, "path": "new.txt"}, b"x", 400, "INVALID_PARAMETER_VALUE",
         "Request must specify run_uuid."),
        ({"run_uuid": run.run_id}, b"x", 400, "INVALID_PARAMETER_VALUE",
         "Request must specify path."),
        ({"run_uuid": run.run_id, "path": ""}, b"x", 400, "INVALID_PARAMETER_VALUE",
         "Request must specify path."),
        # run_uuid is checked before path.
        ({}, b"", 400, "INVALID_PARAMETER_VALUE", "Request must specify run_uuid."),
        ({"run_uuid": run.run_id, "path": "new.txt"}, b"", 400, "INVALID_PARAMETER_VALUE",
         "Request must specify data."),
        ({"run_uuid": run.run_id, "path": "new.txt"}, None, 400, "INVALID_PARAMETER_VALUE",
         "Request must specify data."),
        # The path is validated before the body is looked at.
        ({"run_uuid": run.run_id, "path": "../new.txt"}, b"", 400, "INVALID_PARAMETER_VALUE",
         "Invalid path"),
        # The body is checked before the run is looked up.
        ({"run_uuid": unknown, "path": "new.txt"}, b"", 400, "INVALID_PARAMETER_VALUE",
         "Request must specify data."),
        ({"run_uuid": unknown, "path": "new.txt"}, b"x", 404, "RESOURCE_DOES_NOT_EXIST",
         f"Run with id={unknown} not found"),
    ]
    failures = []
    for params, body, status, code, message in cases:
        r = upload(srv, params, body)
        try:
            assert_error(r, status, code, message, f"{params} body={body!r}")
        except AssertionError as e:
            failures.append(str(e))
    assert files_under(dest_of(srv)) == before
    assert not failures, "\n".join(failures)


def test_upload_form_urlencoded_body_is_not_data(tree_run):
    """Flask parses an `application/x-www-form-urlencoded` body as a form, so `request.data`
    is empty and MLflow answers "Request must specify data." (curl's default for -d)."""
    srv, run = tree_run.srv, tree_run
    before = files_under(dest_of(srv))
    r = upload(srv, {"run_uuid": run.run_id, "path": "form.txt"}, b"k=v&x=y",
               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", "Request must specify data.")
    assert files_under(dest_of(srv)) == before


def test_upload_size_limit(mlflowd, uniq):
    run = make_run(mlflowd, uniq)
    exact = os.urandom(MAX_UPLOAD)
    upload_ok(run, "big/exact.bin", exact)
    assert (run.disk / "big" / "exact.bin").read_bytes() == exact
    r = get_artifact(mlflowd, {"run_id": run.run_id, "path": "big/exact.bin"},
                     {"Range": f"bytes={MAX_UPLOAD - 10}-"})
    assert r.status_code == 206 and r.content == exact[-10:], r.status_code
    del exact

    too_big = os.urandom(MAX_UPLOAD + 1)
    message = "Artifact size is too large. Max size is 10MB."
    r = upload(mlflowd, {"run_uuid": run.run_id, "path": "big/too.bin"}, too_big)
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", message, "10 MiB + 1")
    # The size is checked before the run is looked up.
    r = upload(mlflowd, {"run_uuid": secrets.token_hex(16), "path": "big/too.bin"}, too_big)
    assert_error(r, 400, "INVALID_PARAMETER_VALUE", message, "10 MiB + 1, unknown run")
    assert sorted(files_under(run.disk)) == ["big/exact.bin"]
    # Still healthy afterwards.
    upload_ok(run, "big/after.txt", b"after")
    assert (run.disk / "big" / "after.txt").read_bytes() == b"after"


def test_upload_route_is_ajax_post_only(tree_run):
    srv, run = tree_run.srv, tree_run
    before = files_under(dest_of(srv))
    r = upload(srv, {"run_uuid": run.run_id, "path": "api.txt"}, b"x",
               path="/api/2.0/mlflow/upload-artifact")
    assert r.status_code == 404, (r.status_code, r.text[:300])
    r = srv.api.session.get(srv.base_url + UPLOAD,
                            params={"run_uuid": run.run_id, "path": "get.txt"}, timeout=30)
    assert r.status_code == 405, (r.status_code, r.text[:300])
    assert files_under(dest_of(srv)) == before


# --------------------------------------------------------------------------------------------
# 4. Path safety (query-string `path`, one level of URL decoding by the server)
# --------------------------------------------------------------------------------------------

# Logical `path` values MLflow 3.17.2's `validate_path_is_safe` rejects with "Invalid path".
# `x/../dir/x.txt` and `dir/sub/../x.txt` normalise to existing files of `tree_run`.
REJECTED = [
    "..", "../x", "a/..", "a/../../b", "../" * 12 + "etc/passwd", "x/../dir/x.txt",
    "dir/sub/../x.txt", "../../artifacts/a.txt", "/etc/passwd", "//etc/passwd", " /etc/passwd",
    "%2e%2e/x", "..%2fx", "%2E%2E%2Fvictim.txt", "%252e%252e%252fx", "x%252f..%252f..%252fy",
    "%2fetc%2fpasswd", "C:\\x", "file:///etc/passwd", "file://host/etc", "FILE:///etc",
    "file%3a///etc/passwd", "a#b", "a%23/../../b", "a/b#/../../victim.txt",
]


@pytest.fixture
def sandbox(tree_run):
    srv = tree_run.srv
    dest = dest_of(srv)
    victim = dest.parent / "victim.txt"
    victim.write_bytes(b"victim")
    before = files_under(dest)

    def check(what: str) -> None:
        assert victim.read_bytes() == b"victim", what
        assert sorted(p.name for p in dest.parent.iterdir()) == sorted(
            ["artifacts", "victim.txt", Path(srv.log_path).name]), what
        assert files_under(dest) == before, f"{what}: destination changed"

    return check


@pytest.mark.parametrize("endpoint", ["list", "get", "upload"])
def test_path_vectors_rejected(tree_run, sandbox, endpoint):
    srv, run = tree_run.srv, tree_run
    failures = []
    for logical in REJECTED:
        if endpoint == "list":
            r = list_artifacts(srv, {"run_id": run.run_id, "path": logical})
        elif endpoint == "get":
            r = get_artifact(srv, {"run_id": run.run_id, "path": logical})
        else:
            r = upload(srv, {"run_uuid": run.run_id, "path": logical}, b"pwned")
        try:
            assert_invalid_path(r, f"{endpoint} {logical!r}")
            assert b"hello" not in r.content and b"root:" not in r.content
        except AssertionError as e:
            failures.append(str(e))
        sandbox(f"{endpoint} {logical!r}")
    assert not failures, "\n".join(failures)


# Accepted by MLflow 3.17.2 on Linux (it writes `a\b`, `a%00b`, `ab`...), refused by mlflowd on
# purpose (src/artifacts/path.rs, "Deliberate rejections"): mlflowd-only.
STRICTER = ["a\\b", "..\\x", "c:x", "a\x00b", "a%00b", "a\nb", "a%09b", "a#", "a%23",
            "dir/x.txt#"]


@pytest.mark.parametrize("endpoint", ["list", "get", "upload"])
def test_stricter_path_vectors_mlflowd(tree_run, sandbox, endpoint):
    srv, run = tree_run.srv, tree_run
    if srv.impl == "python":
        pytest.skip("MLflow 3.17.2 accepts these on Linux; mlflowd refuses them by design")
    failures = []
    for logical in STRICTER:
        if endpoint == "list":
            r = list_artifacts(srv, {"run_id": run.run_id, "path": logical})
        elif endpoint == "get":
            r = get_artifact(srv, {"run_id": run.run_id, "path": logical})
        else:
            r = upload(srv, {"run_uuid": run.run_id, "path": logical}, b"pwned")
        try:
            assert_invalid_path(r, f"{endpoint} {logical!r}")
        except AssertionError as e:
            failures.append(str(e))
        sandbox(f"{endpoint} {logical!r}")
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------------------------
# 5. Body formatting (Flask handlers: pretty-printed `message_to_json`, `json.dumps` errors)
# --------------------------------------------------------------------------------------------


def test_list_body_formatting(tree_run):
    import json

    srv, run = tree_run.srv, tree_run
    r = list_artifacts(srv, {"run_id": run.run_id, "path": "dir/sub"})
    expected = {"root_uri": run.artifact_uri,
                "files": [{"path": "dir/sub/y.bin", "is_dir": False, "file_size": 1024}]}
    assert r.content == json.dumps(expected, indent=2).encode(), r.content
    r = list_artifacts(srv, {"run_id": run.run_id, "path": "nope"})
    assert r.content == json.dumps({"root_uri": run.artifact_uri}, indent=2).encode(), r.content



def test_error_body_formatting(tree_run):
    """Errors: `catch_mlflow_exception` writes `MlflowException.serialize_as_json()`, i.e. one
    line with `json.dumps`' default separators, not the pretty-printed success bodies."""
    import json

    srv, run = tree_run.srv, tree_run
    error_cases = {
        "list ../x": list_artifacts(srv, {"run_id": run.run_id, "path": "../x"}),
        "list unknown run": list_artifacts(srv, {"run_id": secrets.token_hex(16)}),
        "list no run_id": list_artifacts(srv, {"path": "dir"}),
        "get missing": get_artifact(srv, {"run_id": run.run_id, "path": "nope.txt"}),
        "get ../x": get_artifact(srv, {"run_id": run.run_id, "path": "../x"}),
        "get dir": get_artifact(srv, {"run_id": run.run_id, "path": "dir"}),
        "upload no path": upload(srv, {"run_uuid": run.run_id}, b"x"),
        "upload ../x": upload(srv, {"run_uuid": run.run_id, "path": "../x"}, b"x"),
    }
    failures = []
    for what, r in error_cases.items():
        assert r.status_code in (400, 404), (what, r.status_code)
        if r.content != json.dumps(r.json()).encode():
            failures.append(f"{what}: {r.content!r}")
        if list(r.json()) != ["error_code", "message", "sqlstate", "error_class"]:
            failures.append(f"{what}: keys {list(r.json())}")
    assert not failures, "\n".join(failures)
