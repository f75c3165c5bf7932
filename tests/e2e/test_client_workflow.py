"""The stock MLflow 3.17.2 Python client (fluent API and MlflowClient) against mlflowd.

Each test uses its own experiment(s) with unique names; the module runs once per backend."""

from __future__ import annotations

import math
import re
import time

import mlflow
import pytest
from mlflow.entities import Metric, Param, RunTag, ViewType
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

MAX_DOUBLE = 1.7976931348623157e308
GENERATED_RUN_NAME = re.compile(r"^[a-z]+-[a-z]+-\d{1,4}$")  # randint(0, 1000) includes 1000


@pytest.fixture
def client(mlflowd):
    mlflow.set_tracking_uri(mlflowd.base_url)
    yield MlflowClient(tracking_uri=mlflowd.base_url)
    while mlflow.active_run() is not None:
        mlflow.end_run()


def assert_generated_name(name: str) -> None:
    """``<predicate>-<noun>-<0..1000>`` from MLflow's own word lists (mlflow/utils/name_utils.py)."""
    from mlflow.utils.name_utils import _GENERATOR_NOUNS, _GENERATOR_PREDICATES

    m = GENERATED_RUN_NAME.match(name)
    assert m, f"not a generated run name: {name!r}"
    predicate, noun, num = name.split("-")
    assert predicate in {p.lower() for p in _GENERATOR_PREDICATES}, name
    assert noun in {n.lower() for n in _GENERATOR_NOUNS}, name
    assert 0 <= int(num) <= 1000, name


def test_set_experiment_creates_then_reuses(client, uniq):
    assert client.get_experiment_by_name(uniq) is None
    exp = mlflow.set_experiment(uniq)
    assert exp.name == uniq
    assert exp.lifecycle_stage == "active"
    assert exp.experiment_id.isdigit() and exp.experiment_id != "0"
    assert exp.artifact_location.endswith("/" + exp.experiment_id)
    again = mlflow.set_experiment(uniq)
    assert again.experiment_id == exp.experiment_id
    by_name = client.get_experiment_by_name(uniq)
    assert by_name.experiment_id == exp.experiment_id
    by_id = client.get_experiment(exp.experiment_id)
    assert by_id.name == uniq
    assert by_id.creation_time > 0 and by_id.last_update_time >= by_id.creation_time


def test_default_experiment_exists(client):
    exp = client.get_experiment("0")
    assert exp.name == "Default"
    assert exp.lifecycle_stage == "active"
    assert client.get_experiment_by_name("Default").experiment_id == "0"


def test_named_run_logging_roundtrip(client, uniq):
    exp = mlflow.set_experiment(uniq)
    before = int(time.time() * 1000)
    with mlflow.start_run(run_name="r1") as run:
        run_id = run.info.run_id
        assert re.fullmatch(r"[0-9a-f]{32}", run_id)
        assert run.info.run_name == "r1"
        assert run.info.status == "RUNNING"
        mlflow.log_param("alpha", 0.5)
        mlflow.log_params({"beta": "x y", "gamma": 3})
        mlflow.log_metric("loss", 1.5, step=0)
        mlflow.log_metric("loss", 0.75, step=1)
        mlflow.log_metric("loss", 0.25, step=2)
        mlflow.log_metrics({"acc": 0.9, "f1": 0.8}, step=3)
        mlflow.log_metric("nan_metric", float("nan"))
        mlflow.log_metric("pinf", float("inf"))
        mlflow.log_metric("ninf", float("-inf"))
        mlflow.set_tag("team", "a")
        mlflow.set_tags({"stage": "dev", "unicode": "héllo ✓"})
    after = int(time.time() * 1000)

    r = client.get_run(run_id)
    assert r.info.experiment_id == exp.experiment_id
    assert r.info.run_name == "r1"
    assert r.info.status == "FINISHED"
    assert r.info.lifecycle_stage == "active"
    assert before - 5000 <= r.info.start_time <= r.info.end_time <= after + 5000
    assert r.info.artifact_uri.endswith(f"/{exp.experiment_id}/{run_id}/artifacts")
    assert r.data.params == {"alpha": "0.5", "beta": "x y", "gamma": "3"}
    m = r.data.metrics
    assert m["loss"] == 0.25  # latest step
    assert m["acc"] == 0.9 and m["f1"] == 0.8
    assert math.isnan(m["nan_metric"])
    assert m["pinf"] == MAX_DOUBLE  # SQL store clamps +inf
    assert m["ninf"] == -MAX_DOUBLE
    assert set(m) == {"loss", "acc", "f1", "nan_metric", "pinf", "ninf"}
    tags = r.data.tags
    assert tags["team"] == "a" and tags["stage"] == "dev" and tags["unicode"] == "héllo ✓"
    assert tags["mlflow.runName"] == "r1"
    assert "mlflow.user" in tags and "mlflow.source.type" in tags

    hist = client.get_metric_history(run_id, "loss")
    assert [(x.step, x.value) for x in hist] == [(0, 1.5), (1, 0.75), (2, 0.25)]
    assert all(x.key == "loss" and x.timestamp > 0 for x in hist)
    nan_hist = client.get_metric_history(run_id, "nan_metric")
    assert len(nan_hist) == 1 and math.isnan(nan_hist[0].value)


