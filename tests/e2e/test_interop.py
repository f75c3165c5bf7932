"""Interoperability on one shared database: what one implementation writes, the other reads back
identically, and each accepts a schema created by the other.

Per backend:

* ``test_python_writes_mlflowd_reads``: the reference ``mlflow server`` creates the schema and
  writes experiments/runs/params/metrics (NaN, ±inf)/tags/inputs/deleted entities/logged models
  and model-registry data (registered models, versions of every source kind, tags, aliases,
  stages, soft-deleted versions, a rename, a deleted model, a prompt); after it
  stops, mlflowd on the same database must return byte-for-byte the same JSON (after sorting
  keyed lists) for every read, and must accept further writes.
* ``test_mlflowd_writes_python_reads``: ``mlflowd db upgrade`` creates the schema and mlflowd writes
  the same data set; the reference server must start on that database and read it back
  identically; then it writes more, and mlflowd reads that back.

In both, the second implementation also writes registry data on the first one's entities
(``write_more_registry``: the next version number after a soft-deleted one, aliases, stage
transitions with archiving); in the first test the reference server reads that back too.

The servers never run at the same time on the database."""

from __future__ import annotations

import json
import subprocess
import warnings

import pytest
from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

from conftest import mlflowd_bin, mlflowd_is_python, reference_mlflow_bin

MAX_DOUBLE = 1.7976931348623157e308
PROMPT_TAG = {"key": "mlflow.prompt.is_prompt", "value": "true"}


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
    ids["reg"] = write_registry(client, api, prefix, parent, model)
    return ids


