"""The model registry through the stock MLflow 3.17.2 client and raw HTTP against mlflowd:
``mlflow.sklearn.log_model(..., registered_model_name=...)``, loading ``models:/<name>/<version>``
and ``models:/<name>@<alias>``, ``mlflow.register_model`` of a run's model, aliases, tags, stages,
latest versions, searches, rename, deletes, the UI's ``/model-versions/get-artifact`` download,
the wire format of registry entities, and the CVE-2023-6909 / CVE-2024-2928 five-request chains
(create experiment -> run -> registered model -> model version with a malicious source ->
``get-artifact``).

The module runs once per backend, each paired with its own artifact store (this module overrides
conftest's ``mlflowd`` fixture): SQLite with a local-disk artifacts destination, PostgreSQL with
an S3 one (``--artifacts-destination s3://<bucket>/<prefix>`` on the session's moto server, a
fresh bucket per module). The stock client only talks to the server (artifacts are proxied via
``mlflow-artifacts:/``); where a test checks what really landed in the destination it reads the
file from disk or the object from the bucket (boto3). One sklearn model is logged and registered
per backend (module fixture); the other tests create their own registered models (cheap
REST-only registrations of that run's model, or bare ``s3://`` sources).

Response-shape facts asserted here were recorded from MLflow 3.17.2 (oracle mode,
``MLFLOWD_BIN_IS_PYTHON=1``); the differential cases (diff_cases_registry.py) compare the rest
field by field against a live reference server.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import warnings
from pathlib import Path
from types import SimpleNamespace

import mlflow
import numpy as np
import pytest
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LinearRegression

from conftest import mlflowd_is_python, s3_env
from test_artifacts_local import dest_of

MODEL_ID = re.compile(r"^m-[0-9a-f]{32}$")
PROMPT_TAG = {"key": "mlflow.prompt.is_prompt", "value": "true"}

# Proto field order (mlflow/protos/model_registry.proto field numbers): MLflow prints set fields
# in this order.
RM_FIELDS = ["name", "creation_timestamp", "last_updated_timestamp", "user_id", "description",
             "latest_versions", "tags", "aliases", "deployment_job_id", "deployment_job_state"]
MV_FIELDS = ["name", "version", "creation_timestamp", "last_updated_timestamp", "user_id",
             "current_stage", "description", "source", "run_id", "status", "status_message",
             "tags", "run_link", "aliases", "model_id", "model_params", "model_metrics",
             "deployment_job_state"]


# --------------------------------------------------------------------------- fixtures

# The artifact store each backend is paired with.
ARTIFACT_STORE = {"sqlite": "local", "postgres": "s3"}


@pytest.fixture(scope="module")
def mlflowd(backend_kind, db_factory, server_factory, request):
    """Overrides conftest's: mlflowd on a fresh database of the module's backend kind, with a
    local-disk artifacts destination on SQLite and an S3 one (moto) on PostgreSQL. The server
    gets ``.artifact_store``: ``("local", <dir>)`` or ``("s3", moto, bucket, prefix)``."""
    db = db_factory(backend_kind)
    store = ARTIFACT_STORE[backend_kind]
    label = f"mlflowd-{backend_kind}-{store}"
    if store == "s3":
        moto = request.getfixturevalue("moto_s3")
        bucket = moto.create_bucket()
        prefix = f"registry-{secrets.token_hex(4)}"
        srv = server_factory("mlflowd", db, label=label,
                             artifacts_destination=f"s3://{bucket}/{prefix}",
                             env=s3_env(moto.url))
        srv.artifact_store = ("s3", moto, bucket, prefix)
    else:
        srv = server_factory("mlflowd", db, label=label)
        srv.artifact_store = ("local", dest_of(srv))
    yield srv
    srv.stop()
    db.drop()


def assert_missing_artifact(r, srv, where: str) -> None:
    """``r``: a ``/model-versions/get-artifact`` answer for a file that is not in the artifacts
    destination; ``where``: its path inside the destination."""
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    body = r.json()
    if srv.impl == "python" and srv.artifact_store[0] == "s3":
        # MLflow 3.17.2 lets S3's HeadObject 404 surface as a 500 INTERNAL_ERROR (recorded in
        # oracle mode); mlflowd deliberately answers the local-disk 404 (as test_artifacts_s3).
        _, _, bucket, prefix = srv.artifact_store
        assert r.status_code == 500, (r.status_code, r.text[:300])
        assert body["error_code"] == "INTERNAL_ERROR", body
        assert body["message"] == (
            "The following failures occurred while downloading one or more artifacts from "
            f"s3://{bucket}/{prefix}:\n##### File {where} #####\n"
            "An error occurred (404) when calling the HeadObject operation: Not Found"), body
    else:
        assert r.status_code == 404, (r.status_code, r.text[:300])
        assert body["error_code"] == "RESOURCE_DOES_NOT_EXIST", body
        assert body["message"] == f"No such artifact: '{where}'", body


def read_destination(srv, rel: str) -> bytes:
    """The bytes of ``<artifacts destination>/<rel>``, read from the store itself (the file on
    disk, or the object in the bucket), not through the server."""
    kind, *where = srv.artifact_store
    if kind == "s3":
        moto, bucket, prefix = where
        return moto.client().get_object(Bucket=bucket, Key=f"{prefix}/{rel}")["Body"].read()
    (root,) = where
    return (Path(root) / rel).read_bytes()


@pytest.fixture(scope="module")
def client(mlflowd):
    mlflow.set_tracking_uri(mlflowd.base_url)
    mlflow.set_registry_uri(mlflowd.base_url)
    yield MlflowClient(tracking_uri=mlflowd.base_url, registry_uri=mlflowd.base_url)
    while mlflow.active_run() is not None:
        mlflow.end_run()


@pytest.fixture
def tracking(client, mlflowd):
    """Per test: the global tracking/registry URIs point at this module's server."""
    mlflow.set_tracking_uri(mlflowd.base_url)
    mlflow.set_registry_uri(mlflowd.base_url)
    yield client
    while mlflow.active_run() is not None:
        mlflow.end_run()