def test_unnamed_run_gets_generated_name(client, uniq):
    mlflow.set_experiment(uniq)
    with mlflow.start_run() as run:
        name = run.info.run_name
    assert_generated_name(name)
    r = client.get_run(run.info.run_id)
    assert r.info.run_name == name
    assert r.data.tags["mlflow.runName"] == name
    # Two unnamed runs: the generator is random, names are independently generated and valid.
    names = {name}
    for _ in range(5):
        r2 = client.create_run(r.info.experiment_id)
        assert_generated_name(r2.info.run_name)
        assert client.get_run(r2.info.run_id).data.tags["mlflow.runName"] == r2.info.run_name
        names.add(r2.info.run_name)
    assert len(names) >= 3, f"generated names do not look random: {names}"


def test_run_name_from_tag_and_rename(client, uniq):
    exp_id = client.create_experiment(uniq)
    r = client.create_run(exp_id, tags={"mlflow.runName": "from-tag"})
    assert r.info.run_name == "from-tag"
    client.update_run(r.info.run_id, name="renamed")
    got = client.get_run(r.info.run_id)
    assert got.info.run_name == "renamed"
    assert got.data.tags["mlflow.runName"] == "renamed"
    client.set_tag(r.info.run_id, "mlflow.runName", "via-tag")
    got = client.get_run(r.info.run_id)
    assert got.info.run_name == "via-tag"


def test_nested_runs(client, uniq):
    mlflow.set_experiment(uniq)
    with mlflow.start_run(run_name="parent") as parent:
        with mlflow.start_run(run_name="child-1", nested=True) as c1:
            mlflow.log_metric("m", 1)
        with mlflow.start_run(run_name="child-2", nested=True) as c2:
            mlflow.log_metric("m", 2)
    pid = parent.info.run_id
    for c in (c1, c2):
        got = client.get_run(c.info.run_id)
        assert got.data.tags["mlflow.parentRunId"] == pid
        assert got.info.status == "FINISHED"
    children = client.search_runs(
        [parent.info.experiment_id], filter_string=f"tags.mlflow.parentRunId = '{pid}'",
        order_by=["metrics.m DESC"],
    )
    assert [r.info.run_name for r in children] == ["child-2", "child-1"]
    assert "mlflow.parentRunId" not in client.get_run(pid).data.tags


def test_end_run_status_and_set_terminated(client, uniq):
    mlflow.set_experiment(uniq)
    run = mlflow.start_run(run_name="will-fail")
    mlflow.end_run(status="FAILED")
    got = client.get_run(run.info.run_id)
    assert got.info.status == "FAILED"
    assert got.info.end_time is not None and got.info.end_time >= got.info.start_time

    r2 = client.create_run(run.info.experiment_id, run_name="killed")
    assert client.get_run(r2.info.run_id).info.status == "RUNNING"
    assert client.get_run(r2.info.run_id).info.end_time is None
    client.set_terminated(r2.info.run_id, status="KILLED", end_time=1234567)
    got = client.get_run(r2.info.run_id)
    assert got.info.status == "KILLED"
    assert got.info.end_time == 1234567
    # Logging to a terminated (but not deleted) run is allowed.
    client.log_metric(r2.info.run_id, "after", 1.0)
    assert client.get_run(r2.info.run_id).data.metrics == {"after": 1.0}


