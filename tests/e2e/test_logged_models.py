"""MLflow 3 logged models through the stock MLflow 3.17.2 client (fluent API and MlflowClient)
against mlflowd: ``mlflow.sklearn.log_model`` inside a run, loading it back by ``models:/`` and
``runs:/`` URI, searching, tagging, finalizing and deleting logged models, metrics logged with a
``model_id``, and the run-artifact calls that consult ``logged-models/search`` in 3.x.

The module runs once per backend. One sklearn model is logged per backend (module fixture); the
other tests create their own experiments and cheap REST-only logged models."""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from pathlib import Path
from types import SimpleNamespace

import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow.entities import LoggedModelStatus
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LinearRegression

from conftest import mlflowd_is_python

MODEL_ID = re.compile(r"^m-[0-9a-f]{32}$")
GENERATED_NAME = re.compile(r"^[a-z]+-[a-z]+-\d{1,4}$")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def client(mlflowd):
    mlflow.set_tracking_uri(mlflowd.base_url)
    yield MlflowClient(tracking_uri=mlflowd.base_url)
    while mlflow.active_run() is not None:
        mlflow.end_run()


@pytest.fixture
def tracking(client, mlflowd):
    """Per test: the global tracking URI points at this module's server (other modules' tests
    change it between ours when run in another order)."""
    mlflow.set_tracking_uri(mlflowd.base_url)
    yield client
    while mlflow.active_run() is not None:
        mlflow.end_run()


def _name(label: str) -> str:
    return f"lm-{label}-{secrets.token_hex(3)}"


@pytest.fixture(scope="module")
def sk(client, mlflowd, backend_kind):
    """An sklearn model logged the 3.x way inside a run, plus run artifacts around it."""
    mlflow.set_tracking_uri(mlflowd.base_url)
    exp = mlflow.set_experiment(_name(f"sklearn-{backend_kind}"))
    X = np.arange(24, dtype=float).reshape(12, 2)
    y = X @ np.array([1.5, -2.0]) + 3.0
    model = LinearRegression().fit(X, y)
    before = int(time.time() * 1000)
    with mlflow.start_run(run_name="trainer") as run:
        mlflow.log_param("alpha", 0.5)
        mlflow.log_metric("train_loss", 0.25, step=0)
        mlflow.log_metric("late_step", 7.0, step=5)
        mlflow.log_text("plain notes", "subdir/notes.txt")
        mlflow.log_text("a run file next to the model", "model/run-note.txt")
        info = mlflow.sklearn.log_model(model, name="model", input_example=X[:3])
        # Logged after the model at the model's step (0): the client attaches the model id.
        mlflow.log_metric("post_model", 42.0, step=0)
    after = int(time.time() * 1000)
    return SimpleNamespace(exp_id=exp.experiment_id, run_id=run.info.run_id, info=info,
                           model=model, X=X, before=before, after=after)


# --------------------------------------------------------------------------- log_model / load


def test_log_model_creates_ready_logged_model(tracking, sk):
    info = sk.info
    assert MODEL_ID.match(info.model_id), info.model_id
    assert info.model_uri == f"models:/{info.model_id}"
    assert info.run_id == sk.run_id

    lm = tracking.get_logged_model(info.model_id)
    assert lm.model_id == info.model_id
    assert lm.name == "model"
    assert lm.experiment_id == sk.exp_id
    assert lm.source_run_id == sk.run_id
    assert lm.status == LoggedModelStatus.READY
    assert lm.artifact_location == (
        f"mlflow-artifacts:/{sk.exp_id}/models/{info.model_id}/artifacts")
    assert info.artifact_path == lm.artifact_location
    # The run's params are copied to the model; the client's source tags are set on it.
    assert lm.params == {"alpha": "0.5"}
    assert lm.tags["mlflow.user"]
    assert lm.tags["mlflow.source.type"] == "LOCAL"
    assert set(lm.tags) >= {"mlflow.user", "mlflow.source.name", "mlflow.source.type"}
    assert sk.before - 5000 <= lm.creation_timestamp <= sk.after + 5000
    # Finalizing (READY) after the upload bumps last_updated.
    assert lm.creation_timestamp <= lm.last_updated_timestamp <= sk.after + 5000


