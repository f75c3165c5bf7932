"""The proxied artifact service on local disk (``--artifacts-destination <dir>``).

* the stock 3.17.2 client uploads (``log_artifact``/``log_artifacts``/``log_text``), lists and
  downloads through the ``mlflow-artifacts`` repository, on both backends, checked byte for byte
  and on disk;
* raw HTTP: PUT/GET/DELETE/list with their headers and error shapes, under both prefixes;
* path-safety vectors (security reference §A.10) on all four endpoints, sent verbatim with
  ``http.client`` (``requests``/urllib3 would collapse ``..`` segments before they reach the
  server), with a check that nothing outside (or inside) the destination changed;
* a client that disconnects mid-upload leaves nothing under the final name;
* ``--no-serve-artifacts`` answers 503; ``/api/3.0/mlflow/server-info``.

The listing/downloading mostly goes through the artifact repository; the client's run-scoped
paths (``MlflowClient.list_artifacts(run, dir)``, ``download_artifacts(run_id=…)``), which search
logged models first, are covered in test_artifacts_s3.py and test_logged_models.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import urllib.parse
from pathlib import Path

import mlflow
import pytest
from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

from rawhttp import RawResponse, raw_request

ART = "/api/2.0/mlflow-artifacts/artifacts"
AJAX_ART = "/ajax-api/2.0/mlflow-artifacts/artifacts"
TEMP_PREFIX = ".mlflowd-upload-"
DISABLED_DETAIL = (
    "Artifact serving is disabled. Run `mlflow server` with `--serve-artifacts` to enable."
)
FILENAME_DETAIL = "Artifact path must include a filename (cannot end with '/')."

# Characters kept literally when a logical path is put into a URL path. Everything else
# (notably `%`, `#`, `?`, `\`, spaces, controls and non-ASCII) is percent-encoded, so the server's
# one level of URL decoding hands exactly the logical string to `validate_path_is_safe`.
URL_PATH_SAFE = "/:!$&'()*+,;=@"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------




def path_target(logical: str, prefix: str = ART) -> str:
    return f"{prefix}/{urllib.parse.quote(logical, safe=URL_PATH_SAFE)}"


def list_target(logical: str | None, prefix: str = ART) -> str:
    if logical is None:
        return prefix
    return f"{prefix}?path={urllib.parse.quote(logical, safe='')}"


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def md5_file(p: Path) -> str:
    return md5(Path(p).read_bytes())


def dest_of(srv) -> Path:
    return Path(srv.cwd) / "artifacts"


def files_under(root: Path) -> dict[str, bytes]:
    out = {}
    for dirpath, _, filenames in os.walk(root):
        for f in filenames:
            p = Path(dirpath) / f
            out[p.relative_to(root).as_posix()] = p.read_bytes()
    return out


def assert_invalid_path(resp: RawResponse, what: str, message: str = "Invalid path") -> None:
    assert resp.status == 400, f"{what}: expected 400, got {resp!r}"
    try:
        body = resp.json()
    except ValueError:
        pytest.fail(f"{what}: 400 without a JSON body: {resp!r}")
    assert body.get("error_code") == "INVALID_PARAMETER_VALUE", f"{what}: {body}"
    assert body.get("message") == message, f"{what}: {body}"


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def raw_srv(db_factory, server_factory):
    """One mlflowd on SQLite for the raw-HTTP tests (the artifact service ignores the backend)."""
    db = db_factory("sqlite")
    srv = server_factory("mlflowd", db, label="mlflowd-artifacts-raw")
    yield srv
    srv.stop()


@pytest.fixture
def client_env(mlflowd, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflowd.base_url)
    mlflow.set_tracking_uri(mlflowd.base_url)
    yield mlflowd
    while mlflow.active_run() is not None:
        mlflow.end_run()


# --------------------------------------------------------------------------------------------
# 1. Client round trip (both backends)
# --------------------------------------------------------------------------------------------


def test_client_roundtrip(client_env, uniq, tmp_path):
    srv = client_env
    src = tmp_path / "src"
    src.mkdir()
    big = src / "big.bin"
    big.write_bytes(os.urandom(3 * 1024 * 1024 + 123))
    empty = src / "empty.txt"
    empty.write_bytes(b"")
    uni_dir = src / "uni"
    uni_dir.mkdir()
    uni = uni_dir / "sp ace ü.txt"
    uni.write_bytes("grüße, 日本語\n".encode())
    tree = src / "tree"
    (tree / "sub" / "deeper").mkdir(parents=True)
    (tree / "a.txt").write_bytes(b"alpha\n")
    (tree / "sub" / "b.json").write_bytes(b'{"b": 1}\n')
    (tree / "sub" / "deeper" / "c.csv").write_bytes(b"x,y\n1,2\n" * 1000)
    (tree / "sub" / "deeper" / "empty inner.dat").write_bytes(b"")
    (tree / "日本語").mkdir()
    (tree / "日本語" / "ファイル.txt").write_bytes("ファイル\n".encode())
    text = "hello ü\nsecond line\n"

    # The expected artifact tree: artifact path -> bytes.
    expected = {
        "big.bin": big.read_bytes(),
        "empty.txt": b"",
        "uni/sp ace ü.txt": uni.read_bytes(),
        "notes/readme.md": text.encode(),
    }
    for rel, data in files_under(tree).items():
        expected[f"tree/{rel}"] = data

    exp = mlflow.set_experiment(uniq)
    with mlflow.start_run() as run:
        mlflow.log_artifact(str(big))
        mlflow.log_artifact(str(empty))
        mlflow.log_artifact(str(uni), artifact_path="uni")
        mlflow.log_artifacts(str(tree), artifact_path="tree")
        mlflow.log_text(text, "notes/readme.md")
    run_id = run.info.run_id
    artifact_uri = run.info.artifact_uri
    assert artifact_uri == f"mlflow-artifacts:/{exp.experiment_id}/{run_id}/artifacts"

    repo = get_artifact_repository(artifact_uri)

    # Listing: root, a nested directory, a deeper one, a unicode directory.
    def listing(path):
        return [(f.path, f.is_dir, f.file_size) for f in repo.list_artifacts(path)]

    assert listing(None) == [
        ("big.bin", False, len(expected["big.bin"])),
        # MLflow leaves `file_size` out of the JSON for an empty file (proto default 0), so
        # the client sees None.
        ("empty.txt", False, None),
        ("notes", True, None),
        ("tree", True, None),
        ("uni", True, None),
    ]
    assert listing("tree") == [
        ("tree/a.txt", False, 6),
        ("tree/sub", True, None),
        ("tree/日本語", True, None),
    ]
    assert listing("tree/sub") == [
        ("tree/sub/b.json", False, 9),
        ("tree/sub/deeper", True, None),
    ]
    assert listing("tree/sub/deeper") == [
        ("tree/sub/deeper/c.csv", False, 8000),
        ("tree/sub/deeper/empty inner.dat", False, None),
    ]
    assert listing("uni") == [("uni/sp ace ü.txt", False, len(expected["uni/sp ace ü.txt"]))]
    assert listing("tree/日本語") == [("tree/日本語/ファイル.txt", False, 13)]
    assert listing("does-not-exist") == []

    # Download everything and compare every file.
    dst = tmp_path / "dst"
    dst.mkdir()
    local_root = Path(repo.download_artifacts("", str(dst)))
    got = files_under(local_root)
    assert sorted(got) == sorted(expected)
    for rel, data in expected.items():
        assert md5(got[rel]) == md5(data), rel

    # A single file by path, into a fresh directory.
    single = tmp_path / "single"
    single.mkdir()
    p = Path(repo.download_artifacts("uni/sp ace ü.txt", str(single)))
    assert p.name == "sp ace ü.txt" and p.read_bytes() == expected["uni/sp ace ü.txt"]

    # On disk, exactly these files under <dest>/<exp>/<run>/artifacts, no temp leftovers.
    run_dir = dest_of(srv) / exp.experiment_id / run_id / "artifacts"
    on_disk = files_under(run_dir)
    assert sorted(on_disk) == sorted(expected)
    for rel, data in expected.items():
        assert md5(on_disk[rel]) == md5(data), rel
    leftovers = [p for p in (dest_of(srv) / exp.experiment_id).rglob("*")
                 if p.name.startswith(TEMP_PREFIX)]
    assert leftovers == []


def test_client_overwrite_replaces_file(client_env, uniq, tmp_path):
    """Logging the same artifact path twice leaves the second content (rename over)."""
    srv = client_env
    exp = mlflow.set_experiment(uniq)
    with mlflow.start_run() as run:
        mlflow.log_text("first version, longer than the second\n", "x/v.txt")
        mlflow.log_text("second\n", "x/v.txt")
    repo = get_artifact_repository(run.info.artifact_uri)
    assert [(f.path, f.file_size) for f in repo.list_artifacts("x")] == [("x/v.txt", 7)]
    on_disk = dest_of(srv) / exp.experiment_id / run.info.run_id / "artifacts" / "x" / "v.txt"
    assert on_disk.read_bytes() == b"second\n"


# --------------------------------------------------------------------------------------------
# 2. Raw HTTP happy paths and error shapes
# --------------------------------------------------------------------------------------------


def test_put_get_headers_and_disk(raw_srv, uniq):
    dest = dest_of(raw_srv)
    data = os.urandom(200_000)
    r = raw_request(raw_srv, "PUT", path_target(f"{uniq}/d/blob.bin"), body=data,
                    headers={"Content-Type": "application/octet-stream"})
    assert r.status == 200, r
    assert r.body == b""
    assert (dest / uniq / "d" / "blob.bin").read_bytes() == data

    r = raw_request(raw_srv, "GET", path_target(f"{uniq}/d/blob.bin"))
    assert r.status == 200, r
    assert r.body == data
    assert r.headers["Content-Length"] == str(len(data))
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"] == "attachment; filename=blob.bin"
    assert r.headers["Content-Type"].startswith("application/octet-stream")

    # A text file: guessed content type.
    r = raw_request(raw_srv, "PUT", path_target(f"{uniq}/d/notes.txt"), body=b"hello\n")
    assert r.status == 200, r
    r = raw_request(raw_srv, "GET", path_target(f"{uniq}/d/notes.txt"))
    assert r.status == 200 and r.body == b"hello\n", r
    assert r.headers["Content-Type"].startswith("text/plain"), r.headers
    assert r.headers["Content-Length"] == "6"
    assert r.headers["Content-Disposition"] == "attachment; filename=notes.txt"

    # An empty file.
    r = raw_request(raw_srv, "PUT", path_target(f"{uniq}/d/empty"), body=b"")
    assert r.status == 200, r
    assert (dest / uniq / "d" / "empty").read_bytes() == b""
    r = raw_request(raw_srv, "GET", path_target(f"{uniq}/d/empty"))
    assert r.status == 200 and r.body == b"", r
    assert r.headers["Content-Length"] == "0"


def test_get_non_ascii_name_content_disposition(raw_srv, uniq):
    from mlflow.server.handlers import _content_disposition_attachment

    name = "sp ace ü.txt"
    body = "ü\n".encode()
    r = raw_request(raw_srv, "PUT", path_target(f"{uniq}/{name}"), body=body)
    assert r.status == 200, r
    assert (dest_of(raw_srv) / uniq / name).read_bytes() == body
    r = raw_request(raw_srv, "GET", path_target(f"{uniq}/{name}"))
    assert r.status == 200 and r.body == body, r
    cd = r.headers["Content-Disposition"]
    assert cd.startswith("attachment; filename="), cd
    assert "filename*=UTF-8''sp%20ace%20%C3%BC.txt" in cd, cd
    # Exactly what MLflow 3.17.2 sends (ASCII fallback is the NFKD-stripped name).
    assert cd == _content_disposition_attachment(name), cd
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Length"] == str(len(body))


def test_get_missing_file_is_404_json(raw_srv, uniq):
    r = raw_request(raw_srv, "GET", path_target(f"{uniq}/nope.txt"))
    assert r.status == 404, r
    body = r.json()
    assert body["error_code"] == "RESOURCE_DOES_NOT_EXIST", body
    assert body["message"] == f"No such artifact: '{uniq}/nope.txt'", body


def test_get_directory_is_400_detail(raw_srv, uniq):
    r = raw_request(raw_srv, "PUT", path_target(f"{uniq}/dir/f.txt"), body=b"x")
    assert r.status == 200, r
    r = raw_request(raw_srv, "GET", path_target(f"{uniq}/dir"))
    assert r.status == 400, r
    assert r.json() == {"detail": f"Artifact path refers to a directory, not a file: '{uniq}/dir'"}


def test_put_trailing_slash_is_400(raw_srv, uniq):
    before = files_under(dest_of(raw_srv))
    r = raw_request(raw_srv, "PUT", path_target(f"{uniq}/dir/"), body=b"x")
    assert r.status == 400, r
    assert r.json() == {"detail": FILENAME_DETAIL}
    assert files_under(dest_of(raw_srv)) == before
    assert not (dest_of(raw_srv) / uniq).exists()


def test_list_shapes(raw_srv, uniq):
    for rel, body in [("a.txt", b"12345"), ("sub/b.txt", b"xy"), ("sub/deep/c", b"")]:
        r = raw_request(raw_srv, "PUT", path_target(f"{uniq}/{rel}"), body=body)
        assert r.status == 200, r

    r = raw_request(raw_srv, "GET", list_target(uniq))
    assert r.status == 200, r
    assert r.json() == {"files": [
        {"path": "a.txt", "is_dir": False, "file_size": 5},
        {"path": "sub", "is_dir": True},
    ]}
    r = raw_request(raw_srv, "GET", list_target(f"{uniq}/sub"))
    assert r.status == 200, r
    assert r.json() == {"files": [
        {"path": "b.txt", "is_dir": False, "file_size": 2},
        {"path": "deep", "is_dir": True},
    ]}
    # An empty file: MLflow's message_to_json drops the proto default, no "file_size" key.
    r = raw_request(raw_srv, "GET", list_target(f"{uniq}/sub/deep"))
    assert r.status == 200, r
    assert r.json() == {"files": [{"path": "c", "is_dir": False}]}
    # The root lists this test's directory among others.
    r = raw_request(raw_srv, "GET", list_target(None))
    assert r.status == 200, r
    assert {"path": uniq, "is_dir": True} in r.json()["files"]
    # Missing directory and a file: empty object.
    r = raw_request(raw_srv, "GET", list_target(f"{uniq}/missing"))
    assert r.status == 200 and r.json() == {}, r
    r = raw_request(raw_srv, "GET", list_target(f"{uniq}/a.txt"))
    assert r.status == 200 and r.json() == {}, r


def test_delete_file_and_tree(raw_srv, uniq):
    dest = dest_of(raw_srv)
    for rel in ["keep.txt", "gone.txt", "tree/x.txt", "tree/sub/y.txt"]:
        r = raw_request(raw_srv, "PUT", path_target(f"{uniq}/{rel}"), body=rel.encode())
        assert r.status == 200, r

    r = raw_request(raw_srv, "DELETE", path_target(f"{uniq}/gone.txt"))
    assert r.status == 200 and r.json() == {}, r
    assert not (dest / uniq / "gone.txt").exists()

    r = raw_request(raw_srv, "DELETE", path_target(f"{uniq}/tree"))
    assert r.status == 200 and r.json() == {}, r
    assert not (dest / uniq / "tree").exists()

    r = raw_request(raw_srv, "GET", list_target(f"{uniq}/tree"))
    assert r.status == 200 and r.json() == {}, r
    r = raw_request(raw_srv, "GET", list_target(uniq))
    assert r.json() == {"files": [{"path": "keep.txt", "is_dir": False, "file_size": 8}]}
    r = raw_request(raw_srv, "GET", path_target(f"{uniq}/tree/x.txt"))
    assert r.status == 404, r
    assert (dest / uniq / "keep.txt").read_bytes() == b"keep.txt"


def test_ajax_prefix(raw_srv, uniq):
    r = raw_request(raw_srv, "PUT", path_target(f"{uniq}/aj/f.txt", AJAX_ART), body=b"ajax")
    assert r.status == 200, r
    assert (dest_of(raw_srv) / uniq / "aj" / "f.txt").read_bytes() == b"ajax"
    # Visible under both prefixes.
    for prefix in (AJAX_ART, ART):
        r = raw_request(raw_srv, "GET", path_target(f"{uniq}/aj/f.txt", prefix))
        assert r.status == 200 and r.body == b"ajax", (prefix, r)
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    r = raw_request(raw_srv, "GET", list_target(f"{uniq}/aj", AJAX_ART))
    assert r.status == 200, r
    assert r.json() == {"files": [{"path": "f.txt", "is_dir": False, "file_size": 4}]}
    r = raw_request(raw_srv, "GET", path_target(f"{uniq}/aj/missing", AJAX_ART))
    assert r.status == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST", r
    r = raw_request(raw_srv, "GET", path_target(f"{uniq}/../x", AJAX_ART))
    assert_invalid_path(r, "ajax GET ../x")
    r = raw_request(raw_srv, "DELETE", path_target(f"{uniq}/aj", AJAX_ART))
    assert r.status == 200 and r.json() == {}, r
    assert not (dest_of(raw_srv) / uniq / "aj").exists()


def test_streaming_route_bodies_are_compact_json(raw_srv, uniq):
    """GET/PUT are FastAPI routes in MLflow 3.17.2: their JSON bodies (errors and `detail`s)
    are compact (`JSONResponse`), unlike the pretty-printed Flask handlers."""
    r = raw_request(raw_srv, "PUT", path_target(f"{uniq}/d/f.txt"), body=b"x")
    assert r.status == 200, r

    def compact(obj) -> bytes:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()

    cases = [
        ("GET", path_target(f"{uniq}/d/nope"), None, 404, {
            "error_code": "RESOURCE_DOES_NOT_EXIST",
            "message": f"No such artifact: '{uniq}/d/nope'",
            "sqlstate": "KAM00", "error_class": "RESOURCE_NOT_FOUND"}),
        ("GET", path_target("../x"), None, 400, {
            "error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid path",
            "sqlstate": "KAM00", "error_class": "INVALID_PARAMETER_VALUE"}),
        ("PUT", path_target("../x"), b"", 400, {
            "error_code": "INVALID_PARAMETER_VALUE", "message": "Invalid path",
            "sqlstate": "KAM00", "error_class": "INVALID_PARAMETER_VALUE"}),
        ("GET", path_target(f"{uniq}/d"), None, 400, {
            "detail": f"Artifact path refers to a directory, not a file: '{uniq}/d'"}),
        ("PUT", path_target(f"{uniq}/d/"), b"", 400, {"detail": FILENAME_DETAIL}),
    ]
    failures = []
    for method, target, body, status, expected in cases:
        r = raw_request(raw_srv, method, target, body=body)
        assert r.status == status, (method, target, r)
        assert r.json() == expected, (method, target, r)
        if r.body != compact(expected):
            failures.append(f"{method} {target}: {r.body!r} != {compact(expected)!r}")
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------------------------
# 3. Path safety
# --------------------------------------------------------------------------------------------


def test_dot_segments_reach_the_server_verbatim(raw_srv, uniq):
    """`a/../b.txt` names an existing file after normalisation: the server must refuse it (the
    raw path arrived), never serve/overwrite/delete `b.txt`."""
    dest = dest_of(raw_srv)
    r = raw_request(raw_srv, "PUT", path_target(f"{uniq}/b.txt"), body=b"original")
    assert r.status == 200, r
    # Sanity: the literal target really contains the dot segment.
    target = path_target(f"{uniq}/a/../b.txt")
    assert "/a/../b.txt" in target

    r = raw_request(raw_srv, "GET", target)
    assert_invalid_path(r, "GET a/../b.txt")
    assert b"original" not in r.body

    r = raw_request(raw_srv, "PUT", target, body=b"overwritten")
    assert_invalid_path(r, "PUT a/../b.txt")
    r = raw_request(raw_srv, "DELETE", target)
    assert_invalid_path(r, "DELETE a/../b.txt")
    r = raw_request(raw_srv, "GET", list_target(f"{uniq}/a/.."))
    assert_invalid_path(r, "list a/..")
    assert (dest / uniq / "b.txt").read_bytes() == b"original"
    assert not (dest / uniq / "a").exists()


@pytest.fixture
def sandbox(raw_srv, e2e_tmp):
    """Sentinel files outside the destination, and a snapshot of everything around it.

    The destination is ``<e2e_tmp>/<workdir>/artifacts``; traversal vectors aim at
    ``<workdir>/victim.txt`` (``../victim.txt``) and ``<e2e_tmp>/victim-top.txt``
    (``../../victim-top.txt``). A file inside the destination (``inside/target.txt``) is the
    aim of vectors that would normalise back into it."""
    dest = dest_of(raw_srv)
    workdir = dest.parent
    victim = workdir / "victim.txt"
    victim.write_bytes(b"victim")
    victim_top = Path(e2e_tmp) / "victim-top.txt"
    victim_top.write_bytes(b"victim-top")
    r = raw_request(raw_srv, "PUT", path_target("inside/target.txt"), body=b"inside")
    assert r.status == 200, r
    watch_root = Path(e2e_tmp).parent  # pytest's basetemp: two levels above the destination

    def snapshot() -> dict[str, tuple[int, int]]:
        snap = {}
        for dirpath, dirnames, filenames in os.walk(watch_root):
            for name in dirnames + filenames:
                p = Path(dirpath) / name
                rel = p.relative_to(watch_root).as_posix()
                if name.endswith((".log", "-journal", "-wal", "-shm")):
                    snap[rel] = (0, 0)  # must exist, may change
                    continue
                try:
                    st = p.lstat()
                except FileNotFoundError:
                    continue
                snap[rel] = (st.st_size, 0 if p.is_dir() else st.st_mtime_ns)
        return snap

    before = snapshot()

    class Sandbox:
        victim_abs = str(victim)
        victim_top_abs = str(victim_top)

        @staticmethod
        def check(what: str) -> None:
            assert victim.read_bytes() == b"victim", what
            assert victim_top.read_bytes() == b"victim-top", what
            assert (dest / "inside" / "target.txt").read_bytes() == b"inside", what
            after = snapshot()
            added = sorted(set(after) - set(before))
            removed = sorted(set(before) - set(after))
            changed = sorted(k for k in before.keys() & after.keys() if before[k] != after[k])
            assert not added and not removed and not changed, (
                f"{what}: filesystem changed around the destination: added={added} "
                f"removed={removed} changed={changed}"
            )

    return Sandbox


def _vectors(sb) -> dict[str, list[tuple[str, str]]]:
    """Vector class -> [(logical path as the handler receives it, expected message)].

    "Logical" is the string after the server's single level of URL decoding: it is put
    percent-encoded into the URL path (`%` -> `%25`, `\\` -> `%5C`, `#` -> `%23`, ...) and
    into `?path=`; ``..``/``.`` segments and `/` stay literal in the URL."""
    inv = "Invalid path"
    return {
        "traversal": [
            ("../../etc/passwd", inv),
            ("a/../../b", inv),
            ("..", inv),
            ("a/..", inv),
            ("../victim.txt", inv),
            ("../../victim-top.txt", inv),
            ("x/../../victim.txt", inv),
            ("x/../inside/target.txt", inv),
            ("inside/../inside/target.txt", inv),
            ("../" * 12 + "etc/passwd", inv),
        ],
        "percent_encoded": [
            ("%2e%2e/%2e%2e/etc/passwd", inv),
            ("..%2f..%2fetc", inv),
            ("%2E%2E%2Fvictim.txt", inv),
            ("%2e%2e/%2e%2e/victim-top.txt", inv),
            ("x%2f..%2f..%2fvictim.txt", inv),
            ("%2e./victim.txt", inv),
        ],
        "double_encoded": [
            ("%252e%252e%252fetc%252fpasswd", inv),
            ("%252e%252e%252fvictim.txt", inv),
            ("%25252e%25252e/victim.txt", inv),
            ("x%252f..%252f..%252fvictim.txt", inv),
            # `../x` encoded 10 times does not settle within MLflow's 10 decoding rounds.
            ("%2525252525252525252E%2525252525252525252E%2525252525252525252F"
             "%25252525252525252578", "Failed to decode url"),
        ],
        "absolute": [
            ("/etc/passwd", inv),
            ("//etc/passwd", inv),
            ("%2fetc%2fpasswd", inv),
            (" /etc/passwd", inv),
            (sb.victim_abs, inv),
            ("%2F" + sb.victim_abs.lstrip("/"), inv),
            ("/" + sb.victim_top_abs, inv),
        ],
        "backslash_drive_unc": [
            ("..\\..\\windows", inv),
            ("..\\victim.txt", inv),
            ("C:\\Windows\\win.ini", inv),
            ("\\\\server\\share", inv),
            ("%5c%5cserver%5cshare", inv),
            ("C:/Windows", inv),
            ("c:x", inv),
            ("a\\b", inv),
        ],
        "file_uri": [
            ("file:///etc/passwd", inv),
            ("file://" + sb.victim_abs, inv),
            ("file://host/etc", inv),
            ("file:a/b", inv),
            ("FILE:///etc", inv),
            ("file%3a///etc/passwd", inv),
        ],
        "hash": [
            ("a#b", inv),
            ("a%23/../../b", inv),
            ("a%2523b", inv),
            ("a/b#/../../victim.txt", inv),
            ("a#", inv),
            ("a%23", inv),
            ("inside/target.txt#", inv),
        ],
        "nul_control": [
            ("a\x00b", inv),
            ("a%00b", inv),
            ("a\x17b", inv),
            ("a%17b", inv),
            ("a\tb", inv),
            ("a\nb", inv),
            ("a%0d%0ab", inv),
            ("\x7f", inv),
            ("inside/target.txt\x00.png", inv),
        ],
    }


VECTOR_CLASSES = ["traversal", "percent_encoded", "double_encoded", "absolute",
                  "backslash_drive_unc", "file_uri", "hash", "nul_control"]


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "LIST"])
@pytest.mark.parametrize("vclass", VECTOR_CLASSES)
def test_path_safety_vectors(raw_srv, sandbox, vclass, method):
    vectors = _vectors(sandbox)[vclass]
    failures = []
    for logical, message in vectors:
        if method == "LIST":
            target = list_target(logical)
            r = raw_request(raw_srv, "GET", target)
        elif method == "PUT":
            target = path_target(logical)
            r = raw_request(raw_srv, "PUT", target, body=b"pwned")
        else:
            target = path_target(logical)
            r = raw_request(raw_srv, method, target)
        try:
            assert_invalid_path(r, f"{method} {target}", message)
            assert b"victim" not in r.body and b"root:" not in r.body
        except AssertionError as e:
            failures.append(str(e))
        sandbox.check(f"{method} {target}")
    assert not failures, "\n".join(failures)


def test_raw_backslash_in_request_target(raw_srv, sandbox):
    """Unencoded `\\` in the request line is refused as well (never served or written)."""
    for method in ("GET", "PUT", "DELETE"):
        r = raw_request(raw_srv, method, f"{ART}/..\\victim.txt",
                        body=b"pwned" if method == "PUT" else None)
        assert_invalid_path(r, f"{method} raw ..\\victim.txt")
        sandbox.check(f"{method} raw backslash")


# --------------------------------------------------------------------------------------------
# 4. Client disconnecting mid-upload
# --------------------------------------------------------------------------------------------


def test_disconnect_mid_upload_leaves_nothing(raw_srv, uniq):
    dest = dest_of(raw_srv)
    # The directory exists beforehand, so the only difference an aborted upload may leave is
    # inside it.
    r = raw_request(raw_srv, "PUT", path_target(f"{uniq}/other.txt"), body=b"o")
    assert r.status == 200, r
    target = path_target(f"{uniq}/partial.bin")
    with socket.create_connection(("127.0.0.1", raw_srv.port), timeout=10) as s:
        s.sendall(
            f"PUT {target} HTTP/1.1\r\nHost: 127.0.0.1:{raw_srv.port}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n".encode()
        )
        s.sendall(os.urandom(1000))
        time.sleep(0.5)  # let the server start writing
        during = sorted(p.name for p in (dest / uniq).iterdir())
    if raw_srv.impl == "mlflowd":
        # The upload really was in progress (a temp file next to the target), so what follows
        # checks the cleanup of a partial upload, not a refusal before writing.
        assert any(n.startswith(TEMP_PREFIX) for n in during), during
    deadline = time.monotonic() + 10
    while True:
        names = sorted(p.name for p in (dest / uniq).iterdir())
        if names == ["other.txt"] or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert not (dest / uniq / "partial.bin").exists()
    r = raw_request(raw_srv, "GET", list_target(uniq))
    assert r.json() == {"files": [{"path": "other.txt", "is_dir": False, "file_size": 1}]}
    r = raw_request(raw_srv, "GET", path_target(f"{uniq}/partial.bin"))
    assert r.status == 404, r
    assert names == ["other.txt"], f"left behind after an aborted upload: {names}"
    # The server is still fine: a complete upload to the same name works.
    r = raw_request(raw_srv, "PUT", target, body=b"complete")
    assert r.status == 200, r
    assert (dest / uniq / "partial.bin").read_bytes() == b"complete"


# --------------------------------------------------------------------------------------------
# 5. --no-serve-artifacts
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def no_serve_srv(db_factory, server_factory):
    db = db_factory("sqlite")
    srv = server_factory("mlflowd", db, label="mlflowd-no-serve", start=False)
    srv.cmd.append("--no-serve-artifacts")
    srv.start()
    yield srv
    srv.stop()


def test_no_serve_artifacts_get_put_503(no_serve_srv):
    """The streaming GET/PUT (FastAPI router in MLflow) answer 503 with a JSON detail."""
    srv = no_serve_srv
    for prefix in (ART, AJAX_ART):
        for method, body in (("GET", None), ("PUT", b"data")):
            target = path_target("0/x/artifacts/f.txt", prefix)
            r = raw_request(srv, method, target, body=body)
            assert r.status == 503, (method, target, r)
            assert r.json() == {"detail": DISABLED_DETAIL}, (method, target, r)
    assert files_under(dest_of(srv)) == {}
    r = raw_request(srv, "GET", "/api/3.0/mlflow/server-info")
    assert r.status == 200, r
    info = r.json()
    assert info["store_type"] == "SqlStore"
    assert info["multipart_uploads_enabled"] is False
    assert info["multipart_downloads_enabled"] is False


def test_no_serve_artifacts_list_delete_503(no_serve_srv):
    """List and DELETE are Flask handlers in MLflow 3.17.2 (`_disable_unless_serve_artifacts`):
    503 with a plain message naming the Flask URL rule, not the JSON detail of GET/PUT."""
    srv = no_serve_srv
    (dest_of(srv) / "0").mkdir(parents=True, exist_ok=True)
    (dest_of(srv) / "0" / "keep.txt").write_bytes(b"keep")

    def flask_message(rule: str) -> str:
        return (f"Endpoint: {rule} disabled due to the mlflow server running with "
                "`--no-serve-artifacts`. To enable artifacts server functionality, run "
                "`mlflow server` with `--serve-artifacts`")

    failures = []
    for prefix in (ART, AJAX_ART):
        reqs = [
            ("GET", list_target("0", prefix), prefix),
            ("GET", list_target(None, prefix), prefix),
            ("DELETE", path_target("0/keep.txt", prefix), f"{prefix}/<path:artifact_path>"),
        ]
        for method, target, rule in reqs:
            r = raw_request(srv, method, target)
            assert r.status == 503, (method, target, r)
            if r.body.decode(errors="replace") != flask_message(rule):
                failures.append(f"{method} {target}: body {r.body!r} "
                                f"(Content-Type {r.headers.get('Content-Type')})")
    assert (dest_of(srv) / "0" / "keep.txt").read_bytes() == b"keep"
    assert not failures, "\n".join(failures)


# --------------------------------------------------------------------------------------------
# 6. server-info
# --------------------------------------------------------------------------------------------


SERVER_INFO_KEYS = {
    "store_type", "workspaces_enabled", "trace_archival_enabled", "multipart_uploads_enabled",
    "multipart_downloads_enabled", "presigned_upload_run_id_supported",
    "presigned_upload_model_id_supported", "features_enabled",
}


@pytest.mark.parametrize("prefix", ["/api/3.0", "/ajax-api/3.0"])
def test_server_info_shape(raw_srv, prefix):
    from mlflow.utils import server_info as si

    # The keys the 3.17.2 client knows.
    assert SERVER_INFO_KEYS == {
        getattr(si, n) for n in dir(si)
        if n.startswith("SERVER_INFO_") and n != "SERVER_INFO_ENDPOINT"
        and isinstance(getattr(si, n), str)
    }
    r = raw_request(raw_srv, "GET", f"{prefix}/mlflow/server-info")
    assert r.status == 200, r
    assert r.headers["Content-Type"].startswith("application/json")
    info = r.json()
    assert set(info) == SERVER_INFO_KEYS, info
    assert info["store_type"] == "SqlStore"
    assert info["multipart_uploads_enabled"] is False
    assert info["multipart_downloads_enabled"] is False
    assert info["workspaces_enabled"] is False
    assert info["trace_archival_enabled"] is False
    assert isinstance(info["presigned_upload_run_id_supported"], bool)
    assert isinstance(info["presigned_upload_model_id_supported"], bool)
    assert isinstance(info["features_enabled"], dict)
    assert isinstance(info["features_enabled"].get("gateway"), bool)
    # Compact JSON, as FastAPI's JSONResponse writes it.
    assert b", " not in r.body and b": " not in r.body, r.body
    assert r.body == json.dumps(info, separators=(",", ":")).encode()