@pytest.fixture
def search_fixture(client, uniq):
    """Five runs with known metrics/params/tags in a fresh experiment."""
    exp_id = client.create_experiment(uniq)
    spec = [
        # name, loss, alpha, team, status, start_time
        ("sr-a", 0.5, "0.1", "red", "FINISHED", 1000),
        ("sr-b", 0.1, "0.5", "blue", "FINISHED", 2000),
        ("sr-c", 0.3, "0.5", "red", "FAILED", 3000),
        ("sr-d", 0.9, None, None, "RUNNING", 4000),
        ("other", None, "0.9", "RED", "FINISHED", 5000),
    ]
    ids = {}
    for name, loss, alpha, team, status, start in spec:
        r = client.create_run(exp_id, run_name=name, start_time=start)
        rid = r.info.run_id
        ids[name] = rid
        if loss is not None:
            client.log_metric(rid, "loss", loss + 10, step=0)  # older value, overridden
            client.log_metric(rid, "loss", loss, step=1)
        if alpha is not None:
            client.log_param(rid, "alpha", alpha)
        if team is not None:
            client.set_tag(rid, "team", team)
        if status != "RUNNING":
            client.set_terminated(rid, status=status, end_time=start + 10)
    return exp_id, ids


def _names(runs):
    return [r.info.run_name for r in runs]


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("", {"sr-a", "sr-b", "sr-c", "sr-d", "other"}),
        ("metrics.loss < 0.4", {"sr-b", "sr-c"}),
        ("metrics.loss >= 0.5", {"sr-a", "sr-d"}),
        ("metrics.loss = 0.3", {"sr-c"}),
        ("metrics.loss != 0.3", {"sr-a", "sr-b", "sr-d"}),
        ("params.alpha = '0.5'", {"sr-b", "sr-c"}),
        ("params.alpha != '0.5'", {"sr-a", "other"}),
        ("params.alpha IS NULL", {"sr-d"}),
        ("params.alpha IS NOT NULL", {"sr-a", "sr-b", "sr-c", "other"}),
        ("tags.team = 'red'", {"sr-a", "sr-c"}),
        ("tags.team LIKE 'r%'", {"sr-a", "sr-c"}),
        ("tags.team ILIKE 'r%'", {"sr-a", "sr-c", "other"}),
        ("attributes.status = 'FINISHED'", {"sr-a", "sr-b", "other"}),
        ("attributes.status != 'FINISHED'", {"sr-c", "sr-d"}),
        ("attributes.run_name LIKE 'sr-%'", {"sr-a", "sr-b", "sr-c", "sr-d"}),
        ("run_name = 'other'", {"other"}),
        ("attributes.start_time > 2500", {"sr-c", "sr-d", "other"}),
        ("metrics.loss < 0.6 and params.alpha = '0.5' AND tags.team = 'blue'", {"sr-b"}),
        ("tags.`mlflow.runName` = 'sr-a'", {"sr-a"}),
    ],
)
def test_search_runs_filters(client, search_fixture, filter_string, expected):
    exp_id, _ = search_fixture
    runs = client.search_runs([exp_id], filter_string=filter_string)
    assert set(_names(runs)) == expected
    # fluent API, list output
    runs2 = mlflow.search_runs([exp_id], filter_string=filter_string, output_format="list")
    assert set(_names(runs2)) == expected


def test_search_runs_run_id_in(client, search_fixture):
    exp_id, ids = search_fixture
    f = f"attributes.run_id IN ('{ids['sr-a']}', '{ids['other']}')"
    assert set(_names(client.search_runs([exp_id], f))) == {"sr-a", "other"}