def test_log_model_records_run_output_and_model_metrics(tracking, sk):
    run = tracking.get_run(sk.run_id)
    outs = [(o.model_id, o.step) for o in run.outputs.model_outputs]
    assert outs == [(sk.info.model_id, 0)]
    lm = tracking.get_logged_model(sk.info.model_id)
    by_key = {m.key: m for m in lm.metrics}
    # train_loss (step 0, logged before) is re-logged with the model id by log_model; post_model
    # (step 0, logged after) gets the model id from the client; late_step (step 5) does not.
    assert set(by_key) == {"train_loss", "post_model"}, lm.metrics
    assert by_key["train_loss"].value == 0.25 and by_key["train_loss"].step == 0
    assert by_key["post_model"].value == 42.0
    for m in lm.metrics:
        assert m.model_id == sk.info.model_id
        assert m.run_id == sk.run_id
        assert m.dataset_name is None and m.dataset_digest is None
        assert isinstance(m.timestamp, int) and m.timestamp > 0
    # The run keeps its own metrics.
    assert run.data.metrics == {"train_loss": 0.25, "late_step": 7.0, "post_model": 42.0}


def test_load_by_models_uri_predicts_like_original(tracking, sk):
    loaded = mlflow.pyfunc.load_model(sk.info.model_uri)
    np.testing.assert_allclose(loaded.predict(sk.X), sk.model.predict(sk.X))
    assert loaded.metadata.model_id == sk.info.model_id
    assert loaded.metadata.run_id == sk.run_id


def test_load_by_runs_uri_resolves_through_search(tracking, sk):
    # Decoys the server must tell apart: same name from another run (newer, so it comes first
    # in the default order), and the right run under another name.
    other = tracking.create_run(sk.exp_id)
    tracking.create_logged_model(sk.exp_id, name="model", source_run_id=other.info.run_id)
    tracking.create_logged_model(sk.exp_id, name="model-2", source_run_id=sk.run_id)
    loaded = mlflow.pyfunc.load_model(f"runs:/{sk.run_id}/model")
    np.testing.assert_allclose(loaded.predict(sk.X), sk.model.predict(sk.X))
    assert loaded.metadata.model_id == sk.info.model_id


def test_model_artifacts_listed_and_downloaded(tracking, sk, mlflowd):
    mid = sk.info.model_id
    files = {f.path: f for f in tracking.list_logged_model_artifacts(mid)}
    assert {"MLmodel", "requirements.txt", "python_env.yaml", "conda.yaml",
            "input_example.json", "serving_input_example.json"} <= set(files)
    assert any(p.startswith("model.") for p in files), files  # model.skops / model.pkl
    assert all(not f.is_dir and f.file_size > 0 for f in files.values())

    # The UI's listing endpoint and file endpoint agree with the client.
    api = mlflowd.api
    listing = api.ok_get(f"logged-models/{mid}/artifacts/directories")
    assert listing["root_uri"] == f"mlflow-artifacts:/{sk.exp_id}/models/{mid}/artifacts"
    assert {f["path"]: f.get("file_size") for f in listing["files"]} == \
        {p: f.file_size for p, f in files.items()}
    r = api.get(f"logged-models/{mid}/artifacts/files", {"artifact_file_path": "MLmodel"},
                prefix="ajax-api")
    assert r.status_code == 200, r.text[:500]
    mlmodel = r.text
    assert f"model_id: {mid}" in mlmodel
    assert f"run_id: {sk.run_id}" in mlmodel
    assert "sklearn" in mlmodel
    assert len(r.content) == files["MLmodel"].file_size

    local = Path(mlflow.artifacts.download_artifacts(artifact_uri=sk.info.model_uri))
    # (the client adds a local ``registered_model_meta`` file of its own)
    assert set(files) <= {p.name for p in local.iterdir()}
    assert (local / "MLmodel").read_text() == mlmodel