def _name(label: str) -> str:
    return f"reg-{label}-{secrets.token_hex(3)}"


@pytest.fixture(scope="module")
def sk(client, mlflowd, backend_kind):
    """An sklearn model logged inside a run and registered by ``log_model`` (version 1), then
    registered a second time from the run (``runs:/<run>/model``, version 2)."""
    mlflow.set_tracking_uri(mlflowd.base_url)
    mlflow.set_registry_uri(mlflowd.base_url)
    name = _name(f"sk-{backend_kind}")
    exp = mlflow.set_experiment(_name(f"exp-{backend_kind}"))
    X = np.arange(24, dtype=float).reshape(12, 2)
    y = X @ np.array([1.5, -2.0]) + 3.0
    model = LinearRegression().fit(X, y)
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(model, name="model", registered_model_name=name,
                                        input_example=X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mv2 = mlflow.register_model(f"runs:/{run.info.run_id}/model", name)
    return SimpleNamespace(name=name, exp_id=exp.experiment_id, run_id=run.info.run_id,
                           info=info, model=model, X=X, mv2=mv2)


def _rest_version(api, name: str, source: str = "s3://bucket/model", **fields) -> dict:
    return api.ok_post("model-versions/create", {"name": name, "source": source, **fields})[
        "model_version"]


# --------------------------------------------------------------------------- log_model + load


def test_log_model_registers_version_1(tracking, sk, mlflowd):
    assert str(sk.info.registered_model_version) == "1"
    assert MODEL_ID.match(sk.info.model_id), sk.info.model_id
    mv = tracking.get_model_version(sk.name, "1")
    assert mv.version == "1"
    assert mv.source == f"models:/{sk.info.model_id}"
    assert mv.run_id == sk.run_id
    assert mv.status == "READY"
    assert mv.current_stage == "None"
    # The download URI is the logged model's artifact location, not the source.
    uri = tracking.get_model_version_download_uri(sk.name, "1")
    assert uri == f"mlflow-artifacts:/{sk.exp_id}/models/{sk.info.model_id}/artifacts", uri
    # The server records the registration on the logged model.
    lm = tracking.get_logged_model(sk.info.model_id)
    assert '"version": 1' in lm.tags.get("mlflow.modelVersions", ""), lm.tags
    assert sk.name in lm.tags["mlflow.modelVersions"]


def test_register_existing_run_model_creates_version_2(tracking, sk):
    assert sk.mv2.version == "2"
    assert sk.mv2.name == sk.name
    mv = tracking.get_model_version(sk.name, "2")
    # In 3.x the run directory holds no MLmodel: the client resolves the run's logged model and
    # registers it by model id.
    assert mv.source == f"models:/{sk.info.model_id}", mv.source
    assert mv.run_id == sk.run_id
    assert tracking.get_model_version_download_uri(sk.name, "2") == \
        tracking.get_model_version_download_uri(sk.name, "1")
    rm = tracking.get_registered_model(sk.name)
    assert [v.version for v in rm.latest_versions] == ["2"]


@pytest.mark.parametrize("uri", ["models:/{name}/1", "models:/{name}/2", "models:/{name}/latest"])
def test_load_by_version(tracking, sk, uri):
    loaded = mlflow.pyfunc.load_model(uri.format(name=sk.name))
    np.testing.assert_allclose(loaded.predict(sk.X), sk.model.predict(sk.X))


def test_load_by_alias(tracking, sk):
    tracking.set_registered_model_alias(sk.name, "champion", "1")
    try:
        loaded = mlflow.pyfunc.load_model(f"models:/{sk.name}@champion")
        np.testing.assert_allclose(loaded.predict(sk.X), sk.model.predict(sk.X))
        mv = tracking.get_model_version_by_alias(sk.name, "champion")
        assert mv.version == "1" and mv.aliases == ["champion"]
    finally:
        tracking.delete_registered_model_alias(sk.name, "champion")
    with pytest.raises(MlflowException) as e:
        mlflow.pyfunc.load_model(f"models:/{sk.name}@champion")
    assert "champion" in str(e.value)


def test_get_artifact_serves_mlmodel(sk, mlflowd):
    """The UI's download: ``GET /model-versions/get-artifact?name=&version=&path=MLmodel``."""
    s = mlflowd.api.session
    r = s.get(mlflowd.base_url + "/model-versions/get-artifact",
              params={"name": sk.name, "version": "1", "path": "MLmodel"}, timeout=60)
    assert r.status_code == 200, r.text[:500]
    text = r.text
    assert "flavors:" in text and "sklearn" in text and sk.info.model_id in text, text[:500]
    # Served from the artifacts destination: the logged model's files are really in the store.
    assert r.content == read_destination(
        mlflowd, f"{sk.exp_id}/models/{sk.info.model_id}/artifacts/MLmodel")
    assert r.headers.get("Content-Disposition", "").startswith("attachment"), r.headers
    assert "MLmodel" in r.headers.get("Content-Disposition", "")
    assert r.headers.get("X-Content-Type-Options") == "nosniff", r.headers
    # Files below the model directory, by relative path.
    r = s.get(mlflowd.base_url + "/model-versions/get-artifact",
              params={"name": sk.name, "version": "2", "path": "input_example.json"}, timeout=60)
    assert r.status_code == 200, r.text[:300]
    assert r.content.strip(), r.content
    # Under the static UI prefix the route does not exist in MLflow: the UI uses the bare one.
    r = s.get(mlflowd.base_url + "/ajax-api/2.0/mlflow/model-versions/get-artifact",
              params={"name": sk.name, "version": "1", "path": "MLmodel"}, timeout=60)
    assert r.status_code == 404, (r.status_code, r.text[:200])
    assert "flavors:" not in r.text


MISSING_FILE = {"version": "1", "path": "nope.txt"}


@pytest.mark.parametrize("params,status,code", [
    (MISSING_FILE, 404, "RESOURCE_DOES_NOT_EXIST"),
    ({"version": "9", "path": "MLmodel"}, 404, "RESOURCE_DOES_NOT_EXIST"),
    ({"version": "x", "path": "MLmodel"}, 400, "INVALID_PARAMETER_VALUE"),
    ({"version": "1", "path": "../../../../../../etc/passwd"}, 400, "INVALID_PARAMETER_VALUE"),
    ({"version": "1", "path": "/etc/passwd"}, 400, "INVALID_PARAMETER_VALUE"),
    ({"version": "1", "path": "%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd"}, 400,
     "INVALID_PARAMETER_VALUE"),
    ({"version": "1", "path": "a#/../../../../etc/passwd"}, 400, "INVALID_PARAMETER_VALUE"),
])
def test_get_artifact_errors(sk, mlflowd, params, status, code):
    r = mlflowd.api.session.get(mlflowd.base_url + "/model-versions/get-artifact",
                                params={"name": sk.name, **params}, timeout=60)
    assert b"root:" not in r.content
    if params == MISSING_FILE:
        assert_missing_artifact(
            r, mlflowd, f"{sk.exp_id}/models/{sk.info.model_id}/artifacts/nope.txt")
        return
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.json()["error_code"] == code, r.text


def test_get_artifact_missing_path_is_400(sk, mlflowd):
    r = mlflowd.api.session.get(mlflowd.base_url + "/model-versions/get-artifact",
                                params={"name": sk.name, "version": "1"}, timeout=60)
    assert r.status_code == 400, (r.status_code, r.text[:300])


# --------------------------------------------------------------------------- aliases, tags


def test_aliases_and_tags(tracking, sk):
    name = _name("alias")
    tracking.create_registered_model(name, tags={"team": "red"}, description="first")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        v1 = mlflow.register_model(f"runs:/{sk.run_id}/model", name)
        v2 = mlflow.register_model(f"runs:/{sk.run_id}/model", name)
    assert (v1.version, v2.version) == ("1", "2")
    tracking.set_registered_model_alias(name, "champion", "1")
    tracking.set_registered_model_alias(name, "challenger", "2")
    tracking.set_registered_model_alias(name, "alpha", "2")
    rm = tracking.get_registered_model(name)
    assert rm.aliases == {"champion": "1", "challenger": "2", "alpha": "2"}
    assert tracking.get_model_version(name, "2").aliases == ["alpha", "challenger"]
    assert tracking.get_model_version_by_alias(name, "champion").version == "1"
    # Moving an alias.
    tracking.set_registered_model_alias(name, "champion", "2")
    assert tracking.get_model_version(name, "1").aliases == []
    assert tracking.get_model_version(name, "2").aliases == ["alpha", "challenger", "champion"]
    tracking.delete_registered_model_alias(name, "challenger")
    with pytest.raises(MlflowException) as e:
        tracking.get_model_version_by_alias(name, "challenger")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Registered model alias challenger not found." in e.value.message
    with pytest.raises(MlflowException) as e:
        tracking.set_registered_model_alias(name, "latest", "1")
    assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    # "latest" resolves to the highest version.
    assert tracking.get_model_version_by_alias(name, "latest").version == "2"

    # Tags and descriptions.
    tracking.set_registered_model_tag(name, "team", "blue")
    tracking.set_registered_model_tag(name, "tier", "1")
    tracking.delete_registered_model_tag(name, "tier")
    tracking.set_model_version_tag(name, "1", "validated", "yes")
    tracking.set_model_version_tag(name, "1", "temp", "x")
    tracking.delete_model_version_tag(name, "1", "temp")
    tracking.update_registered_model(name, description="second")
    tracking.update_model_version(name, "1", description="v1 desc")
    rm = tracking.get_registered_model(name)
    assert rm.tags == {"team": "blue"} and rm.description == "second"
    mv = tracking.get_model_version(name, "1")
    assert mv.tags == {"validated": "yes"} and mv.description == "v1 desc"


def test_duplicate_and_missing_names(tracking, mlflowd):
    name = _name("dup")
    tracking.create_registered_model(name)
    with pytest.raises(MlflowException) as e:
        tracking.create_registered_model(name)
    assert e.value.error_code == "RESOURCE_ALREADY_EXISTS"
    assert e.value.get_http_status_code() == 400
    for call in (lambda: tracking.get_registered_model(name + "-nope"),
                 lambda: tracking.get_model_version(name, "1"),
                 lambda: tracking.get_model_version_download_uri(name, "3")):
        with pytest.raises(MlflowException) as e:
            call()
        assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    r = mlflowd.api.post("registered-models/create", {"name": name})
    assert r.status_code == 400
    assert r.json()["error_code"] == "RESOURCE_ALREADY_EXISTS"
    assert r.json()["message"] == f"Registered Model (name={name}) already exists."
    r = mlflowd.api.get("registered-models/get", {"name": name + "-nope"})
    assert r.status_code == 404
    assert r.json()["message"] == f"Registered Model with name={name}-nope not found"
    r = mlflowd.api.get("model-versions/get", {"name": name, "version": "7"})
    assert r.status_code == 404
    assert r.json()["message"] == f"Model Version (name={name}, version=7) not found"


# --------------------------------------------------------------------------- stages


def test_stages_and_latest_versions(tracking, mlflowd):
    name = _name("stage")
    tracking.create_registered_model(name)
    for _ in range(4):
        _rest_version(mlflowd.api, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tracking.transition_model_version_stage(name, "1", "Staging")
        tracking.transition_model_version_stage(name, "2", "Production")
        mv = tracking.transition_model_version_stage(name, "3", "staging",
                                                     archive_existing_versions=True)
        assert mv.current_stage == "Staging"
        assert tracking.get_model_version(name, "1").current_stage == "Archived"
        latest = {v.current_stage: v.version for v in tracking.get_latest_versions(name)}
        assert latest == {"Archived": "1", "Production": "2", "Staging": "3", "None": "4"}
        prod = tracking.get_latest_versions(name, stages=["Production"])
        assert [v.version for v in prod] == ["2"]
        tracking.transition_model_version_stage(name, "4", "Production",
                                                archive_existing_versions=True)
        assert tracking.get_model_version(name, "2").current_stage == "Archived"
        latest = {v.current_stage: v.version for v in tracking.get_latest_versions(name)}
        assert latest == {"Archived": "2", "Production": "4", "Staging": "3"}
        with pytest.raises(MlflowException) as e:
            tracking.transition_model_version_stage(name, "1", "Bogus")
        assert e.value.error_code == "INVALID_PARAMETER_VALUE"
    rm = tracking.get_registered_model(name)
    assert sorted((v.current_stage, v.version) for v in rm.latest_versions) == \
        [("Archived", "2"), ("Production", "4"), ("Staging", "3")]
    # archive_existing_versions is only valid for Staging/Production: MLflow answers 500.
    r = mlflowd.api.post("model-versions/transition-stage",
                         {"name": name, "version": "1", "stage": "Archived",
                          "archive_existing_versions": True})
    assert r.status_code == 500, r.text
    assert r.json()["error_code"] == "INTERNAL_ERROR"


# --------------------------------------------------------------------------- searches


@pytest.fixture(scope="module")
def search_set(client, mlflowd):
    api = mlflowd.api
    prefix = _name("search")
    names = [f"{prefix}-a", f"{prefix}-B", f"{prefix}-c"]
    for n, team in zip(names, ["red", "blue", "red"]):
        api.ok_post("registered-models/create",
                    {"name": n, "tags": [{"key": "team", "value": team}]})
    run_ids = []
    exp = api.ok_post("experiments/create", {"name": prefix})["experiment_id"]
    for _ in range(2):
        run_ids.append(api.ok_post("runs/create", {"experiment_id": exp})["run"]["info"]["run_id"])
    # a: 3 versions (runs 0, 1, s3); B: 1 version; c: none
    _rest_version(api, names[0], f"runs:/{run_ids[0]}/model", run_id=run_ids[0],
                  tags=[{"key": "k", "value": "v1"}])
    _rest_version(api, names[0], f"runs:/{run_ids[1]}/model", run_id=run_ids[1])
    _rest_version(api, names[0], "s3://bucket/a/3")
    _rest_version(api, names[1], f"runs:/{run_ids[1]}/model", run_id=run_ids[1],
                  tags=[{"key": "k", "value": "v2"}])
    # A prompt sharing the prefix: excluded by default.
    api.ok_post("registered-models/create", {"name": f"{prefix}-prompt", "tags": [PROMPT_TAG]})
    api.ok_post("model-versions/create", {"name": f"{prefix}-prompt", "source": "dummy-source",
                                          "tags": [PROMPT_TAG]})
    return SimpleNamespace(prefix=prefix, names=names, run_ids=run_ids)


def test_search_registered_models(tracking, search_set):
    p = search_set.prefix
    a, b, c = search_set.names
    got = tracking.search_registered_models(filter_string=f"name LIKE '{p}%'")
    # ORDER BY name in the database's collation: SQLite's BINARY and the test PostgreSQL's
    # C.UTF-8 both sort upper case first.
    assert [m.name for m in got] == [b, a, c]
    assert all(m.name != f"{p}-prompt" for m in got)
    got = tracking.search_registered_models(f"name LIKE '{p}%' AND tags.team = 'red'")
    assert [m.name for m in got] == [a, c]
    got = tracking.search_registered_models(f"name ILIKE '{p}-b'")
    assert [m.name for m in got] == [b]
    got = tracking.search_registered_models(f"name LIKE '{p}%'", order_by=["name DESC"])
    assert [m.name for m in got] == [c, a, b]
    page1 = tracking.search_registered_models(f"name LIKE '{p}%'", max_results=2)
    assert [m.name for m in page1] == [b, a] and page1.token
    page2 = tracking.search_registered_models(f"name LIKE '{p}%'", max_results=2,
                                              page_token=page1.token)
    assert [m.name for m in page2] == [c] and not page2.token
    # latest_versions in search results: one per stage.
    a_rm = next(m for m in tracking.search_registered_models(f"name = '{a}'"))
    assert [v.version for v in a_rm.latest_versions] == ["3"]


def test_search_registered_models_prompt_filter_on_the_wire(search_set, mlflowd):
    """What the client sends (`tag.`mlflow.prompt.is_prompt` != 'true'`) and what the UI's
    prompts page sends (`= 'true'`)."""
    p = search_set.prefix
    api = mlflowd.api
    r = api.ok_get("registered-models/search",
                   {"filter": f"name LIKE '{p}%' AND tag.`mlflow.prompt.is_prompt` != 'true'",
                    "max_results": 100})
    assert [m["name"] for m in r["registered_models"]] == [f"{p}-B", f"{p}-a", f"{p}-c"]
    r = api.ok_get("registered-models/search",
                   {"filter": f"name LIKE '{p}%' AND tags.`mlflow.prompt.is_prompt` = 'true'"})
    assert [m["name"] for m in r["registered_models"]] == [f"{p}-prompt"]
    # No filter on the tag: prompts are still excluded.
    r = api.ok_get("registered-models/search", {"filter": f"name LIKE '{p}%'"})
    assert f"{p}-prompt" not in [m["name"] for m in r["registered_models"]]
    r = api.ok_get("model-versions/search", {"filter": f"name = '{p}-prompt'"})
    assert r == {}


def test_search_model_versions(tracking, search_set):
    p = search_set.prefix
    a, b, _ = search_set.names
    r0, r1 = search_set.run_ids
    got = tracking.search_model_versions(f"name = '{a}'")
    assert [(m.name, m.version) for m in got] == [(a, "3"), (a, "2"), (a, "1")]
    got = tracking.search_model_versions(f"run_id = '{r1}'")
    assert sorted((m.name, m.version) for m in got) == [(b, "1"), (a, "2")]
    got = tracking.search_model_versions(f"name LIKE '{p}%' AND tags.k = 'v2'")
    assert [(m.name, m.version) for m in got] == [(b, "1")]
    got = tracking.search_model_versions(f"name = '{a}' AND version_number >= 2",
                                         order_by=["version_number ASC"])
    assert [m.version for m in got] == ["2", "3"]
    got = tracking.search_model_versions(f"name LIKE '{p}%' AND source_path = 's3://bucket/a/3'")
    assert [(m.name, m.version) for m in got] == [(a, "3")]
    got = tracking.search_model_versions(f"run_id IN ('{r0}', '{r1}') AND name LIKE '{p}%'",
                                         order_by=["name ASC", "version_number ASC"])
    assert [(m.name, m.version) for m in got] == [(b, "1"), (a, "1"), (a, "2")]
    page1 = tracking.search_model_versions(f"name LIKE '{p}%'", max_results=3,
                                           order_by=["version_number DESC", "name ASC"])
    assert len(page1) == 3 and page1.token
    page2 = tracking.search_model_versions(f"name LIKE '{p}%'", max_results=3,
                                           order_by=["version_number DESC", "name ASC"],
                                           page_token=page1.token)
    assert [(m.name, m.version) for m in list(page1) + list(page2)] == \
        [(a, "3"), (a, "2"), (b, "1"), (a, "1")]
    assert not page2.token


# --------------------------------------------------------------------------- rename / delete


def test_rename_carries_versions(tracking, sk):
    name = _name("rename")
    tracking.create_registered_model(name, tags={"t": "v"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlflow.register_model(f"runs:/{sk.run_id}/model", name)
    tracking.set_registered_model_alias(name, "prod", "1")
    tracking.set_model_version_tag(name, "1", "k", "v")
    new = name + "-renamed"
    tracking.rename_registered_model(name, new)
    rm = tracking.get_registered_model(new)
    assert [v.name for v in rm.latest_versions] == [new]
    assert rm.tags == {"t": "v"} and rm.aliases == {"prod": "1"}
    mv = tracking.get_model_version(new, "1")
    assert mv.name == new and mv.tags == {"k": "v"} and mv.aliases == ["prod"]
    with pytest.raises(MlflowException) as e:
        tracking.get_registered_model(name)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    loaded = mlflow.pyfunc.load_model(f"models:/{new}@prod")
    np.testing.assert_allclose(loaded.predict(sk.X), sk.model.predict(sk.X))
    # Renaming onto an existing name.
    other = _name("rename-other")
    tracking.create_registered_model(other)
    with pytest.raises(MlflowException) as e:
        tracking.rename_registered_model(new, other)
    assert e.value.error_code == "RESOURCE_ALREADY_EXISTS"


def test_delete_model_version_and_registered_model(tracking, mlflowd):
    name = _name("delete")
    tracking.create_registered_model(name)
    for _ in range(3):
        _rest_version(mlflowd.api, name)
    tracking.set_registered_model_alias(name, "a2", "2")
    tracking.delete_model_version(name, "2")
    with pytest.raises(MlflowException) as e:
        tracking.get_model_version(name, "2")
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert tracking.get_registered_model(name).aliases == {}
    assert [m.version for m in tracking.search_model_versions(f"name = '{name}'")] == ["3", "1"]
    # Version numbers are never reused.
    assert _rest_version(mlflowd.api, name)["version"] == "4"
    tracking.delete_registered_model(name)
    with pytest.raises(MlflowException) as e:
        tracking.get_registered_model(name)
    assert e.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    assert tracking.search_model_versions(f"name = '{name}'") == []
    # The name is free again and numbering restarts.
    tracking.create_registered_model(name)
    assert _rest_version(mlflowd.api, name)["version"] == "1"


# --------------------------------------------------------------------------- wire format


def _key_order_ok(obj: dict, order: list[str]) -> bool:
    keys = list(obj)
    return all(k in order for k in keys) and keys == sorted(keys, key=order.index)


def test_wire_format(mlflowd, sk):
    """Field order (proto field numbers), omitted-when-empty fields, int64 as JSON numbers,
    versions as strings -- byte-level facts the differential comparison (dicts) cannot see."""
    api = mlflowd.api
    name = _name("wire")
    r = api.post("registered-models/create", {"name": name})
    assert r.headers["Content-Type"].startswith("application/json")
    rm = r.json()["registered_model"]
    assert list(rm) == ["name", "creation_timestamp", "last_updated_timestamp"], rm
    assert isinstance(rm["creation_timestamp"], int)
    assert rm["creation_timestamp"] == rm["last_updated_timestamp"]
    mv = api.ok_post("model-versions/create", {"name": name, "source": "s3://b/m"})[
        "model_version"]
    # run_id "" and description "" / run_link "" are printed; tags/aliases/model_id are not.
    assert list(mv) == ["name", "version", "creation_timestamp", "last_updated_timestamp",
                        "current_stage", "description", "source", "run_id", "status",
                        "run_link"], mv
    assert mv["version"] == "1" and mv["run_id"] == "" and mv["description"] == ""
    assert mv["current_stage"] == "None" and mv["status"] == "READY"
    assert isinstance(mv["creation_timestamp"], int) and isinstance(mv["last_updated_timestamp"],
                                                                    int)
    api.ok_post("registered-models/alias", {"name": name, "alias": "z", "version": "1"})
    api.ok_post("registered-models/set-tag", {"name": name, "key": "t", "value": "v"})
    api.ok_post("model-versions/set-tag", {"name": name, "version": "1", "key": "t", "value": "v"})
    rm = api.ok_get("registered-models/get", {"name": name})["registered_model"]
    assert _key_order_ok(rm, RM_FIELDS), list(rm)
    assert list(rm) == ["name", "creation_timestamp", "last_updated_timestamp",
                        "latest_versions", "tags", "aliases"], list(rm)
    assert rm["aliases"] == [{"alias": "z", "version": "1"}]
    assert rm["tags"] == [{"key": "t", "value": "v"}]
    lv = rm["latest_versions"][0]
    assert _key_order_ok(lv, MV_FIELDS) and "aliases" not in lv, lv
    got = api.ok_get("model-versions/get", {"name": name, "version": "1"})["model_version"]
    assert _key_order_ok(got, MV_FIELDS), list(got)
    assert got["aliases"] == ["z"] and got["tags"] == [{"key": "t", "value": "v"}]
    # Search items have no aliases.
    found = api.ok_get("model-versions/search", {"filter": f"name = '{name}'"})["model_versions"]
    assert "aliases" not in found[0] and _key_order_ok(found[0], MV_FIELDS)
    # A registered model version of a logged model: model_id is NOT printed by MLflow 3.17.2.
    got = api.ok_get("model-versions/get", {"name": sk.name, "version": "1"})["model_version"]
    assert "model_id" not in got and got["source"].startswith("models:/m-"), got
    # Description: an empty registered-model description is omitted, a model version's is not.
    rm = api.request("PATCH", "registered-models/update",
                     json={"name": name, "description": ""}).json()
    assert "description" not in rm["registered_model"], rm
    mv = api.request("PATCH", "model-versions/update",
                     json={"name": name, "version": "1", "description": ""}).json()
    assert mv["model_version"]["description"] == "", mv
    mv = api.request("PATCH", "model-versions/update", json={"name": name, "version": "1"}).json()
    assert "description" not in mv["model_version"], mv  # unset -> stored NULL -> omitted
    # Empty answers.
    assert api.ok_post("registered-models/set-tag", {"name": name, "key": "u", "value": ""}) == {}
    assert api.ok_get("model-versions/search", {"filter": f"name = '{name}-none'"}) == {}
    assert api.ok_get("registered-models/search", {"filter": f"name = '{name}-none'"}) == {}
    # Page tokens are base64 of {"offset": N}.
    r = api.ok_get("registered-models/search", {"filter": f"name LIKE '{name}%'",
                                                "max_results": 0})
    assert r == {"next_page_token": "eyJvZmZzZXQiOiAwfQ=="}, r


# --------------------------------------------------------------------------- CVE chains

PASSWD_MARKERS = (b"root:x:0:0", b"root:*:0:0", b"daemon:")


def _chain(mlflowd, artifact_location, source, path, run_id_in_mv=True, mv_tags=None):
    """The five published requests. Returns (index of the first failing step or None, the
    responses)."""
    s = mlflowd.api.session
    base = mlflowd.base_url
    name = f"cve-{secrets.token_hex(4)}"
    responses = []

    def done():
        for resp in responses:
            for m in PASSWD_MARKERS:
                assert m not in resp.content, (artifact_location, source, path, resp.url)
        bad = [i for i, resp in enumerate(responses) if resp.status_code != 200]
        return (bad[0] + 1 if bad else None), responses

    body = {"name": name}
    if artifact_location is not None:
        body["artifact_location"] = artifact_location
    responses.append(s.post(base + "/ajax-api/2.0/mlflow/experiments/create", json=body,
                            timeout=60))
    if responses[-1].status_code != 200:
        return done()
    exp_id = responses[-1].json()["experiment_id"]
    responses.append(s.post(base + "/api/2.0/mlflow/runs/create", json={"experiment_id": exp_id},
                            timeout=60))
    if responses[-1].status_code != 200:
        return done()
    run_id = responses[-1].json()["run"]["info"]["run_id"]
    artifact_uri = responses[-1].json()["run"]["info"]["artifact_uri"]
    responses.append(s.post(base + "/ajax-api/2.0/mlflow/registered-models/create",
                            json={"name": name}, timeout=60))
    if responses[-1].status_code != 200:
        return done()
    mv = {"name": name, "source": source.replace("$run", run_id).replace("$exp", exp_id)}
    if run_id_in_mv:
        mv["run_id"] = run_id
    if mv_tags:
        mv["tags"] = mv_tags
    responses.append(s.post(base + "/ajax-api/2.0/mlflow/model-versions/create", json=mv,
                            timeout=60))
    if responses[-1].status_code != 200:
        return done()
    responses.append(s.get(base + "/model-versions/get-artifact",
                           params={"path": path, "name": name, "version": "1"}, timeout=60))
    result = done()
    result[1].append(artifact_uri)  # for the caller (local-root marker test)
    return result


# (id, artifact_location, source, path, run_id in step 4, step-4 tags,
#  first step at which MLflow 3.17.2 fails (recorded in oracle mode))
CHAINS = [
    ("CVE-2023-6909", "http:///?/../../../../../../../../../../../../../../etc/", "file:///etc/",
     "passwd", True, None, 1),
    ("CVE-2024-2928", "http:///#/../../../../../../../../../../../../../../etc/", "file:///etc/",
     "passwd", True, None, 1),
    ("CVE-2024-1593-params", "http://h/x;/../../../../etc/", "file:///etc/", "passwd", True, None,
     1),
    ("encoded-query", "http:///%3F/..%2F..%2F..%2F..%2Fetc/", "file:///etc/", "passwd", True,
     None, 1),
    ("CVE-2024-1483-file-root", "file:///etc/", "file:///etc/", "passwd", True, None, 4),
    ("root-slash-dotdot-source", "/", "/$run/artifacts/../../etc", "passwd", True, None, 4),
    ("CVE-2023-1177-no-run", None, "file:///etc/", "passwd", False, None, 4),
    ("CVE-2023-1177-with-run", None, "file:///etc/", "passwd", True, None, 4),
    ("CVE-2023-6977", None, "//proc/self/root", "etc/passwd", True, None, 4),
    ("CVE-2023-2356-mlflow-artifacts-host", None, "mlflow-artifacts://host:5000/../../../../",
     "etc/passwd", True, None, 4),
    ("CVE-2024-1558-encoded-hash", None, "mlflow-artifacts:/x%23/../../../../etc",
     "passwd", True, None, 4),
    ("CVE-2026-2614-prompt-file", None, "file:///etc/", "passwd", False, [PROMPT_TAG], 4),
    ("prompt-placeholder-path-traversal", None, "dummy-source", "../../../../../../etc/passwd",
     False, [PROMPT_TAG], 5),
    ("prompt-placeholder", None, "dummy-source", "passwd", False, [PROMPT_TAG], 5),
    ("path-traversal-from-run", None, "mlflow-artifacts:/$exp/$run/artifacts",
     "../../../../../../../../etc/passwd", True, None, 5),
    ("encoded-path-traversal-from-run", None, "mlflow-artifacts:/$exp/$run/artifacts",
     "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", True, None, 5),
    ("absolute-path-from-run", None, "mlflow-artifacts:/$exp/$run/artifacts", "/etc/passwd",
     True, None, 5),
]


@pytest.mark.parametrize("label,loc,source,path,with_run,tags,python_fails_at", CHAINS,
                         ids=[c[0] for c in CHAINS])
def test_cve_chain(mlflowd, label, loc, source, path, with_run, tags, python_fails_at):
    failed_at, responses = _chain(mlflowd, loc, source, path, with_run, tags)
    assert failed_at is not None, f"{label}: every step succeeded"
    failing = responses[failed_at - 1]
    assert failing.status_code in (400, 403, 404, 501), (label, failed_at, failing.status_code,
                                                         failing.text[:300])
    assert failing.headers.get("Content-Type", "").startswith("application/json"), \
        (label, failing.headers)
    if mlflowd_is_python():
        # Records MLflow 3.17.2's answer: the table above must stay true.
        assert failed_at == python_fails_at, (label, failed_at, failing.text[:300])
    else:
        # mlflowd refuses at the same step as MLflow or earlier.
        assert failed_at <= python_fails_at, (label, failed_at, failing.text[:300])


def test_chain_local_root_inside_run_is_not_served(mlflowd):
    """An experiment rooted in a server-local directory outside the artifact store, and a model
    version whose (local) source lies inside its run: MLflow accepts both and serves the file
    from the server's disk (recorded in oracle mode); mlflowd must never return it."""
    root = Path(tempfile.mkdtemp(prefix="mlflowd-reg-localroot-"))
    marker = f"outside-the-store-{secrets.token_hex(6)}"
    try:
        s = mlflowd.api.session
        base = mlflowd.base_url
        name = f"cve-local-{secrets.token_hex(4)}"
        r = s.post(base + "/ajax-api/2.0/mlflow/experiments/create",
                   json={"name": name, "artifact_location": str(root)}, timeout=60)
        assert r.status_code == 200, r.text  # MLflow accepts local roots (as mlflowd does)
        exp_id = r.json()["experiment_id"]
        run = s.post(base + "/api/2.0/mlflow/runs/create", json={"experiment_id": exp_id},
                     timeout=60).json()["run"]["info"]
        run_dir = root / run["run_id"] / "artifacts"
        run_dir.mkdir(parents=True)
        (run_dir / "secret.txt").write_text(marker)
        assert s.post(base + "/api/2.0/mlflow/registered-models/create", json={"name": name},
                      timeout=60).status_code == 200
        r = s.post(base + "/api/2.0/mlflow/model-versions/create",
                   json={"name": name, "source": str(run_dir), "run_id": run["run_id"]},
                   timeout=60)
        if r.status_code != 200:
            assert not mlflowd_is_python(), r.text  # MLflow accepts this source
            assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
            return
        r = s.get(base + "/model-versions/get-artifact",
                  params={"name": name, "version": "1", "path": "secret.txt"}, timeout=60)
        if mlflowd_is_python():
            # MLflow serves the server-local file.
            assert r.status_code == 200 and r.text == marker, (r.status_code, r.text[:200])
        else:
            assert r.status_code in (400, 403, 404, 501), (r.status_code, r.text[:300])
            assert marker not in r.text
            assert r.headers.get("Content-Type", "").startswith("application/json")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_get_artifact_of_proxied_source_reads_the_destination(mlflowd):
    """A model version whose source is an ``mlflow-artifacts:`` run path is served from the
    artifacts destination (the file is uploaded through the proxy first)."""
    api = mlflowd.api
    name = _name("proxied")
    exp_id = api.ok_post("experiments/create", {"name": name})["experiment_id"]
    run_id = api.ok_post("runs/create", {"experiment_id": exp_id})["run"]["info"]["run_id"]
    content = f"flavors: {{}}\nmarker: {secrets.token_hex(4)}\n"
    r = api.session.put(f"{mlflowd.base_url}/api/2.0/mlflow-artifacts/artifacts/{exp_id}/"
                        f"{run_id}/artifacts/model/MLmodel", data=content.encode(), timeout=60)
    assert r.status_code == 200, r.text
    api.ok_post("registered-models/create", {"name": name})
    api.ok_post("model-versions/create", {"name": name, "run_id": run_id,
                                          "source": f"mlflow-artifacts:/{exp_id}/{run_id}/"
                                                    "artifacts/model"})
    r = api.session.get(mlflowd.base_url + "/model-versions/get-artifact",
                        params={"name": name, "version": "1", "path": "MLmodel"}, timeout=60)
    assert r.status_code == 200, r.text[:300]
    assert r.text == content
    assert read_destination(mlflowd, f"{exp_id}/{run_id}/artifacts/model/MLmodel") == \
        content.encode()
    # Error messages name the path inside the artifacts destination.
    where = f"{exp_id}/{run_id}/artifacts/model"
    r = api.session.get(mlflowd.base_url + "/model-versions/get-artifact",
                        params={"name": name, "version": "1", "path": "nope"}, timeout=60)
    assert_missing_artifact(r, mlflowd, f"{where}/nope")
    r = api.session.get(mlflowd.base_url + "/model-versions/get-artifact",
                        params={"name": name, "version": "1", "path": ""}, timeout=60)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE", r.json()
    assert r.json()["message"] == \
        f"Artifact path refers to a directory, not a file: '{where}/'", r.json()