def test_search_runs_order_by(client, search_fixture):
    exp_id, _ = search_fixture
    # Default order: start_time DESC.
    assert _names(client.search_runs([exp_id])) == ["other", "sr-d", "sr-c", "sr-b", "sr-a"]
    # Runs lacking the key sort last.
    assert _names(client.search_runs([exp_id], order_by=["metrics.loss DESC"])) == \
        ["sr-d", "sr-a", "sr-c", "sr-b", "other"]
    assert _names(client.search_runs([exp_id], order_by=["metrics.loss ASC"])) == \
        ["sr-b", "sr-c", "sr-a", "sr-d", "other"]
    assert _names(client.search_runs([exp_id], order_by=["params.alpha DESC", "start_time ASC"]))\
        == ["other", "sr-b", "sr-c", "sr-a", "sr-d"]
    assert _names(client.search_runs([exp_id], order_by=["attributes.start_time"])) == \
        ["sr-a", "sr-b", "sr-c", "sr-d", "other"]
    assert _names(client.search_runs([exp_id], order_by=["tags.`mlflow.runName` DESC"])) == \
        ["sr-d", "sr-c", "sr-b", "sr-a", "other"]


def test_search_runs_paging(client, search_fixture):
    exp_id, _ = search_fixture
    seen = []
    token = None
    pages = 0
    while True:
        page = client.search_runs([exp_id], max_results=2, page_token=token,
                                  order_by=["attributes.start_time ASC"])
        pages += 1
        assert len(page) <= 2
        seen += _names(page)
        token = page.token
        if not token:
            break
        assert pages < 10
    assert pages == 3
    assert seen == ["sr-a", "sr-b", "sr-c", "sr-d", "other"]
    # Exactly max_results hits: no token.
    page = client.search_runs([exp_id], filter_string="attributes.status = 'FINISHED'",
                              max_results=3)
    assert len(page) == 3 and not page.token


def test_search_runs_metric_values_in_results(client, search_fixture):
    exp_id, _ = search_fixture
    runs = client.search_runs([exp_id], filter_string="run_name = 'sr-c'")
    assert len(runs) == 1
    r = runs[0]
    assert r.data.metrics == {"loss": 0.3}
    assert r.data.params == {"alpha": "0.5"}
    assert r.data.tags["team"] == "red"
    assert r.info.status == "FAILED"
    assert r.info.start_time == 3000 and r.info.end_time == 3010


def test_delete_and_restore_run(client, search_fixture):
    exp_id, ids = search_fixture
    rid = ids["sr-b"]
    client.delete_run(rid)
    assert client.get_run(rid).info.lifecycle_stage == "deleted"
    active = client.search_runs([exp_id], run_view_type=ViewType.ACTIVE_ONLY)
    assert "sr-b" not in _names(active) and len(active) == 4
    deleted = client.search_runs([exp_id], run_view_type=ViewType.DELETED_ONLY)
    assert _names(deleted) == ["sr-b"]
    assert len(client.search_runs([exp_id], run_view_type=ViewType.ALL)) == 5
    # Logging to a deleted run is refused.
    with pytest.raises(MlflowException) as ei:
        client.log_param(rid, "new", "1")
    assert ei.value.error_code == "INVALID_PARAMETER_VALUE"
    client.restore_run(rid)
    assert client.get_run(rid).info.lifecycle_stage == "active"
    assert len(client.search_runs([exp_id])) == 5
    client.log_param(rid, "new", "1")
    assert client.get_run(rid).data.params["new"] == "1"