def test_run_artifact_calls_consult_logged_models(tracking, sk):
    # A plain run directory: the client also searches for a logged model named "subdir".
    assert [f.path for f in tracking.list_artifacts(sk.run_id, "subdir")] == ["subdir/notes.txt"]
    # The model's name: run files under model/ plus the logged model's files.
    paths = {f.path for f in tracking.list_artifacts(sk.run_id, "model")}
    assert "model/run-note.txt" in paths
    assert {"model/MLmodel", "model/requirements.txt", "model/input_example.json"} <= paths
    root = {f.path: f.is_dir for f in tracking.list_artifacts(sk.run_id)}
    assert root == {"subdir": True, "model": True}

    notes = mlflow.artifacts.download_artifacts(run_id=sk.run_id,
                                                artifact_path="subdir/notes.txt")
    assert Path(notes).read_text() == "plain notes"
    model_dir = Path(mlflow.artifacts.download_artifacts(run_id=sk.run_id, artifact_path="model"))
    assert (model_dir / "run-note.txt").read_text() == "a run file next to the model"
    assert f"model_id: {sk.info.model_id}" in (model_dir / "MLmodel").read_text()
    example = json.loads((model_dir / "input_example.json").read_text())
    assert example, example

    with pytest.raises(MlflowException):
        mlflow.artifacts.download_artifacts(run_id=sk.run_id, artifact_path="nope/missing.txt")


# --------------------------------------------------------------------------- client CRUD


@pytest.fixture
def exp_id(tracking, request):
    return tracking.create_experiment(_name(request.node.name[:20].replace("_", "-")))


def test_create_and_get_via_client(tracking, exp_id):
    run = tracking.create_run(exp_id)
    lm = tracking.create_logged_model(exp_id, name="clf", source_run_id=run.info.run_id,
                                      tags={"team": "red"}, params={"lr": "0.1", "depth": "3"},
                                      model_type="classifier")
    assert MODEL_ID.match(lm.model_id)
    assert lm.status == LoggedModelStatus.PENDING
    got = tracking.get_logged_model(lm.model_id)
    assert (got.name, got.model_type, got.source_run_id, got.experiment_id) == \
        ("clf", "classifier", run.info.run_id, exp_id)
    assert got.tags == {"team": "red"}
    assert got.params == {"lr": "0.1", "depth": "3"}
    assert got.metrics in (None, [])
    assert got.creation_timestamp == got.last_updated_timestamp == lm.creation_timestamp

    # Params added later.
    tracking.log_model_params(lm.model_id, {"extra": "yes"})
    assert tracking.get_logged_model(lm.model_id).params == {"lr": "0.1", "depth": "3",
                                                             "extra": "yes"}


def test_generated_model_name(tracking, exp_id):
    from mlflow.utils.name_utils import _GENERATOR_NOUNS, _GENERATOR_PREDICATES

    names = {tracking.create_logged_model(exp_id).name for _ in range(3)}
    for name in names:
        assert GENERATED_NAME.match(name), name
        predicate, noun, num = name.split("-")
        assert predicate in {p.lower() for p in _GENERATOR_PREDICATES}, name
        assert noun in {n.lower() for n in _GENERATOR_NOUNS}, name
        assert 0 <= int(num) <= 1000, name


def test_tags_finalize_delete(tracking, exp_id):
    lm = tracking.create_logged_model(exp_id, name="tagged", tags={"keep": "1", "drop": "2"})
    mid = lm.model_id
    tracking.set_logged_model_tags(mid, {"keep": "updated", "num": 5})
    mlflow.set_logged_model_tags(mid, {"fluent": "yes"})
    assert tracking.get_logged_model(mid).tags == {"keep": "updated", "drop": "2", "num": "5",
                                                  "fluent": "yes"}
    tracking.delete_logged_model_tag(mid, "drop")
    mlflow.delete_logged_model_tag(mid, "fluent")
    assert tracking.get_logged_model(mid).tags == {"keep": "updated", "num": "5"}
    with pytest.raises(MlflowException) as ei:
        tracking.delete_logged_model_tag(mid, "drop")
    assert ei.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert f"No tag with key 'drop' found for model with ID '{mid}'" in ei.value.message

    before = tracking.get_logged_model(mid).last_updated_timestamp
    time.sleep(0.01)
    done = tracking.finalize_logged_model(mid, LoggedModelStatus.FAILED)
    assert done.status == LoggedModelStatus.FAILED
    assert done.last_updated_timestamp > before
    assert tracking.get_logged_model(mid).status == LoggedModelStatus.FAILED
    assert mlflow.finalize_logged_model(mid, LoggedModelStatus.READY).status == \
        LoggedModelStatus.READY

    tracking.delete_logged_model(mid)
    with pytest.raises(MlflowException) as ei:
        tracking.get_logged_model(mid)
    assert ei.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert f"Logged model with ID '{mid}' not found." in ei.value.message
    assert tracking.search_logged_models(experiment_ids=[exp_id]) == []


