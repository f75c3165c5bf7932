"""Interoperability on one shared database: what one implementation writes, the other reads back
identically, and each accepts a schema created by the other.

Per backend:

* ``test_python_writes_mlflowd_reads``: the reference ``mlflow server`` creates the schema and
  writes experiments/runs/params/metrics (NaN, ±inf)/tags/inputs/deleted entities; after it
  stops, mlflowd on the same database must return byte-for-byte the same JSON (after sorting
  keyed lists) for every read, and must accept further writes.
* ``test_mlflowd_writes_python_reads``: ``mlflowd db upgrade`` creates the schema and mlflowd writes
  the same data set; the reference server must start on that database and read it back
  identically; then it writes more, and mlflowd reads that back.

The servers never run at the same time on the database."""

from __future__ import annotations

import json
import subprocess

import pytest
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

from conftest import mlflowd_bin, mlflowd_is_python, reference_mlflow_bin

MAX_DOUBLE = 1.7976931348623157e308


# --------------------------------------------------------------------------- writing

def write_dataset(client: MlflowClient, api, prefix: str) -> dict:
    """Writes a representative data set through the stock client (plus raw REST for inputs).

    Returns the ids needed to read it back."""
    ids: dict = {"runs": [], "exps": [], "history": []}
    exp = client.create_experiment(f"{prefix}-main", tags={"team": "ml", "uni": "日本 ✓"})
    ids["exps"].append(exp)
    client.set_experiment_tag(exp, "later", "x")

    parent = client.create_run(exp, run_name=f"{prefix}-parent", start_time=1_000,
                               tags={"mlflow.user": "alice", "mlflow.source.type": "LOCAL"})
    pid = parent.info.run_id
    ids["runs"].append(pid)
    client.log_param(pid, "alpha", "0.5")
    client.log_param(pid, "long", "v" * 6000)
    client.log_param(pid, "empty", "")
    client.log_metric(pid, "loss", 1.5, timestamp=10, step=0)
    client.log_metric(pid, "loss", 0.5, timestamp=20, step=1)
    client.log_metric(pid, "loss", 0.25, timestamp=30, step=2)
    client.log_metric(pid, "nan", float("nan"), timestamp=5, step=0)
    client.log_metric(pid, "pinf", float("inf"), timestamp=5, step=0)
    client.log_metric(pid, "ninf", float("-inf"), timestamp=5, step=0)
    client.log_metric(pid, "neg", -3.0, timestamp=5, step=-1)
    client.log_batch(pid, metrics=[Metric("hist", i * 0.1, 100 + i, i) for i in range(150)],
                     params=[Param(f"bp{i}", str(i)) for i in range(5)],
                     tags=[RunTag("stage", "dev"), RunTag("uni", "héllo ✓")])
    client.set_tag(pid, "to-delete", "x")
    client.delete_tag(pid, "to-delete")
    client.set_terminated(pid, "FINISHED", end_time=9_000)
    ids["history"] += [(pid, "loss"), (pid, "hist"), (pid, "nan"), (pid, "pinf")]

    child = client.create_run(exp, start_time=2_000, tags={"mlflow.parentRunId": pid})
    cid = child.info.run_id  # generated name
    ids["runs"].append(cid)
    client.log_metric(cid, "loss", 0.7, timestamp=40, step=0)
    client.set_terminated(cid, "FAILED", end_time=3_000)
    ids["history"].append((cid, "loss"))

    killed = client.create_run(exp, run_name="killed", start_time=3_000)
    kid = killed.info.run_id
    ids["runs"].append(kid)
    client.set_terminated(kid, "KILLED", end_time=3_500)
    r = api.post("runs/log-inputs", {"run_id": kid, "datasets": [{
        "tags": [{"key": "mlflow.data.context", "value": "training"}],
        "dataset": {"name": "ds", "digest": "d1g3st", "source_type": "local",
                    "source": "{\"uri\": \"/data/x\"}", "schema": "{\"cols\": [\"a\"]}",
                    "profile": "{\"rows\": 3}"}}]})
    assert r.status_code == 200, r.text

    deleted = client.create_run(exp, run_name="deleted", start_time=4_000)
    did = deleted.info.run_id
    ids["runs"].append(did)
    client.log_param(did, "p", "1")
    client.delete_run(did)

    dexp = client.create_experiment(f"{prefix}-deleted")
    ids["exps"].append(dexp)
    drun = client.create_run(dexp, run_name="in-deleted-exp", start_time=5_000)
    ids["runs"].append(drun.info.run_id)
    client.log_metric(drun.info.run_id, "m", 1.0, timestamp=1, step=0)
    client.delete_experiment(dexp)

    renamed = client.create_experiment(f"{prefix}-before-rename")
    client.rename_experiment(renamed, f"{prefix}-renamed")
    ids["exps"].append(renamed)

    # MLflow 3 logged models: params, tags, a finalized status, metrics logged against them (one
    # on a dataset), and a deleted one.
    model = client.create_logged_model(exp, name="clf", source_run_id=pid, model_type="sklearn",
                                       params={"depth": "3"}, tags={"team": "ml"})
    client.finalize_logged_model(model.model_id, "READY")
    client.set_logged_model_tags(model.model_id, {"stage": "dev"})
    other = client.create_logged_model(exp, name="other")
    r = api.post("runs/log-batch", {"run_id": cid, "metrics": [
        {"key": "acc", "value": 0.9, "timestamp": 50, "step": 1, "model_id": model.model_id,
         "dataset_name": "eval", "dataset_digest": "abc"},
        {"key": "acc", "value": 0.4, "timestamp": 60, "step": 1, "model_id": other.model_id}]})
    assert r.status_code == 200, r.text
    gone = client.create_logged_model(exp, name="gone")
    client.delete_logged_model(gone.model_id)
    ids["models"] = [model.model_id, other.model_id, gone.model_id]
    ids["prefix"] = prefix
    return ids


