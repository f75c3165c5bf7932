"""``CreateExperiment.artifact_location`` vectors of ``security-and-kubernetes.md`` §A.10, as
five-step chains: create an experiment with the vector, create a run in it, then list, read
(``/get-artifact?path=passwd``) and write (``upload-artifact``) through the run.

Creation answers exactly as MLflow 3.17.2 does (checked against the Python server in oracle
mode): it refuses the ``http``/``mlflow-artifacts`` host tricks, queries, fragments and overlong
strings, and accepts local paths and dot-segments, which existing clients and databases rely
on. What mlflowd guarantees is the use: every accepted vector's run fails with a 4xx/501 JSON
error at the first artifact request, never returns file content, and never writes outside
the artifact store.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from test_artifacts_local import dest_of

INVALID = "INVALID_PARAMETER_VALUE"

# (vector, refused at creation?) -- the second column is MLflow 3.17.2's answer.
VECTORS = [
    ("http:///?/../../../../etc/", True),
    ("http:///#/../../../../etc/", True),
    ("http://h/x;/../../etc", True),
    ("http:///%3F/..%2F..%2Fetc", True),
    ("http://169.254.169.254/latest/meta-data/", True),
    ("mlflow-artifacts://h:1/..%2f..%2fetc", True),
    ("x" * 2049, True),
    ("file:///etc", False),
    ("/etc", False),
    ("//proc/self/root", False),
    ("file://localhost/etc", False),
    ("mlflow-artifacts:/../../etc", False),
    ("mlflow-artifacts:/x%23/../../../../y", False),
    # Taken literally, as MLflow does (roots are not percent-decoded): a directory named
    # `..%2f..%2f..%2fetc` inside the destination, handled by the test below.

    ("s3://bucket/../../x", False),
]


@pytest.mark.parametrize("vector,refused", VECTORS, ids=[v[:40] for v, _ in VECTORS])
def test_artifact_location_chain(mlflowd, vector, refused):
    api = mlflowd.api
    name = f"loc-{secrets.token_hex(4)}"
    r = api.post("experiments/create", {"name": name, "artifact_location": vector})
    if refused:
        assert r.status_code == 400, (vector, r.status_code, r.text[:300])
        assert r.json()["error_code"] == INVALID, r.text
        return
    assert r.status_code == 200, (vector, r.status_code, r.text[:300])
    if mlflowd.impl == "python":
        # The rest of the chain is where mlflowd is deliberately stricter: MLflow serves local
        # roots from the server's disk.
        return
    exp_id = r.json()["experiment_id"]
    run = api.ok_post("runs/create", {"experiment_id": exp_id})["run"]["info"]
    run_id = run["run_id"]
    marker = f"mlflowd-pwned-{secrets.token_hex(4)}"
    responses = {
        "list": api.get("artifacts/list", {"run_id": run_id}),
        "list ..": api.get("artifacts/list", {"run_id": run_id, "path": ".."}),
        "get passwd": api.session.get(mlflowd.base_url + "/get-artifact",
                                      params={"run_id": run_id, "path": "passwd"}, timeout=60),
        "get ../etc/passwd": api.session.get(mlflowd.base_url + "/get-artifact",
                                             params={"run_id": run_id, "path": "../etc/passwd"},
                                             timeout=60),
        "upload": api.session.post(mlflowd.base_url + "/ajax-api/2.0/mlflow/upload-artifact",
                                   params={"run_uuid": run_id, "path": marker}, data=b"pwned",
                                   headers={"Content-Type": "application/octet-stream"},
                                   timeout=60),
    }
    for what, resp in responses.items():
        assert resp.status_code in (400, 404, 501, 500, 503), (vector, what, resp.status_code,
                                                               resp.text[:300])
        assert resp.headers.get("Content-Type", "").startswith("application/json"), (what,)
        assert b"root:" not in resp.content, (vector, what)
        body = resp.json()
        assert body["error_code"] in (INVALID, "NOT_IMPLEMENTED", "RESOURCE_DOES_NOT_EXIST",
                                      "INTERNAL_ERROR", "TEMPORARILY_UNAVAILABLE"), body
    for root in ("/etc", "/proc/self/root", "/", "/y", "/x"):
        assert not (Path(root) / marker).exists(), (vector, root)


def test_encoded_dots_in_root_stay_inside_destination(mlflowd):
    """``mlflow-artifacts:/a/..%2f..%2fetc`` is a literal segment: the run's files live in a
    directory of that name inside the destination, never in ``/etc``."""
    api = mlflowd.api
    vector = "mlflow-artifacts:/a/..%2f..%2f..%2fetc"
    exp_id = api.ok_post("experiments/create", {"name": f"loc-{secrets.token_hex(4)}",
                                                "artifact_location": vector})["experiment_id"]
    run_id = api.ok_post("runs/create", {"experiment_id": exp_id})["run"]["info"]["run_id"]
    marker = f"mlflowd-marker-{secrets.token_hex(4)}"
    r = api.session.post(mlflowd.base_url + "/ajax-api/2.0/mlflow/upload-artifact",
                         params={"run_uuid": run_id, "path": marker}, data=b"inside",
                         headers={"Content-Type": "application/octet-stream"}, timeout=60)
    assert r.status_code == 200, r.text
    dest = dest_of(mlflowd)
    found = list(dest.rglob(marker))
    assert len(found) == 1 and found[0].read_bytes() == b"inside", found
    assert not (Path("/etc") / marker).exists()
    if mlflowd.impl == "python":
        # MLflow's upload-artifact writes under `<experiment id>/<run id>` whatever the root,
        # so its listing of the root does not show the file; nothing to compare.
        return
    assert found[0] == dest / "a" / "..%2f..%2f..%2fetc" / run_id / "artifacts" / marker
    r = api.get("artifacts/list", {"run_id": run_id})
    assert r.status_code == 200, r.text
    assert [f["path"] for f in r.json()["files"]] == [marker]