def test_unknown_model_errors(tracking):
    missing = "m-" + "0" * 32
    not_found = f"Logged model with ID '{missing}' not found."
    for call in (lambda: tracking.get_logged_model(missing),
                 lambda: tracking.finalize_logged_model(missing, LoggedModelStatus.READY),
                 lambda: tracking.delete_logged_model(missing),
                 lambda: tracking.delete_logged_model_tag(missing, "a")):
        with pytest.raises(MlflowException) as ei:
            call()
        assert ei.value.error_code == "RESOURCE_DOES_NOT_EXIST", ei.value.message
        assert not_found in ei.value.message
    # These two look the model up first and re-raise the 404 as their own error.
    for call in (lambda: tracking.set_logged_model_tags(missing, {"a": "b"}),
                 lambda: tracking.log_model_params(missing, {"a": "b"})):
        with pytest.raises(MlflowException) as ei:
            call()
        assert ei.value.error_code == "INVALID_PARAMETER_VALUE"
        assert f"Failed to get logged model with ID {missing}" in ei.value.message


# --------------------------------------------------------------------------- metrics + search


@pytest.fixture
def searchable(tracking, exp_id):
    """Three models with params, tags, metrics (one on a dataset), one deleted."""
    ds = mlflow.data.from_pandas(pd.DataFrame({"x": [1, 2, 3]}), name="eval")
    ids = {}
    for name, lr, team in (("alpha", "0.1", "red"), ("beta", "0.01", "blue"),
                           ("gamma", "0.5", "red"), ("gone", "0.9", "red")):
        ids[name] = tracking.create_logged_model(exp_id, name=name, params={"lr": lr},
                                                 tags={"team": team}).model_id
        time.sleep(0.005)  # distinct creation times -> deterministic default order
    tracking.delete_logged_model(ids["gone"])
    with mlflow.start_run(experiment_id=exp_id) as run:
        mlflow.log_metric("acc", 0.9, step=1, model_id=ids["alpha"], dataset=ds)
        mlflow.log_metric("acc", 0.7, step=1, model_id=ids["beta"], dataset=ds)
        mlflow.log_metrics({"acc": 0.8, "loss": 0.2}, step=2, model_id=ids["gamma"])
    return SimpleNamespace(exp_id=exp_id, ids=ids, run_id=run.info.run_id, ds=ds)


def test_metrics_logged_with_model_id(tracking, searchable):
    s = searchable
    alpha = tracking.get_logged_model(s.ids["alpha"])
    assert [(m.key, m.value, m.step, m.dataset_name, m.dataset_digest, m.run_id, m.model_id)
            for m in alpha.metrics] == \
        [("acc", 0.9, 1, "eval", s.ds.digest, s.run_id, s.ids["alpha"])]
    gamma = tracking.get_logged_model(s.ids["gamma"])
    assert sorted((m.key, m.value, m.step, m.dataset_name) for m in gamma.metrics) == \
        [("acc", 0.8, 2, None), ("loss", 0.2, 2, None)]
    # The run records the models as inputs and the dataset; its metrics are the latest values.
    run = tracking.get_run(s.run_id)
    assert {i.model_id for i in run.inputs.model_inputs} == \
        {s.ids["alpha"], s.ids["beta"], s.ids["gamma"]}
    assert [(d.dataset.name, d.dataset.digest) for d in run.inputs.dataset_inputs] == \
        [("eval", s.ds.digest)]
    assert run.data.metrics == {"acc": 0.8, "loss": 0.2}
    assert [m.value for m in tracking.get_metric_history(s.run_id, "acc")] == [0.9, 0.7, 0.8]