# --------------------------------------------------------------------------- reading

def _sorted_lists(node, top: bool = True):
    """Sort keyed collections whose order carries no meaning (run data params/tags/metrics,
    experiment tags); metric histories (top-level ``metrics``) and search results keep their
    order."""
    if isinstance(node, dict):
        out = {k: _sorted_lists(v, False) for k, v in node.items()}
        keys = ("tags", "params") if top else ("tags", "params", "metrics")
        for key in keys:
            v = out.get(key)
            if isinstance(v, list) and all(isinstance(i, dict) and "key" in i for i in v):
                out[key] = sorted(v, key=lambda i: json.dumps(i, sort_keys=True))
        return out
    if isinstance(node, list):
        return [_sorted_lists(v, False) for v in node]
    return node


def snapshot(api, ids: dict) -> dict:
    """Every read the clients/UI do on the data set, as raw JSON (status, body)."""
    snap = {}

    def get(path, params):
        r = api.get(path, params)
        snap[f"GET {path} {json.dumps(params, sort_keys=True)}"] = (r.status_code,
                                                                    _sorted_lists(r.json()))

    def post(path, body):
        r = api.post(path, body)
        snap[f"POST {path} {json.dumps(body, sort_keys=True)}"] = (r.status_code,
                                                                   _sorted_lists(r.json()))

    for eid in ids["exps"]:
        get("experiments/get", {"experiment_id": eid})
    get("experiments/get", {"experiment_id": "0"})
    for name in ("main", "deleted", "renamed", "before-rename"):
        get("experiments/get-by-name", {"experiment_name": f"{ids['prefix']}-{name}"})
    for view in ("ACTIVE_ONLY", "DELETED_ONLY", "ALL"):
        post("experiments/search", {"max_results": 100, "view_type": view,
                                    "filter": f"name LIKE '{ids['prefix']}-%'"})
    for rid in ids["runs"]:
        get("runs/get", {"run_id": rid})
    for rid, key in ids["history"]:
        get("metrics/get-history", {"run_id": rid, "metric_key": key})
        get("metrics/get-history", {"run_id": rid, "metric_key": key, "max_results": 40})
    get("metrics/get-history-bulk-interval",
        {"run_ids": [r for r, _ in ids["history"][:1]] + [ids["runs"][1]], "metric_key": "loss"})
    main = ids["exps"][0]
    for view in ("ACTIVE_ONLY", "DELETED_ONLY", "ALL"):
        post("runs/search", {"experiment_ids": ids["exps"], "run_view_type": view})
    post("runs/search", {"experiment_ids": [main], "filter": "metrics.loss < 1",
                         "order_by": ["metrics.loss DESC"]})
    post("runs/search", {"experiment_ids": [main], "filter": "params.alpha = '0.5'"})
    post("runs/search", {"experiment_ids": [main], "filter": "attributes.status != 'RUNNING'",
                         "order_by": ["attributes.end_time ASC"]})
    post("runs/search", {"experiment_ids": [main], "filter": "datasets.name = 'ds'"})
    post("runs/search", {"experiment_ids": [main], "max_results": 2},)
    for mid in ids["models"]:
        get(f"logged-models/{mid}", {})
        get(f"logged-models/{mid}", {"allow_deleted": "true"})
    post("logged-models/search", {"experiment_ids": [main]})
    post("logged-models/search", {"experiment_ids": [main], "filter": "metrics.acc > 0.5"})
    post("logged-models/search", {"experiment_ids": [main], "order_by": [
        {"field_name": "metrics.acc", "ascending": False}], "max_results": 1})
    post("logged-models/search", {"experiment_ids": [main],
                                  "datasets": [{"dataset_name": "eval", "dataset_digest": "abc"}]})
    return snap