def test_search_experiments(client, uniq):
    names = [f"{uniq}-{i}" for i in range(5)]
    ids = [client.create_experiment(n, tags={"idx": str(i), "grp": "even" if i % 2 == 0 else "odd"})
           for i, n in enumerate(names)]
    found = client.search_experiments(filter_string=f"name LIKE '{uniq}-%'")
    # default order: creation_time DESC, experiment_id ASC; creation times may tie within a ms
    assert set(e.name for e in found) == set(names)
    assert [e.name for e in client.search_experiments(
        filter_string=f"name LIKE '{uniq}-%'", order_by=["name DESC"])] == names[::-1]
    assert sorted(e.experiment_id for e in client.search_experiments(
        filter_string=f"name LIKE '{uniq}-%' AND tags.grp = 'even'")) == sorted(ids[0::2])
    assert [e.name for e in client.search_experiments(
        filter_string=f"name = '{names[3]}'")] == [names[3]]
    got = client.search_experiments(filter_string=f"name = '{names[1]}'")[0]
    assert got.tags == {"idx": "1", "grp": "odd"}

    # paging
    token, seen, pages = None, [], 0
    while True:
        page = client.search_experiments(filter_string=f"name LIKE '{uniq}-%'", max_results=2,
                                         order_by=["name ASC"], page_token=token)
        pages += 1
        seen += [e.name for e in page]
        token = page.token
        if not token:
            break
        assert pages < 10
    assert pages == 3 and seen == names

    # view types
    client.delete_experiment(ids[0])
    active = {e.name for e in client.search_experiments(filter_string=f"name LIKE '{uniq}-%'")}
    assert active == set(names[1:])
    deleted = client.search_experiments(view_type=ViewType.DELETED_ONLY,
                                        filter_string=f"name LIKE '{uniq}-%'")
    assert [e.name for e in deleted] == [names[0]]
    assert len(client.search_experiments(view_type=ViewType.ALL,
                                         filter_string=f"name LIKE '{uniq}-%'")) == 5
    # fluent
    assert {e.name for e in mlflow.search_experiments(filter_string=f"name LIKE '{uniq}-%'")} \
        == set(names[1:])


def test_metric_history_many_points(client, mlflowd, uniq):
    exp_id = client.create_experiment(uniq)
    rid = client.create_run(exp_id).info.run_id
    n = 3000
    ts0 = 1_700_000_000_000
    metrics = [Metric("h", float(i) / 2, ts0 + i, i) for i in range(n)]
    # The client splits into batches of <= 1000 itself.
    client.log_batch(rid, metrics=metrics)
    hist = client.get_metric_history(rid, "h")
    assert len(hist) == n
    assert [(m.step, m.value, m.timestamp) for m in hist] == \
        [(i, float(i) / 2, ts0 + i) for i in range(n)]
    assert client.get_run(rid).data.metrics == {"h": (n - 1) / 2}

    # Page through the REST endpoint with a small page size.
    got, token, pages = [], None, 0
    while True:
        params = {"run_id": rid, "metric_key": "h", "max_results": 1000}
        if token:
            params["page_token"] = token
        body = mlflowd.api.ok_get("metrics/get-history", params)
        pages += 1
        got += body.get("metrics", [])
        token = body.get("next_page_token")
        if not token:
            break
        assert pages < 10
    assert pages == 3
    assert [(m["step"], m["value"]) for m in got] == [(i, float(i) / 2) for i in range(n)]


def test_delete_and_restore_experiment(client, uniq):
    exp_id = client.create_experiment(uniq)
    r1 = client.create_run(exp_id, run_name="x").info.run_id
    client.delete_experiment(exp_id)
    e = client.get_experiment(exp_id)
    assert e.lifecycle_stage == "deleted"
    assert client.get_experiment_by_name(uniq).lifecycle_stage == "deleted"
    assert client.get_run(r1).info.lifecycle_stage == "deleted"
    # Name stays taken while deleted.
    with pytest.raises(MlflowException) as ei:
        client.create_experiment(uniq)
    assert ei.value.error_code == "RESOURCE_ALREADY_EXISTS"
    # Creating a run in a deleted experiment fails.
    with pytest.raises(MlflowException) as ei:
        client.create_run(exp_id)
    assert ei.value.error_code == "INVALID_PARAMETER_VALUE"
    client.restore_experiment(exp_id)
    assert client.get_experiment(exp_id).lifecycle_stage == "active"
    assert client.get_run(r1).info.lifecycle_stage == "active"