def test_search_logged_models_fluent_and_client(tracking, searchable):
    s = searchable
    ids = s.ids

    def names(models):
        return [m.name for m in models]

    def fluent(**kw):
        return names(mlflow.search_logged_models(experiment_ids=[s.exp_id], output_format="list",
                                                 **kw))

    # Newest first; the deleted model never shows.
    assert fluent() == ["gamma", "beta", "alpha"]
    assert fluent(filter_string="name = 'alpha'") == ["alpha"]
    assert fluent(filter_string="name LIKE '%a'") == ["gamma", "beta", "alpha"]
    assert fluent(filter_string="params.lr = '0.01'") == ["beta"]
    assert fluent(filter_string="tags.team = 'red'") == ["gamma", "alpha"]
    assert fluent(filter_string="tags.team IN ('blue', 'green')") == ["beta"]
    assert fluent(filter_string="metrics.acc > 0.75") == ["gamma", "alpha"]
    assert fluent(filter_string="metrics.acc >= 0.7 AND params.lr != '0.1'") == ["gamma", "beta"]
    assert fluent(filter_string="metrics.acc > 0.75",
                  datasets=[{"dataset_name": "eval", "dataset_digest": s.ds.digest}]) == ["alpha"]
    assert fluent(datasets=[{"dataset_name": "eval", "dataset_digest": s.ds.digest}]) == \
        ["beta", "alpha"]
    assert fluent(order_by=[{"field_name": "metrics.acc", "ascending": True}]) == \
        ["beta", "gamma", "alpha"]
    assert fluent(order_by=[{"field_name": "name", "ascending": False}]) == \
        ["gamma", "beta", "alpha"]
    assert fluent(order_by=[{"field_name": "creation_time", "ascending": True}]) == \
        ["alpha", "beta", "gamma"]
    assert fluent(filter_string=f"source_run_id = '{s.run_id}'") == []

    # Full entities come back (params, tags, metrics).
    [alpha] = mlflow.search_logged_models(experiment_ids=[s.exp_id], output_format="list",
                                          filter_string="name = 'alpha'")
    assert alpha.model_id == ids["alpha"]
    assert alpha.params == {"lr": "0.1"} and alpha.tags == {"team": "red"}
    assert [(m.key, m.value) for m in alpha.metrics] == [("acc", 0.9)]

    df = mlflow.search_logged_models(experiment_ids=[s.exp_id])
    assert list(df["name"]) == ["gamma", "beta", "alpha"]
    assert list(df["model_id"]) == [ids["gamma"], ids["beta"], ids["alpha"]]

    # Client pagination with page tokens.
    seen, token = [], None
    while True:
        page = tracking.search_logged_models(experiment_ids=[s.exp_id], max_results=2,
                                             order_by=[{"field_name": "name"}], page_token=token)
        assert len(page) <= 2
        seen += names(page)
        token = page.token
        if not token:
            break
    assert seen == ["alpha", "beta", "gamma"]

    with pytest.raises(MlflowException) as ei:
        mlflow.search_logged_models(experiment_ids=[s.exp_id], filter_string="name > 'a'")
    assert ei.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Invalid comparison operator for attributes.name: '>'" in ei.value.message


# --------------------------------------------------------------------------- wire details


def test_rest_json_shapes(mlflowd, exp_id):
    """Timestamps are int64 JSON numbers; unset strings are printed as ""; empty data is {}."""
    api = mlflowd.api
    r = api.post("logged-models", {"experiment_id": exp_id, "name": "wire"})
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    info = r.json()["model"]["info"]
    assert r.json()["model"]["data"] == {}
    for key in ("creation_timestamp_ms", "last_updated_timestamp_ms"):
        assert type(info[key]) is int, (key, info[key])
    assert info["creation_timestamp_ms"] == info["last_updated_timestamp_ms"]
    assert info["status"] == "LOGGED_MODEL_PENDING"
    assert info["model_type"] == "" and info["source_run_id"] == ""
    assert "tags" not in info and "status_message" not in info and "creator_id" not in info
    mid = info["model_id"]
    assert MODEL_ID.match(mid)

    run_id = api.ok_post("runs/create", {"experiment_id": exp_id})["run"]["info"]["run_id"]
    api.ok_post("runs/log-metric", {"run_id": run_id, "key": "m", "value": 1.5,
                                    "timestamp": 1_700_000_000_123, "step": 3, "model_id": mid,
                                    "dataset_name": "d", "dataset_digest": "x1"})
    got = api.ok_get(f"logged-models/{mid}")["model"]
    assert got["data"]["metrics"] == [{
        "key": "m", "value": 1.5, "timestamp": 1_700_000_000_123, "step": 3,
        "dataset_name": "d", "dataset_digest": "x1", "model_id": mid, "run_id": run_id}]
    assert type(got["data"]["metrics"][0]["timestamp"]) is int

    # Empty search: {} (no "models": []).
    assert api.ok_post("logged-models/search",
                       {"experiment_ids": [exp_id], "filter": "name = 'none'"}) == {}
    # next_page_token is base64 of the SearchLoggedModelsPaginationToken JSON.
    api.ok_post("logged-models", {"experiment_id": exp_id, "name": "wire2"})
    page = api.ok_post("logged-models/search", {"experiment_ids": [exp_id], "max_results": 1})
    assert json.loads(base64.b64decode(page["next_page_token"])) == {
        "experiment_ids": [exp_id], "filter_string": None, "order_by": None, "offset": 1}

    # Both search models listing and the page-token error text.
    r = api.post("logged-models/search", {"experiment_ids": [exp_id],
                                          "page_token": base64.b64encode(b"nope").decode()})
    assert r.status_code == 400
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert r.json()["message"].startswith("Invalid page token: bm9wZQ==. ")