def assert_same(expected: dict, actual: dict, what: str):
    assert list(expected) == list(actual)
    bad = []
    for k in expected:
        if expected[k] != actual[k]:
            bad.append(f"{k}\n    expected: {json.dumps(expected[k])[:1500]}\n"
                       f"    actual:   {json.dumps(actual[k])[:1500]}")
    assert not bad, f"{what}: {len(bad)} read(s) differ:\n" + "\n".join(bad)


def sanity_check(snap: dict, ids: dict):
    """The snapshot holds the data that was written (so equality is not vacuous)."""
    pid = ids["runs"][0]
    status, body = snap[f"GET runs/get {json.dumps({'run_id': pid})}"]
    assert status == 200
    data = body["run"]["data"]
    metrics = {m["key"]: m["value"] for m in data["metrics"]}
    assert metrics["loss"] == 0.25 and metrics["nan"] == "NaN"
    assert metrics["pinf"] == MAX_DOUBLE and metrics["ninf"] == -MAX_DOUBLE
    assert metrics["hist"] == pytest.approx(14.9)
    params = {p["key"]: p["value"] for p in data["params"]}
    assert params["alpha"] == "0.5" and params["long"] == "v" * 6000 and params["empty"] == ""
    tags = {t["key"]: t["value"] for t in data["tags"]}
    assert tags["uni"] == "héllo ✓" and "to-delete" not in tags
    assert body["run"]["info"]["status"] == "FINISHED" and body["run"]["info"]["end_time"] == 9000
    hist_key = f"GET metrics/get-history {json.dumps({'metric_key': 'hist', 'run_id': pid})}"
    assert len(snap[hist_key][1]["metrics"]) == 150
    paged = snap[f"GET metrics/get-history "
                 f"{json.dumps({'max_results': 40, 'metric_key': 'hist', 'run_id': pid})}"][1]
    assert len(paged["metrics"]) == 40 and paged.get("next_page_token")
    did = ids["runs"][3]
    assert snap[f"GET runs/get {json.dumps({'run_id': did})}"][1]["run"]["info"][
        "lifecycle_stage"] == "deleted"
    kid = ids["runs"][2]
    inputs = snap[f"GET runs/get {json.dumps({'run_id': kid})}"][1]["run"]["inputs"]
    assert inputs["dataset_inputs"][0]["dataset"]["digest"] == "d1g3st"
    mid, _, gone = ids["models"]
    status, body = snap[f"GET logged-models/{mid} {json.dumps({})}"]
    assert status == 200
    info = body["model"]["info"]
    assert info["status"] == "LOGGED_MODEL_READY" and info["model_type"] == "sklearn"
    assert {t["key"] for t in info["tags"]} == {"team", "stage"}
    assert body["model"]["data"]["metrics"][0]["dataset_digest"] == "abc"
    assert snap[f"GET logged-models/{gone} {json.dumps({})}"][0] == 404
    found = snap[f"POST logged-models/search "
                 f"{json.dumps({'experiment_ids': [ids['exps'][0]], 'filter': 'metrics.acc > 0.5'})}"]
    assert [m["info"]["model_id"] for m in found[1]["models"]] == [mid]


# --------------------------------------------------------------------------- tests

def _client(server) -> MlflowClient:
    return MlflowClient(tracking_uri=server.base_url)


