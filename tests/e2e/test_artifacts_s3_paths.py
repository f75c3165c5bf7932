"""Path-safety vectors (``security-and-kubernetes.md`` §A.10) against an S3 destination.

The same vector classes as ``test_artifacts_local.py``, sent to a server whose
``--artifacts-destination`` is ``s3://<bucket>/dest``. Sentinel objects sit outside the prefix
(bucket root, a sibling prefix ``dest-sibling/`` that shares the prefix's first characters, and
``dest`` itself as an object key); after every request the bucket must hold exactly the objects
it held before, byte for byte. The multipart endpoints get the same treatment for both of
their path inputs: the directory in the URL and the file name in the JSON body.
"""

from __future__ import annotations

import secrets

import pytest

from conftest import list_keys, s3_env
from rawhttp import raw_request
from test_artifacts_local import (
    VECTOR_CLASSES,
    _vectors,
    assert_invalid_path,
    list_target,
    path_target,
)

MPU = "/api/2.0/mlflow-artifacts/mpu"


@pytest.fixture(scope="module")
def s3_srv(db_factory, server_factory, moto_s3):
    bucket = moto_s3.create_bucket("paths")
    db = db_factory("sqlite")
    srv = server_factory("mlflowd", db, "s3-paths", artifacts_destination=f"s3://{bucket}/dest",
                         env=s3_env(moto_s3.url))
    srv.bucket = bucket
    return srv


@pytest.fixture
def s3_sandbox(s3_srv, moto_s3):
    s3 = moto_s3.client()
    bucket = s3_srv.bucket
    sentinels = {
        "victim.txt": b"victim",
        "etc/passwd": b"root:x",
        "dest-sibling/victim.txt": b"sibling",
        "dest": b"prefix-as-object",
    }
    for key, data in sentinels.items():
        s3.put_object(Bucket=bucket, Key=key, Body=data)
    r = raw_request(s3_srv, "PUT", path_target("inside/target.txt"), body=b"inside")
    assert r.status == 200, r

    def snapshot() -> dict[str, bytes]:
        return {k: s3.get_object(Bucket=bucket, Key=k)["Body"].read()
                for k in list_keys(s3, bucket)}

    before = snapshot()
    assert before["dest/inside/target.txt"] == b"inside"

    class Sandbox:
        victim_abs = "/victim.txt"
        victim_top_abs = "/etc/passwd"

        @staticmethod
        def check(what: str) -> None:
            after = snapshot()
            assert after == before, (
                f"{what}: bucket changed: added={sorted(set(after) - set(before))} "
                f"removed={sorted(set(before) - set(after))} "
                f"changed={sorted(k for k in before.keys() & after.keys() if before[k] != after[k])}"
            )

    return Sandbox


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "LIST"])
@pytest.mark.parametrize("vclass", VECTOR_CLASSES)
def test_s3_path_safety_vectors(s3_srv, s3_sandbox, vclass, method):
    failures = []
    for logical, message in _vectors(s3_sandbox)[vclass]:
        if method == "LIST":
            target = list_target(logical)
            r = raw_request(s3_srv, "GET", target)
        else:
            target = path_target(logical)
            r = raw_request(s3_srv, method, target, body=b"pwned" if method == "PUT" else None)
        try:
            assert_invalid_path(r, f"{method} {target}", message)
            assert b"victim" not in r.body and b"root:" not in r.body
        except AssertionError as e:
            failures.append(str(e))
        s3_sandbox.check(f"{method} {target}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("vclass", VECTOR_CLASSES)
def test_s3_mpu_directory_vectors(s3_srv, s3_sandbox, vclass):
    """The directory part of ``mpu/create/<dir>``: refused like any artifact path."""
    failures = []
    for logical, message in _vectors(s3_sandbox)[vclass]:
        target = path_target(logical, prefix=f"{MPU}/create")
        r = raw_request(s3_srv, "POST", target, body=b'{"path": "f.bin", "num_parts": 1}',
                        headers={"Content-Type": "application/json"})
        try:
            assert_invalid_path(r, f"POST {target}", message)
        except AssertionError as e:
            failures.append(str(e))
        s3_sandbox.check(f"POST {target}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", [
    "..", ".", "a/..", "x/..", "x/", "", "a#b", "a\\b", "a\x00b", "%2e%2e",
    "C:\\x", "file:x",
])
def test_s3_mpu_file_name_vectors(s3_srv, s3_sandbox, name):
    """The file name comes from the body's ``path`` (its basename, as MLflow takes it, so
    ``../../x`` means ``x``): MLflow 3.17.2 does not validate it; mlflowd refuses a basename
    that is not one safe segment, for create, complete and abort alike."""
    for op, body in (
        ("create", {"path": name, "num_parts": 1}),
        ("complete", {"path": name, "upload_id": "u", "parts": [{"part_number": 1, "etag": "e"}]}),
        ("abort", {"path": name, "upload_id": "u"}),
    ):
        r = s3_srv.api.session.post(s3_srv.base_url + f"{MPU}/{op}/dir", json=body, timeout=30)
        assert r.status_code == 400, (op, name, r.status_code, r.text[:300])
        assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE", (op, name, r.text)
        s3_sandbox.check(f"mpu/{op} path={name!r}")


def test_s3_mpu_keys_stay_under_prefix(s3_srv, s3_sandbox, moto_s3):
    """A legitimate multipart upload lands at ``dest/<dir>/<basename of path>``, whatever
    directories the client's local path had."""
    name = f"blob-{secrets.token_hex(3)}.bin"
    r = s3_srv.api.session.post(s3_srv.base_url + f"{MPU}/create/models/m1",
                                json={"path": f"/home/user/../../tmp/{name}", "num_parts": 1},
                                timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    (cred,) = body["credentials"]
    assert cred["part_number"] == 1
    assert f"/dest/models/m1/{name}?" in cred["url"], cred["url"]
    r = s3_srv.api.session.post(s3_srv.base_url + f"{MPU}/abort/models/m1",
                                json={"path": name, "upload_id": body["upload_id"]}, timeout=30)
    assert r.status_code == 200, r.text
    s3_sandbox.check("create + abort")