def test_last_updated_timestamp_semantics(mlflowd, exp_id):
    """Only finalize and delete bump ``last_updated_timestamp_ms``; tags, params and metrics do
    not (the differential table cannot see this: both times normalize to <now>)."""
    api = mlflowd.api
    mid = api.ok_post("logged-models", {"experiment_id": exp_id, "name": "lut"})["model"][
        "info"]["model_id"]
    run_id = api.ok_post("runs/create", {"experiment_id": exp_id})["run"]["info"]["run_id"]

    def lut():
        info = api.ok_get(f"logged-models/{mid}", {"allow_deleted": "true"})["model"]["info"]
        return info["last_updated_timestamp_ms"], info["creation_timestamp_ms"]

    created, creation = lut()
    assert created == creation
    steps = [
        ("tags", lambda: api.request("PATCH", f"logged-models/{mid}/tags",
                                     json={"tags": [{"key": "a", "value": "1"}]}), False),
        ("params", lambda: api.post(f"logged-models/{mid}/params",
                                    {"model_id": mid, "params": [{"key": "p", "value": "1"}]}),
         False),
        ("metric", lambda: api.post("runs/log-metric", {
            "run_id": run_id, "key": "m", "value": 1, "timestamp": 5, "step": 0,
            "model_id": mid}), False),
        ("delete-tag", lambda: api.request("DELETE", f"logged-models/{mid}/tags/a", json={}),
         False),
        ("finalize", lambda: api.request("PATCH", f"logged-models/{mid}",
                                         json={"model_id": mid, "status": "LOGGED_MODEL_READY"}),
         True),
        ("delete", lambda: api.request("DELETE", f"logged-models/{mid}", json={}), True),
    ]
    last = created
    for label, call, bumps in steps:
        time.sleep(0.02)
        r = call()
        assert r.status_code == 200, (label, r.text[:300])
        now, c = lut()
        assert c == creation, label
        assert (now > last) == bumps, (label, last, now)
        assert now >= last, label
        last = now


# Inputs on which MLflow's logged-model search crashes (500: HTML page or INTERNAL_ERROR, which
# the client retries); like test_rest_errors.CRASH_CASES, mlflowd reports them as client errors.
CRASH_CASES = [
    ("unknown-attribute", {"filter": "bogus = 'x'"}, "bogus"),
    ("capitalized-entity", {"filter": "Tags.team = 'x'"}, "Tags.team"),
    ("non-numeric-metric-value", {"filter": "metrics.acc > 'abc'"}, "abc"),
    ("non-base64-page-token", {"page_token": "not-a-token"}, "Invalid page token"),
    ("page-token-not-an-object", {"page_token": base64.b64encode(b"[1, 2]").decode()},
     "Invalid page token"),
]


@pytest.mark.skipif(mlflowd_is_python(), reason="MLflow answers 500 here; mlflowd does better")
@pytest.mark.parametrize("case_id, body, contains", CRASH_CASES, ids=[c[0] for c in CRASH_CASES])
def test_search_crashes_are_client_errors(mlflowd, exp_id, case_id, body, contains):
    r = mlflowd.api.post("logged-models/search", {"experiment_ids": [exp_id], **body})
    assert r.status_code == 400, (r.status_code, r.text[:500])
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert contains in r.json()["message"]


@pytest.mark.skipif(not mlflowd_is_python(), reason="documents the reference's behaviour")
def test_reference_crashes_on_crash_cases(mlflowd, exp_id):
    """Keeps CRASH_CASES honest in oracle mode: MLflow really answers 500 on each of them (if it
    ever stops crashing, the case belongs in the differential table instead)."""
    for case_id, body, _ in CRASH_CASES:
        r = mlflowd.api.post("logged-models/search", {"experiment_ids": [exp_id], **body})
        assert r.status_code == 500, (case_id, r.status_code, r.text[:300])