def _db_upgrade(db):
    """Create the schema with `mlflowd db upgrade` (or `mlflow db upgrade` in oracle mode)."""
    if mlflowd_is_python():
        cmd = [str(reference_mlflow_bin()), "db", "upgrade", db.python_uri]
    else:
        cmd = [str(mlflowd_bin()), "db", "upgrade", db.uri]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, f"{cmd} failed:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"


def test_python_writes_mlflowd_reads(backend_kind, db_factory, server_factory):
    db = db_factory(backend_kind)
    py = server_factory("python", db, label=f"interop-python-{backend_kind}")
    ids = write_dataset(_client(py), py.api, f"interop-py-{backend_kind}")
    before = snapshot(py.api, ids)
    sanity_check(before, ids)
    py.stop()

    dut = server_factory("mlflowd", db, label=f"interop-mlflowd-{backend_kind}")
    after = snapshot(dut.api, ids)
    assert_same(before, after, "mlflowd reading data written by the reference server")

    # mlflowd can keep writing into the reference-created database.
    client = _client(dut)
    pid = ids["runs"][0]
    client.log_metric(pid, "loss", 0.125, timestamp=50, step=3)
    client.log_param(pid, "alpha", "0.5")  # same value: accepted
    new = client.create_run(ids["exps"][0], run_name="by-mlflowd", start_time=6_000)
    client.log_param(new.info.run_id, "k", "v")
    got = client.get_run(pid)
    assert got.data.metrics["loss"] == 0.125
    assert [m.step for m in client.get_metric_history(pid, "loss")] == [0, 1, 2, 3]
    assert client.get_run(new.info.run_id).data.params == {"k": "v"}
    dut.stop()


def test_mlflowd_writes_python_reads(backend_kind, db_factory, server_factory):
    db = db_factory(backend_kind)
    _db_upgrade(db)
    dut = server_factory("mlflowd", db, label=f"interop-mlflowd-{backend_kind}")
    ids = write_dataset(_client(dut), dut.api, f"interop-rs-{backend_kind}")
    before = snapshot(dut.api, ids)
    sanity_check(before, ids)
    dut.stop()

    py = server_factory("python", db, label=f"interop-python-{backend_kind}")
    after = snapshot(py.api, ids)
    assert_same(before, after, "reference server reading data written by mlflowd")

    # The reference server writes more; mlflowd reads it back.
    client = _client(py)
    pid = ids["runs"][0]
    client.log_metric(pid, "loss", 0.0625, timestamp=60, step=4)
    extra = client.create_run(ids["exps"][0], run_name="by-python", start_time=7_000)
    client.log_batch(extra.info.run_id, metrics=[Metric("x", float("nan"), 1, 0)],
                     params=[Param("pp", "1")], tags=[RunTag("tt", "2")])
    client.set_experiment_tag(ids["exps"][0], "from", "python")
    ids["runs"].append(extra.info.run_id)
    ids["history"].append((extra.info.run_id, "x"))
    before2 = snapshot(py.api, ids)
    py.stop()

    dut2 = server_factory("mlflowd", db, label=f"interop-mlflowd2-{backend_kind}")
    after2 = snapshot(dut2.api, ids)
    assert_same(before2, after2, "mlflowd reading data the reference server added")
    x = after2[f"GET runs/get {json.dumps({'run_id': extra.info.run_id})}"][1]["run"]["data"]
    assert x["metrics"][0]["value"] == "NaN" and x["params"] == [{"key": "pp", "value": "1"}]
    dut2.stop()


def test_schema_from_mlflowd_db_upgrade_accepted_by_reference(backend_kind, db_factory,
                                                               server_factory):
    """An empty database prepared only by `mlflowd db upgrade` is usable by the reference
    server (no migration error, Default experiment present or created)."""
    db = db_factory(backend_kind)
    _db_upgrade(db)
    py = server_factory("python", db, label=f"interop-upgrade-python-{backend_kind}")
    exp0 = py.api.ok_get("experiments/get", {"experiment_id": "0"})["experiment"]
    assert exp0["name"] == "Default" and exp0["lifecycle_stage"] == "active"
    client = _client(py)
    eid = client.create_experiment("after-upgrade")
    rid = client.create_run(eid, run_name="r").info.run_id
    client.log_metric(rid, "m", 2.0, timestamp=1, step=0)
    assert client.get_run(rid).data.metrics == {"m": 2.0}
    log = py.log_path.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    py.stop()