def test_rename_experiment_and_tags(client, uniq):
    exp_id = client.create_experiment(uniq, tags={"t0": "v0"})
    client.rename_experiment(exp_id, uniq + "-renamed")
    assert client.get_experiment(exp_id).name == uniq + "-renamed"
    assert client.get_experiment_by_name(uniq) is None
    assert client.get_experiment_by_name(uniq + "-renamed").experiment_id == exp_id
    client.set_experiment_tag(exp_id, "k1", "v1")
    client.set_experiment_tag(exp_id, "k1", "v1b")  # overwrite allowed
    mlflow.set_experiment(experiment_id=exp_id)
    mlflow.set_experiment_tag("k2", "v2")
    assert client.get_experiment(exp_id).tags == {"t0": "v0", "k1": "v1b", "k2": "v2"}
    client.delete_experiment_tag(exp_id, "k1")
    assert client.get_experiment(exp_id).tags == {"t0": "v0", "k2": "v2"}


def test_delete_run_tag(client, uniq):
    exp_id = client.create_experiment(uniq)
    rid = client.create_run(exp_id, run_name="t").info.run_id
    client.set_tag(rid, "a", "1")
    client.set_tag(rid, "b", "2")
    client.delete_tag(rid, "a")
    tags = client.get_run(rid).data.tags
    assert "a" not in tags and tags["b"] == "2"
    with pytest.raises(MlflowException) as ei:
        client.delete_tag(rid, "a")
    assert ei.value.error_code == "RESOURCE_DOES_NOT_EXIST"


def test_log_batch_large_is_split_by_client(client, uniq):
    exp_id = client.create_experiment(uniq)
    rid = client.create_run(exp_id).info.run_id
    metrics = [Metric(f"m{i}", float(i), 1000 + i, 0) for i in range(1500)]
    params = [Param(f"p{i}", str(i)) for i in range(150)]
    tags = [RunTag(f"t{i}", f"v{i}") for i in range(150)]
    client.log_batch(rid, metrics=metrics, params=params, tags=tags)
    d = client.get_run(rid).data
    assert len(d.metrics) == 1500 and d.metrics["m1499"] == 1499.0
    assert len(d.params) == 150 and d.params["p149"] == "149"
    assert {k: v for k, v in d.tags.items() if not k.startswith("mlflow.")} == \
        {f"t{i}": f"v{i}" for i in range(150)}


def test_param_overwrite_refused_same_value_ok(client, uniq):
    exp_id = client.create_experiment(uniq)
    rid = client.create_run(exp_id).info.run_id
    client.log_param(rid, "p", "1")
    client.log_param(rid, "p", "1")  # identical value: idempotent
    with pytest.raises(MlflowException) as ei:
        client.log_param(rid, "p", "2")
    assert ei.value.error_code == "INVALID_PARAMETER_VALUE"
    assert "Changing param values is not allowed" in ei.value.message
    assert client.get_run(rid).data.params == {"p": "1"}


def test_metric_dedup_and_history_order(client, uniq):
    exp_id = client.create_experiment(uniq)
    rid = client.create_run(exp_id).info.run_id
    client.log_metric(rid, "m", 1.0, timestamp=100, step=5)
    client.log_metric(rid, "m", 1.0, timestamp=100, step=5)  # identical row: de-duplicated
    client.log_metric(rid, "m", 2.0, timestamp=50, step=5)
    client.log_metric(rid, "m", 3.0, timestamp=10, step=1)
    hist = client.get_metric_history(rid, "m")
    assert [(x.timestamp, x.step, x.value) for x in hist] == [(10, 1, 3.0), (50, 5, 2.0), (100, 5, 1.0)]
    # latest = highest step, then highest timestamp
    assert client.get_run(rid).data.metrics == {"m": 1.0}


def test_long_param_value_truncated(client, uniq):
    exp_id = client.create_experiment(uniq)
    rid = client.create_run(exp_id).info.run_id
    # The client itself refuses > 6000 chars; the server truncation is tested over raw HTTP.
    client.log_param(rid, "long", "x" * 6000)
    assert client.get_run(rid).data.params["long"] == "x" * 6000


def test_get_missing_run_and_experiment(client):
    with pytest.raises(MlflowException) as ei:
        client.get_run("0" * 32)
    assert ei.value.error_code == "RESOURCE_DOES_NOT_EXIST"
    with pytest.raises(MlflowException) as ei:
        client.get_experiment("987654321")
    assert ei.value.error_code == "RESOURCE_DOES_NOT_EXIST"