def _quiet(fn, *args, **kwargs):
    """Calls a deprecated client method (stages) without its FutureWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def write_registry(client: MlflowClient, api, prefix: str, run, model) -> dict:
    """Model registry data on the data set's run and logged model: versions from every source
    kind, tags, aliases, stages (with archiving), a soft-deleted version, a renamed and a deleted
    registered model, a model without versions, and a prompt (raw REST: the client refuses
    prompt tags).

    Returns the names and the number of versions (live or deleted) of each model."""
    pid, mid = run.info.run_id, model.model_id
    clf = f"{prefix}-clf"
    client.create_registered_model(clf, tags={"team": "ml", "uni": "日本 ✓", "drop": "x"},
                                   description="the classifier")
    client.set_registered_model_tag(clf, "later", "y")
    client.delete_registered_model_tag(clf, "drop")
    client.update_registered_model(clf, description="the classifier, v2")
    # 1: runs:/ URI; 2: a path inside the run's artifact root; 3: the logged model (the server
    # tags it with mlflow.modelVersions; run_id comes from its source run); 4, 5: external.
    client.create_model_version(clf, f"runs:/{pid}/model", run_id=pid, tags={"src": "runs"},
                                description="from the run")
    client.create_model_version(clf, f"{run.info.artifact_uri}/model", run_id=pid,
                                tags={"src": "artifacts", "drop": "x"})
    client.create_model_version(clf, f"models:/{mid}", model_id=mid)
    client.create_model_version(clf, "s3://bucket/x", description="external")
    client.create_model_version(clf, "s3://bucket/y", tags={"src": "s3"})
    client.set_model_version_tag(clf, "1", "reviewed", "yes")
    client.delete_model_version_tag(clf, "2", "drop")
    client.update_model_version(clf, "4", description="external, updated")
    _quiet(client.transition_model_version_stage, clf, "1", "Staging")
    _quiet(client.transition_model_version_stage, clf, "2", "Production")
    _quiet(client.transition_model_version_stage, clf, "3", "Staging",
           archive_existing_versions=True)  # archives 1
    client.set_registered_model_alias(clf, "champion", "1")
    client.set_registered_model_alias(clf, "champion", "2")  # moves
    client.set_registered_model_alias(clf, "zeta", "3")
    client.set_registered_model_alias(clf, "challenger", "3")
    client.set_registered_model_alias(clf, "old", "4")
    client.delete_registered_model_alias(clf, "old")
    client.set_registered_model_alias(clf, "doomed", "5")  # goes with the version
    client.delete_model_version(clf, "5")  # soft delete: the row stays ('Deleted_Internal')

    # Renamed after its versions, alias and stage were set: they follow the new name. Version 2's
    # source is another registered version (lineage and storage location copied from clf/2).
    old, new = f"{prefix}-before-rename", f"{prefix}-after-rename"
    client.create_registered_model(old, tags={"k": "v"})
    client.create_model_version(old, "s3://bucket/r1", tags={"t": "1"})
    client.create_model_version(old, f"models:/{clf}/2")
    _quiet(client.transition_model_version_stage, old, "1", "Production")
    client.set_registered_model_alias(old, "prod", "2")
    client.rename_registered_model(old, new)

    gone = f"{prefix}-gone"
    client.create_registered_model(gone, tags={"k": "v"})
    client.create_model_version(gone, "s3://bucket/g", tags={"t": "1"})
    client.set_registered_model_alias(gone, "a", "1")
    client.delete_registered_model(gone)

    empty = f"{prefix}-empty"
    client.create_registered_model(empty)

    prompt = f"{prefix}-prompt"
    api.ok_post("registered-models/create", {"name": prompt, "tags": [PROMPT_TAG],
                                             "description": "a prompt"})
    api.ok_post("model-versions/create", {"name": prompt, "source": "prompt-template", "tags": [
        PROMPT_TAG, {"key": "mlflow.prompt.text", "value": "Hi {{name}}"}]})
    return {"clf": clf, "old": old, "new": new, "gone": gone, "empty": empty, "prompt": prompt,
            "versions": {clf: 5, new: 2, gone: 1, prompt: 1}, "run": pid, "model": mid,
            "artifact_uri": run.info.artifact_uri}


def write_more_registry(client: MlflowClient, reg: dict, who: str):
    """The other implementation continues the registry data: a new version of clf (numbering
    continues past the soft-deleted version 5) and of the renamed model, an alias moved onto it
    and one added, a stage transition archiving the previous Production version, tags and a
    description; checked through the client."""
    clf, new = reg["clf"], reg["new"]
    mv = client.create_model_version(clf, f"runs:/{reg['run']}/model", run_id=reg["run"],
                                     tags={"by": who})
    assert mv.version == "6", mv  # 5 is soft-deleted: its number stays taken
    reg["versions"][clf] = 6
    client.set_registered_model_alias(clf, "champion", "6")
    client.set_registered_model_alias(clf, who, "4")
    _quiet(client.transition_model_version_stage, clf, "6", "Production",
           archive_existing_versions=True)  # archives 2
    client.set_model_version_tag(clf, "3", "by", who)
    client.delete_registered_model_alias(clf, "zeta")
    mv = client.create_model_version(new, "s3://bucket/r3", description=f"by {who}")
    assert mv.version == "3" and mv.name == new, mv
    reg["versions"][new] = 3
    client.set_registered_model_tag(new, "by", who)
    client.update_registered_model(reg["empty"], description=f"by {who}")

    assert client.get_model_version_by_alias(clf, "champion").version == "6"
    assert client.get_model_version(clf, "2").current_stage == "Archived"
    latest = {v.current_stage: v.version for v in _quiet(client.get_latest_versions, clf)}
    assert latest == {"None": "4", "Staging": "3", "Production": "6", "Archived": "2"}, latest
    aliases = {k: str(v) for k, v in client.get_registered_model(clf).aliases.items()}
    assert aliases == {"champion": "6", "challenger": "3", who: "4"}, aliases
    assert client.get_model_version(new, "3").description == f"by {who}"


# --------------------------------------------------------------------------- reading

def _sorted_lists(node, top: bool = True):
    """Sort keyed collections whose order carries no meaning (run data params/tags/metrics,
    experiment tags, registry tags); metric histories (top-level ``metrics``) and search results
    keep their order.

    A registered model's ``latest_versions`` (one version per stage) is sorted by version: in
    ``registered-models/search`` the reference emits them in the row order of a window-function
    join (on SQLite: by stage name, as the window sorts its partitions; on PostgreSQL: the
    planner's choice), while ``registered-models/get`` emits them in version-history order.
    mlflowd does the same on both databases (stage-name order in searches), but PostgreSQL's
    order in the reference is not deterministic, so the list is compared unordered
    (diff_cases_registry.LV_ORDER does the same). Which version is latest per stage is still
    compared."""
    if isinstance(node, dict):
        out = {k: _sorted_lists(v, False) for k, v in node.items()}
        keys = ("tags", "params") if top else ("tags", "params", "metrics")
        for key in keys:
            v = out.get(key)
            if isinstance(v, list) and all(isinstance(i, dict) and "key" in i for i in v):
                out[key] = sorted(v, key=lambda i: json.dumps(i, sort_keys=True))
        lv = out.get("latest_versions")
        if isinstance(lv, list) and all(isinstance(i, dict) and "version" in i for i in lv):
            out["latest_versions"] = sorted(lv, key=lambda i: int(i["version"]))
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
    registry_snapshot(api, ids, get, post, snap)
    return snap


def registry_snapshot(api, ids: dict, get, post, snap: dict):
    """Every registry read on the data set's registry part (``write_registry``)."""
    reg = ids["reg"]
    clf, old, new, gone, empty, prompt = (reg[k] for k in ("clf", "old", "new", "gone", "empty",
                                                           "prompt"))

    def paged(path, params):
        """Page 1, then page 2 with page 1's token (keyed without the token's value, which the
        page-1 answer carries)."""
        get(path, params)
        page1 = snap[f"GET {path} {json.dumps(params, sort_keys=True)}"][1]
        token = page1.get("next_page_token")
        r = api.get(path, {**params, "page_token": token}) if token else None
        snap[f"GET {path} {json.dumps(params, sort_keys=True)} page 2"] = (
            (r.status_code, _sorted_lists(r.json())) if r is not None else None)

    for name in (clf, new, old, gone, empty, prompt):
        get("registered-models/get", {"name": name})
    for name in (clf, new, gone):
        get("registered-models/get-latest-versions", {"name": name})
    post("registered-models/get-latest-versions", {"name": clf, "stages": ["Staging",
                                                                           "production"]})
    post("registered-models/get-latest-versions", {"name": clf, "stages": ["None"]})
    for name, alias in ((clf, "champion"), (clf, "challenger"), (clf, "zeta"), (clf, "old"),
                        (clf, "doomed"), (new, "prod"), (old, "prod"), (gone, "a")):
        get("registered-models/alias", {"name": name, "alias": alias})
    for name in (clf, new, old, gone, prompt):
        for v in range(1, reg["versions"].get(name, 2) + 1):
            get("model-versions/get", {"name": name, "version": str(v)})
            get("model-versions/get-download-uri", {"name": name, "version": str(v)})

    p = ids["prefix"]
    like = f"name LIKE '{p}-%'"
    search = "registered-models/search"
    get(search, {})  # prompts excluded by default
    get(search, {"filter": like, "max_results": 100})
    paged(search, {"filter": like, "order_by": ["name DESC"], "max_results": 2})
    get(search, {"filter": like, "order_by": ["last_updated_timestamp DESC"]})
    get(search, {"filter": f"{like} AND tags.team = 'ml'"})
    get(search, {"filter": f"{like} AND tags.`mlflow.prompt.is_prompt` = 'true'"})
    get(search, {"filter": f"name ILIKE '{p.upper()}-%RENAME'"})
    get(search, {"filter": f"name IN ('{clf}', '{old}', '{gone}')"})
    search = "model-versions/search"
    get(search, {"filter": like})  # prompt versions and deleted versions excluded
    get(search, {"filter": f"name = '{clf}'", "order_by": ["version_number ASC"]})
    paged(search, {"filter": like, "order_by": ["name ASC", "version_number DESC"],
                   "max_results": 3})
    get(search, {"filter": f"run_id = '{reg['run']}'", "order_by": ["version_number DESC",
                                                                    "name ASC"]})
    get(search, {"filter": f"{like} AND tags.src = 'runs'"})
    get(search, {"filter": f"{like} AND source_path = 's3://bucket/x'"})
    get(search, {"filter": f"{like} AND tags.`mlflow.prompt.is_prompt` = 'true'"})
    get(search, {"filter": f"name = '{clf}' AND version_number >= 3",
                 "order_by": ["last_updated_timestamp DESC"]})


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
    # mlflow.modelVersions: set by the server when clf/3 was registered from it.
    assert {t["key"] for t in info["tags"]} == {"team", "stage", "mlflow.modelVersions"}
    assert body["model"]["data"]["metrics"][0]["dataset_digest"] == "abc"
    assert snap[f"GET logged-models/{gone} {json.dumps({})}"][0] == 404
    found = snap[f"POST logged-models/search "
                 f"{json.dumps({'experiment_ids': [ids['exps'][0]], 'filter': 'metrics.acc > 0.5'})}"]
    assert [m["info"]["model_id"] for m in found[1]["models"]] == [mid]
    registry_sanity_check(snap, ids)


def _read(snap: dict, path: str, params: dict, method: str = "GET", ok: bool = True):
    status, body = snap[f"{method} {path} {json.dumps(params, sort_keys=True)}"]
    if ok:
        assert status == 200, (path, params, status, body)
    return status, body


def registry_sanity_check(snap: dict, ids: dict, more: str | None = None):
    """The registry part of the snapshot holds what ``write_registry`` wrote (and, with
    ``more``, what ``write_more_registry(..., who=more)`` added)."""
    reg = ids["reg"]
    clf, old, new, gone, empty, prompt = (reg[k] for k in ("clf", "old", "new", "gone", "empty",
                                                           "prompt"))
    pid, mid, art = reg["run"], reg["model"], reg["artifact_uri"]
    p = ids["prefix"]

    rm = _read(snap, "registered-models/get", {"name": clf})[1]["registered_model"]
    assert rm["description"] == "the classifier, v2"
    assert {t["key"]: t["value"] for t in rm["tags"]} == {"team": "ml", "uni": "日本 ✓",
                                                          "later": "y"}
    aliases = {a["alias"]: a["version"] for a in rm["aliases"]}
    latest = {v["current_stage"]: v["version"] for v in rm["latest_versions"]}
    if more is None:
        assert aliases == {"champion": "2", "challenger": "3", "zeta": "3"}, aliases
        assert latest == {"None": "4", "Staging": "3", "Production": "2", "Archived": "1"}, latest
    else:
        assert aliases == {"champion": "6", "challenger": "3", more: "4"}, aliases
        assert latest == {"None": "4", "Staging": "3", "Production": "6", "Archived": "2"}, latest
    lv = _read(snap, "registered-models/get-latest-versions", {"name": clf})[1]["model_versions"]
    assert {v["current_stage"]: v["version"] for v in lv} == latest
    lv = _read(snap, "registered-models/get-latest-versions",
               {"name": clf, "stages": ["Staging", "production"]}, "POST")[1]["model_versions"]
    assert sorted(v["version"] for v in lv) == sorted([latest["Staging"], latest["Production"]])

    def mv(name, version, ok=True):
        status, body = _read(snap, "model-versions/get", {"name": name, "version": version},
                             ok=ok)
        return body["model_version"] if ok else (status, body)

    def download(name, version):
        return _read(snap, "model-versions/get-download-uri",
                     {"name": name, "version": version})[1]["artifact_uri"]

    v1, v2, v3, v4 = (mv(clf, str(v)) for v in range(1, 5))
    assert (v1["source"], v1["run_id"], v1["description"]) == (f"runs:/{pid}/model", pid,
                                                               "from the run")
    assert {t["key"]: t["value"] for t in v1["tags"]} == {"src": "runs", "reviewed": "yes"}
    assert v1["current_stage"] == "Archived"
    assert (v2["source"], v2["run_id"]) == (f"{art}/model", pid)
    assert {t["key"] for t in v2["tags"]} == {"src"} and v2.get("aliases", []) == (
        ["champion"] if more is None else [])
    assert v2["current_stage"] == ("Production" if more is None else "Archived")
    # (model_id is not stored in the registry tables: the run_id is the logged model's run)
    assert (v3["source"], v3["run_id"]) == (f"models:/{mid}", pid)
    assert sorted(v3.get("aliases", [])) == (["challenger", "zeta"] if more is None
                                             else ["challenger"])
    assert v3["current_stage"] == "Staging" and v4["current_stage"] == "None"
    assert v4["description"] == "external, updated" and not v4.get("run_id")
    assert mv(clf, "5", ok=False)[0] == 404  # soft-deleted
    assert download(clf, "1") == f"runs:/{pid}/model"
    assert download(clf, "2") == f"{art}/model"
    assert download(clf, "3").endswith(f"/models/{mid}/artifacts")
    assert download(clf, "4") == "s3://bucket/x"
    body = _read(snap, "registered-models/alias", {"name": clf, "alias": "champion"})[1]
    assert body["model_version"]["version"] == ("2" if more is None else "6")
    for alias in ("old", "doomed"):  # deleted; dropped with its version (400: no such alias)
        status, body = _read(snap, "registered-models/alias", {"name": clf, "alias": alias},
                             ok=False)
        assert status == 400 and body["error_code"] == "INVALID_PARAMETER_VALUE", body

    # The rename carried versions, tags, stage and alias to the new name.
    assert _read(snap, "registered-models/get", {"name": old}, ok=False)[0] == 404
    assert mv(old, "1", ok=False)[0] == 404
    r1, r2 = mv(new, "1"), mv(new, "2")
    assert r1["name"] == r2["name"] == new and r1["current_stage"] == "Production"
    assert r1["tags"] == [{"key": "t", "value": "1"}]
    assert (r2["source"], r2["run_id"], r2["aliases"]) == (f"models:/{clf}/2", pid, ["prod"])
    assert download(new, "2") == f"{art}/model"
    assert _read(snap, "registered-models/alias",
                 {"name": new, "alias": "prod"})[1]["model_version"]["name"] == new

    # The deleted model is gone with its versions and aliases.
    assert _read(snap, "registered-models/get", {"name": gone}, ok=False)[0] == 404
    assert mv(gone, "1", ok=False)[0] == 404
    assert _read(snap, "registered-models/alias", {"name": gone, "alias": "a"}, ok=False)[0] \
        == 404

    # Searches: prompts excluded unless asked for, deleted versions never listed.
    like = f"name LIKE '{p}-%'"
    names = [m["name"] for m in _read(snap, "registered-models/search",
                                      {"filter": like, "max_results": 100})[1][
        "registered_models"]]
    assert names == sorted([clf, new, empty]), names
    found = _read(snap, "registered-models/search", {})[1]["registered_models"]
    assert prompt not in [m["name"] for m in found] and clf in [m["name"] for m in found]
    found = _read(snap, "registered-models/search",
                  {"filter": f"{like} AND tags.`mlflow.prompt.is_prompt` = 'true'"})[1]
    assert [m["name"] for m in found["registered_models"]] == [prompt]
    params = {"filter": like, "order_by": ["name DESC"], "max_results": 2}
    page1 = _read(snap, "registered-models/search", params)[1]
    assert [m["name"] for m in page1["registered_models"]] == [empty, clf]
    page2 = snap[f"GET registered-models/search {json.dumps(params, sort_keys=True)} page 2"]
    assert [m["name"] for m in page2[1]["registered_models"]] == [new]
    found = _read(snap, "model-versions/search", {"filter": like})[1]["model_versions"]
    n = 4 + 2 if more is None else 5 + 3
    assert len(found) == n and all(v["current_stage"] != "Deleted_Internal" for v in found)
    assert "5" not in [v["version"] for v in found if v["name"] == clf]
    found = _read(snap, "model-versions/search",
                  {"filter": f"name = '{clf}'", "order_by": ["version_number ASC"]})[1]
    assert [v["version"] for v in found["model_versions"]] == (
        ["1", "2", "3", "4"] if more is None else ["1", "2", "3", "4", "6"])
    live = {new: ["1", "2"] + ([] if more is None else ["3"]),
            clf: ["1", "2", "3", "4"] + ([] if more is None else ["6"])}
    by_name = [(name, v) for name in sorted(live) for v in sorted(live[name], key=int,
                                                                   reverse=True)]
    params = {"filter": like, "order_by": ["name ASC", "version_number DESC"], "max_results": 3}
    page1 = _read(snap, "model-versions/search", params)[1]
    page2 = snap[f"GET model-versions/search {json.dumps(params, sort_keys=True)} page 2"][1]
    assert [(v["name"], v["version"]) for v in page1["model_versions"]] == by_name[:3]
    assert [(v["name"], v["version"]) for v in page2["model_versions"]] == by_name[3:6]
    found = _read(snap, "model-versions/search",
                  {"filter": f"run_id = '{pid}'", "order_by": ["version_number DESC",
                                                               "name ASC"]})[1]
    assert [(v["name"], v["version"]) for v in found["model_versions"]] == (
        [] if more is None else [(clf, "6")]) + [(clf, "3"), (new, "2"), (clf, "2"), (clf, "1")]
    found = _read(snap, "model-versions/search",
                  {"filter": f"{like} AND tags.`mlflow.prompt.is_prompt` = 'true'"})[1]
    assert [(v["name"], v["source"]) for v in found["model_versions"]] == [(prompt,
                                                                           "prompt-template")]
    found = _read(snap, "model-versions/search",
                  {"filter": f"{like} AND source_path = 's3://bucket/x'"})[1]
    assert [(v["name"], v["version"]) for v in found["model_versions"]] == [(clf, "4")]

    # The logged model registered as clf/3 carries the server-set mlflow.modelVersions tag.
    tags = {t["key"]: t["value"] for t in _read(snap, f"logged-models/{mid}", {})[1]["model"][
        "info"]["tags"]}
    assert {"name": clf, "version": 3} in json.loads(tags["mlflow.modelVersions"]), tags


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
    write_more_registry(client, ids["reg"], "mlflowd")
    more = snapshot(dut.api, ids)
    registry_sanity_check(more, ids, more="mlflowd")
    dut.stop()

    # ... and the reference server reads back what mlflowd added.
    py2 = server_factory("python", db, label=f"interop-python2-{backend_kind}")
    assert_same(more, snapshot(py2.api, ids), "reference server reading data mlflowd added")
    py2.stop()


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
    write_more_registry(client, ids["reg"], "python")
    before2 = snapshot(py.api, ids)
    registry_sanity_check(before2, ids, more="python")
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
