"""Differential cases: MLflow 3 logged models (``/logged-models…``) and metrics logged with a
``model_id`` (see test_differential.py for the harness).

Adding a case: append ``Case("name", [step, ...])``; ``$var`` is replaced by the value a step of
the same case saved from that server's response, ``$P`` by a prefix unique to the case.

Normalization notes (diffharness.Normalizer):

* model ids (``m-`` + 32 hex) are caught by the run-id pattern and become ``m-<run#N>`` in order
  of appearance, in bodies and in messages;
* ``creation_timestamp_ms`` / ``last_updated_timestamp_ms`` are registered as time keys below
  (they are int64 JSON numbers, like the run times);
* generated model names (``name`` left out of the create) are not recognized by the normalizer,
  so steps whose body holds one compare the status only.
"""

from __future__ import annotations

import base64
import json

from diff_builders import SQL_TEXT, metric, new_exp, new_run
from diffharness import GET, NO_MESSAGE, POST, STATUS, UNORDERED, Case, Step

RANDOM_NAME = "the body holds a server-generated random model name (not normalized)"
HTML_PAGE = "the reference answers with Flask's HTML error page"
UPLOAD = "the upload answer itself is covered by the artifact suites"


# --- builders ---------------------------------------------------------------------------------

def PATCH(path: str, body=None, **kw) -> Step:
    return Step("PATCH", path, body, **kw)


def DELETE(path: str, body=None, **kw) -> Step:
    return Step("DELETE", path, body, **kw)


def PUT_ARTIFACT(path: str, text: str) -> Step:
    """Upload through the artifact proxy (``/api/2.0/mlflow-artifacts/artifacts/<path>``)."""
    return Step("PUT", f"/api/2.0/mlflow-artifacts/artifacts/{path}", raw=text,
                headers={"Content-Type": "application/octet-stream"}, compare=STATUS,
                reason=UPLOAD)


def new_model(var: str = "m", exp: str = "$exp", **fields) -> Step:
    return POST("logged-models", {"experiment_id": exp, **fields},
                save={var: "model.info.model_id"})


def get_model(var: str = "m", **params) -> Step:
    return GET(f"logged-models/${var}", params or None)


def finalize(var: str = "m", status="LOGGED_MODEL_READY", **kw) -> Step:
    return PATCH(f"logged-models/${var}", {"model_id": f"${var}", "status": status}, **kw)


STEP_KW = ("compare", "reason", "prefix", "headers")


def search_models(_save=None, **body) -> Step:
    kw = {k: body.pop(k) for k in STEP_KW if k in body}
    body.setdefault("experiment_ids", ["$exp"])
    return POST("logged-models/search", body, save=_save or {}, **kw)


def flt(filter_: str, **body) -> Step:
    return search_models(filter=filter_, **body)


def mmetric(key, value, model="$m1", ts=100, step=0, dataset=None, digest=None):
    out = {**metric(key, value, ts, step), "model_id": model}
    if dataset is not None:
        out["dataset_name"] = dataset
    if digest is not None:
        out["dataset_digest"] = digest
    return out


def token(**fields) -> str:
    """A hand-made SearchLoggedModelsPaginationToken (base64 of its JSON)."""
    return base64.b64encode(json.dumps(fields).encode()).decode()


def setup_models():
    """One experiment, one run, five models (one deleted) with known names, types, statuses,
    params, tags and metrics; creation order m1 < m2 < m3 < m4 (< m5, deleted)."""
    return [
        new_exp(),
        new_run(),
        new_model("m1", name="alpha", model_type="sklearn", source_run_id="$run",
                  params=[{"key": "lr", "value": "0.1"}, {"key": "depth", "value": "3"}],
                  tags=[{"key": "team", "value": "red"}]),
        new_model("m2", name="beta", model_type="pytorch",
                  params=[{"key": "lr", "value": "0.01"}],
                  tags=[{"key": "team", "value": "blue"}, {"key": "stage", "value": "dev"}]),
        new_model("m3", name="Alpha2", model_type="sklearn", source_run_id="$run",
                  tags=[{"key": "team", "value": "RED"}]),
        new_model("m4", name="gamma"),
        new_model("m5", name="alpha-deleted", model_type="sklearn"),
        finalize("m3"),
        finalize("m4", "LOGGED_MODEL_UPLOAD_FAILED"),
        DELETE("logged-models/$m5"),
        POST("runs/log-batch", {"run_id": "$run", "metrics": [
            mmetric("acc", 0.9, "$m1", ts=100, dataset="ds1", digest="d1"),
            mmetric("acc", 0.7, "$m2", ts=100, dataset="ds1", digest="d1"),
            mmetric("acc", 0.8, "$m3", ts=100, dataset="ds2", digest="d2"),
            mmetric("acc", 0.5, "$m3", ts=50, dataset="ds1", digest="d1"),
            mmetric("loss", 0.3, "$m1", ts=100),
            mmetric("loss", 0.6, "$m2", ts=100, step=1),
            mmetric("acc", 0.99, "$m5", ts=100, dataset="ds1", digest="d1"),
        ]}),
    ]


LOGGED_MODEL_CASES: list[Case] = [
    # ---------------- create / get ----------------
    Case("logged_model_create_and_get", [
        new_exp(),
        new_run(),
        new_model(name="my-model", model_type="sklearn", source_run_id="$run",
                  params=[{"key": "alpha", "value": "0.5"}, {"key": "beta", "value": "x y"}],
                  tags=[{"key": "t1", "value": "v1"}, {"key": "mlflow.user", "value": "alice"}]),
        get_model(),
        GET("logged-models/$m", prefix="ajax-api"),
        get_model(allow_deleted="true"),
        new_model("m2", name="bare"),
        get_model("m2"),
        # The same name twice is fine (names are not unique).
        new_model("m3", name="bare"),
        POST("logged-models", {"experiment_id": "$exp", "name": "ajax"}, prefix="ajax-api",
             save={"m4": "model.info.model_id"}),
        search_models(),
    ]),
    Case("logged_model_create_generated_name", [
        new_exp(),
        POST("logged-models", {"experiment_id": "$exp"}, save={"m": "model.info.model_id"},
             compare=STATUS, reason=RANDOM_NAME),
        POST("logged-models", {"experiment_id": "$exp", "name": ""},
             save={"m2": "model.info.model_id"}, compare=STATUS, reason=RANDOM_NAME),
        # The generated names do not match a 'named' filter.
        search_models(filter="name = 'nope'"),
    ]),
    Case("logged_model_create_errors", [
        new_exp(),
        POST("logged-models", {}),
        POST("logged-models", {"name": "x"}),
        POST("logged-models", {"experiment_id": "987654321", "name": "x"}),
        POST("logged-models", {"experiment_id": "abc", "name": "x"}),
        POST("logged-models", {"experiment_id": 5, "name": "x"}),
        POST("logged-models", {"experiment_id": "$exp", "name": 7}),
        POST("logged-models", {"experiment_id": "$exp", "name": "x", "model_type": 1}),
        POST("logged-models", {"experiment_id": "$exp", "name": "x", "source_run_id": 1}),
        POST("logged-models", {"experiment_id": "$exp", "name": "x", "params": "nope"}),
        POST("logged-models", {"experiment_id": "$exp", "name": "x", "tags": {"a": "b"}}),
        POST("logged-models", {"experiment_id": "$exp", "name": "a/b"}),
        POST("logged-models", {"experiment_id": "$exp", "name": "a:b"}),
        POST("logged-models", {"experiment_id": "$exp", "name": "a.b"}),
        POST("logged-models", {"experiment_id": "$exp", "name": "50%"}),
        POST("logged-models", {"experiment_id": "$exp", "name": "it's"}),
        POST("logged-models", {"experiment_id": "$exp", "name": 'say "hi"'}),
        POST("logged-models", raw="not json"),
        # camelCase spellings do not satisfy the required-field check.
        POST("logged-models", {"experimentId": "$exp", "name": "camel"}),
        search_models(),
    ]),
    # (A case of its own: the reference's SQL error texts carry the new model ids, which the
    # normalizer then numbers even though the message itself is not compared.)
    Case("logged_model_create_constraint_errors", [
        new_exp(),
        # source_run_id is VARCHAR(32): PostgreSQL rejects a longer one, SQLite stores it.
        POST("logged-models", {"experiment_id": "$exp", "name": "long-src",
                               "source_run_id": "0123456789" * 4},
             compare=NO_MESSAGE, reason=SQL_TEXT),
        search_models(),
        # Duplicate keys in one create violate the primary key; nothing is created.
        POST("logged-models", {"experiment_id": "$exp", "name": "dup-params",
                               "params": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]},
             compare=NO_MESSAGE, reason=SQL_TEXT),
        POST("logged-models", {"experiment_id": "$exp", "name": "dup-tags",
                               "tags": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]},
             compare=NO_MESSAGE, reason=SQL_TEXT),
        search_models(filter="name LIKE 'dup-%'"),
    ]),
    Case("logged_model_create_in_deleted_experiment", [
        new_exp(),
        new_model("before", name="before"),
        POST("experiments/delete", {"experiment_id": "$exp"}),
        # Models of a deleted experiment stay readable, searchable and writable.
        get_model("before"),
        search_models(),
        PATCH("logged-models/$before/tags", {"tags": [{"key": "k", "value": "v"}]}),
        finalize("before"),
        POST("logged-models", {"experiment_id": "$exp", "name": "x"}),
        POST("experiments/restore", {"experiment_id": "$exp"}),
        new_model(name="after-restore"),
        get_model(),
    ]),
    Case("logged_model_create_unusual_fields", [
        new_exp(),
        # source_run_id is not checked against the runs table.
        new_model("m1", name="orphan", source_run_id="0" * 32),
        new_model("m2", name="unicode-é✓", model_type="",
                  tags=[{"key": "k", "value": ""}], params=[{"key": "p", "value": ""}]),
        # camelCase json names are accepted.
        POST("logged-models", {"experiment_id": "$exp", "name": "camel", "modelType": "t",
                               "sourceRunId": "abc"}, save={"m3": "model.info.model_id"}),
        # unknown fields are ignored
        new_model("m4", name="extra", bogus_field=1),
        # A tag / param without a value gets "".
        new_model("m5", name="novalue", tags=[{"key": "t"}], params=[{"key": "p"}]),
        get_model("m1"), get_model("m2"), get_model("m3"), get_model("m4"),
    ]),
    Case("logged_model_get_errors", [
        GET("logged-models/m-" + "0" * 32),
        GET("logged-models/not-a-model"),
        GET("logged-models/m-" + "0" * 32, {"allow_deleted": "true"}),
    ]),

    # ---------------- finalize ----------------
    Case("logged_model_finalize", [
        new_exp(),
        new_model(name="f"),
        finalize(status="LOGGED_MODEL_READY"),
        get_model(),
        finalize(status="LOGGED_MODEL_UPLOAD_FAILED"),
        finalize(status=1),
        finalize(status=2),
        finalize(status=3),
        finalize(status="2"),
        get_model(),
        # Finalizing is idempotent and allowed from any state.
        finalize(status="LOGGED_MODEL_PENDING"),
        get_model(),
    ]),
    Case("logged_model_finalize_errors", [
        new_exp(),
        new_model(name="f"),
        new_model("other", name="other"),
        PATCH("logged-models/$m", {"status": "LOGGED_MODEL_READY"}),
        PATCH("logged-models/$m", {"model_id": "$m"}),
        PATCH("logged-models/$m", {}),
        PATCH("logged-models/$m", {"model_id": "$m", "status": "NOT_A_STATUS"}),
        PATCH("logged-models/$m", {"status": "NOT_A_STATUS", "model_id": "$m"}),
        PATCH("logged-models/$m", {"model_id": "$m", "status": 7}),
        PATCH("logged-models/$m", {"model_id": "$m", "status": 0}),
        PATCH("logged-models/$m", {"model_id": "$m", "status": "abc"}),
        PATCH("logged-models/$m", {"model_id": "$m", "status": True}),
        PATCH("logged-models/$m", {"model_id": 5, "status": 2}),
        # The body's model_id wins over the one in the path.
        PATCH("logged-models/$m", {"model_id": "$other", "status": "LOGGED_MODEL_READY"}),
        get_model(), get_model("other"),
        PATCH("logged-models/m-" + "0" * 32,
              {"model_id": "m-" + "0" * 32, "status": "LOGGED_MODEL_READY"}),
        PATCH("logged-models/$m", {"model_id": "m-" + "0" * 32, "status": 2}),
    ]),

    # ---------------- delete ----------------
    Case("logged_model_delete", [
        new_exp(),
        new_model(name="d", params=[{"key": "p", "value": "1"}], tags=[{"key": "t", "value": "v"}]),
        new_model("keep", name="keep"),
        DELETE("logged-models/$m"),
        get_model(),
        get_model(allow_deleted="true"),
        get_model(allow_deleted="True"),
        get_model(allow_deleted="1"),
        get_model(allow_deleted="false"),
        # Deleting again is not an error; other writes still see the deleted model.
        DELETE("logged-models/$m"),
        finalize(),
        PATCH("logged-models/$m/tags", {"tags": [{"key": "after", "value": "delete"}]}),
        get_model(allow_deleted="true"),
        search_models(),
        search_models(filter="name = 'd'"),
        DELETE("logged-models/m-" + "0" * 32),
        DELETE("logged-models/$m", prefix="ajax-api"),
    ]),

    # ---------------- tags ----------------
    Case("logged_model_set_tags", [
        new_exp(),
        new_model(name="t", tags=[{"key": "a", "value": "1"}]),
        PATCH("logged-models/$m/tags", {"tags": [{"key": "b", "value": "2"}]}),
        get_model(),
        PATCH("logged-models/$m/tags", {"tags": [{"key": "a", "value": "updated"},
                                                 {"key": "c", "value": "3"}]}),
        get_model(),
        # Duplicate keys in one call: the last value wins.
        PATCH("logged-models/$m/tags", {"tags": [{"key": "d", "value": "first"},
                                                 {"key": "d", "value": "second"}]}),
        get_model(),
        PATCH("logged-models/$m/tags", {"tags": []}),
        PATCH("logged-models/$m/tags", {}),
        PATCH("logged-models/$m/tags", {"tags": [{"key": "weird key/é", "value": "x"}]}),
        PATCH("logged-models/$m/tags", {"tags": [{"key": "e", "value": "v"}]}, prefix="ajax-api"),
        get_model(),
    ]),
    Case("logged_model_set_tags_errors", [
        new_exp(),
        new_model(name="t"),
        PATCH("logged-models/m-" + "0" * 32 + "/tags", {"tags": [{"key": "a", "value": "1"}]}),
        PATCH("logged-models/$m/tags", {"tags": "nope"}),
        PATCH("logged-models/$m/tags", {"tags": {"key": "a", "value": "1"}}),
        get_model(),
    ]),
    Case("logged_model_delete_tag", [
        new_exp(),
        new_model(name="t", tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"},
                                  {"key": "dotted.key", "value": "3"}]),
        DELETE("logged-models/$m/tags/a"),
        get_model(),
        DELETE("logged-models/$m/tags/a"),
        DELETE("logged-models/$m/tags/never"),
        DELETE("logged-models/$m/tags/dotted.key"),
        DELETE("logged-models/$m/tags/b", prefix="ajax-api"),
        get_model(),
        DELETE("logged-models/m-" + "0" * 32 + "/tags/a"),
    ]),

    # ---------------- params ----------------
    Case("logged_model_log_params", [
        new_exp(),
        new_model(name="p", params=[{"key": "a", "value": "1"}]),
        POST("logged-models/$m/params", {"model_id": "$m",
                                         "params": [{"key": "b", "value": "2"},
                                                    {"key": "c", "value": "3"}]}),
        get_model(),
        POST("logged-models/$m/params", {"model_id": "$m", "params": []}),
        POST("logged-models/$m/params", {"model_id": "$m"}),
        POST("logged-models/$m/params", {"model_id": "$m", "params": [{"key": "d", "value": "4"}]},
             prefix="ajax-api"),
        get_model(),
    ]),
    Case("logged_model_log_params_errors", [
        new_exp(),
        new_model(name="p", params=[{"key": "a", "value": "1"}]),
        new_model("other", name="other"),
        POST("logged-models/$m/params", {"params": [{"key": "b", "value": "2"}]}),
        POST("logged-models/$m/params", {"model_id": "$m", "params": "nope"}),
        POST("logged-models/m-" + "0" * 32 + "/params",
             {"model_id": "m-" + "0" * 32, "params": [{"key": "b", "value": "2"}]}),
        # The path's model_id is used; the body's only has to be present.
        POST("logged-models/$m/params", {"model_id": "$other",
                                         "params": [{"key": "via-path", "value": "1"}]}),
        get_model(), get_model("other"),
        # An existing key: the insert violates the primary key.
        POST("logged-models/$m/params", {"model_id": "$m", "params": [{"key": "a", "value": "9"}]},
             compare=NO_MESSAGE, reason=SQL_TEXT),
        get_model(),
    ]),

    # ---------------- metrics logged with a model ----------------
    Case("logged_model_metrics", [
        new_exp(),
        new_run(),
        new_model(name="mm", source_run_id="$run"),
        POST("runs/log-metric", {"run_id": "$run", "key": "acc", "value": 0.5, "timestamp": 10,
                                 "step": 1, "model_id": "$m"}),
        POST("runs/log-metric", {"run_id": "$run", "key": "acc", "value": 0.7, "timestamp": 20,
                                 "step": 2, "model_id": "$m", "dataset_name": "eval",
                                 "dataset_digest": "abc123"}),
        POST("runs/log-metric", {"run_id": "$run", "key": "plain", "value": 1, "timestamp": 20,
                                 "step": 0}),
        get_model(),
        POST("runs/log-batch", {"run_id": "$run", "metrics": [
            mmetric("f1", 0.25, "$m", ts=30, step=3, dataset="train", digest="d1"),
            mmetric("f1", 0.35, "$m", ts=40, step=4),
            metric("run-only", 2, 30),
        ]}),
        get_model(),
        # The run sees the same metrics (latest values) without the model fields.
        GET("runs/get", {"run_id": "$run"}),
        GET("metrics/get-history", {"run_id": "$run", "metric_key": "acc"}),
        # The same metric again: not duplicated.
        POST("runs/log-metric", {"run_id": "$run", "key": "acc", "value": 0.5, "timestamp": 10,
                                 "step": 1, "model_id": "$m"}),
        get_model(),
        search_models(),
    ]),
    Case("logged_model_metrics_special_values", [
        new_exp(),
        new_run(),
        new_model(name="nan"),
        POST("runs/log-metric", {"run_id": "$run", "key": "n", "value": "NaN", "timestamp": 1,
                                 "step": 0, "model_id": "$m"}),
        POST("runs/log-metric", {"run_id": "$run", "key": "pinf", "value": "Infinity",
                                 "timestamp": 1, "step": 0, "model_id": "$m"}),
        POST("runs/log-metric", {"run_id": "$run", "key": "ninf", "value": "-Infinity",
                                 "timestamp": 1, "step": 0, "model_id": "$m"}),
        get_model(),
        GET("runs/get", {"run_id": "$run"}),
    ]),
    Case("logged_model_metrics_errors", [
        new_exp(),
        new_run(),
        new_model(name="e"),
        POST("runs/log-metric", {"run_id": "$run", "key": "k", "value": 1, "timestamp": 1,
                                 "step": 0, "model_id": 5}),
        POST("runs/log-metric", {"run_id": "$run", "key": "k", "value": 1, "timestamp": 1,
                                 "step": 0, "model_id": "$m", "dataset_name": 3}),
        POST("runs/log-metric", {"run_id": "$run", "key": "k", "value": 1, "timestamp": 1,
                                 "step": 0, "model_id": "$m", "dataset_digest": 3}),
        get_model(),
        # On a finished run: accepted; on a deleted run: rejected like any other metric.
        POST("runs/update", {"run_id": "$run", "status": "FINISHED", "end_time": 2000}),
        POST("runs/delete", {"run_id": "$run"}),
        POST("runs/log-metric", {"run_id": "$run", "key": "late", "value": 1, "timestamp": 1,
                                 "step": 0, "model_id": "$m"}),
        get_model(),
    ]),

    Case("logged_model_metrics_unknown_model", [
        new_exp(),
        new_run(),
        # An unknown model id violates the foreign key (400 BAD_REQUEST with the driver's text).
        # log-metric writes the model metric first, so the run metric is not logged either;
        # log-batch writes the run metrics first, in their own transaction, so they stay.
        POST("runs/log-metric", {"run_id": "$run", "key": "single", "value": 1, "timestamp": 1,
                                 "step": 0, "model_id": "m-" + "0" * 32},
             compare=NO_MESSAGE, reason=SQL_TEXT),
        POST("runs/log-batch", {"run_id": "$run", "metrics": [
            mmetric("batched", 1, "m-" + "0" * 32, ts=1)]},
             compare=NO_MESSAGE, reason=SQL_TEXT),
        GET("runs/get", {"run_id": "$run"}),
    ], xfail="log-batch is atomic in mlflowd (README): the refused model metric takes the batch's "
             "run metric with it, so runs/get shows no metrics where the reference kept 'batched'"),

    # ---------------- search ----------------
    Case("logged_model_search_basics", [
        *setup_models(),
        search_models(),
        search_models(experiment_ids=["$exp"], max_results=10),
        search_models(experiment_ids=["$exp", "0"]),
        search_models(experiment_ids=["987654321"]),
        search_models(prefix="ajax-api"),
        search_models(max_results=0),
        search_models(max_results="2"),
    ]),
    Case("logged_model_search_request_errors", [
        new_exp(),
        new_model(name="x"),
        POST("logged-models/search", {}),
        POST("logged-models/search", {"experiment_ids": []}),
        POST("logged-models/search", {"experiment_ids": "1"}),
        POST("logged-models/search", {"experiment_ids": [5]}),
        POST("logged-models/search", {"experiment_ids": ["abc"]}),
        search_models(filter=5),
        search_models(max_results="abc"),
        search_models(order_by="name"),
        search_models(order_by=["name"]),
        search_models(order_by=[{"ascending": True}]),
        search_models(datasets="ds"),
        search_models(datasets=[{"dataset_digest": "d1"}]),
        search_models(datasets=[{}]),
        search_models(page_token=5),
    ]),
    Case("logged_model_search_filter_attributes", [
        *setup_models(),
        flt("name = 'alpha'"),
        flt("attributes.name = 'alpha'"),
        flt("name != 'alpha'"),
        flt("name LIKE 'al%'"),
        flt("name like 'al%'"),
        flt("name LIKE 'Al%'"),
        flt("name ILIKE 'al%'"),
        flt("name ilike 'AL%'"),
        flt("name IN ('alpha', 'beta', 'zzz')"),
        flt("name in ('gamma')"),
        flt("name NOT IN ('alpha', 'beta')"),
        flt("name = \"alpha\""),
        flt("model_type = 'sklearn'"),
        flt("model_type != 'sklearn'"),
        flt("model_type = ''"),
        flt("model_type LIKE 'py%'"),
        flt("source_run_id = '$run'"),
        flt("source_run_id != '$run'"),
        flt("source_run_id = ''"),
        flt("model_id = '$m2'"),
        flt("model_id IN ('$m1', '$m3')"),
        flt("`name` = 'beta'"),
        flt("name = 'alpha' AND model_type = 'sklearn'"),
        flt("name LIKE '%a%' and model_type = 'sklearn'"),
        flt("name = 'alpha-deleted'"),
        flt(""),
        # Any column of the logged_models table is a filterable attribute.
        flt("lifecycle_stage = 'active'"),
        flt("experiment_id = '$exp'"),
        flt("artifact_location LIKE '%/models/%'"),
    ]),
    Case("logged_model_search_filter_times_and_status", [
        *setup_models(),
        flt("creation_time > 0"),
        flt("creation_timestamp >= 0"),
        flt("creation_timestamp_ms > 0"),
        flt("last_updated_timestamp < 0"),
        flt("last_updated_timestamp_ms != 0"),
        flt("creation_time = 0"),
        flt("creation_time < 99999999999999"),
        flt("creation_time <= 1.5e13"),
        flt("status = 2"),
        flt("status = '2'"),
        flt("status != '1'"),
        flt("status IN ('2', '3')"),
    ]),
    Case("logged_model_search_filter_status_by_name", [
        *setup_models(),
        # The status column is an integer: a status name matches nothing on SQLite and is a
        # type error on PostgreSQL.
        flt("status = 'LOGGED_MODEL_READY'", compare=NO_MESSAGE, reason=SQL_TEXT),
        flt("status = 'READY'", compare=NO_MESSAGE, reason=SQL_TEXT),
    ]),
    Case("logged_model_search_filter_params_tags", [
        *setup_models(),
        flt("params.lr = '0.1'"),
        flt("params.lr != '0.1'"),
        flt("params.lr LIKE '0.%'"),
        flt("params.lr IN ('0.1', '0.01')"),
        flt("params.lr NOT IN ('0.1')"),
        flt("params.`lr` = '0.01'"),
        flt("params.depth = '3' AND params.lr = '0.1'"),
        flt("params.missing = 'x'"),
        flt("tags.team = 'red'"),
        flt("tags.team ILIKE 'red'"),
        flt("tags.team LIKE 'R%'"),
        flt("tags.team IN ('red', 'blue')"),
        flt("tags.team NOT IN ('red')"),
        flt("tags.`team` = 'blue' AND tags.stage = 'dev'"),
        flt("tags.team = 'red' AND name = 'alpha'"),
        flt("tags.team != 'red'"),
    ]),
    Case("logged_model_search_filter_metrics", [
        *setup_models(),
        flt("metrics.acc > 0.75"),
        flt("metrics.acc >= 0.8"),
        flt("metrics.acc < 0.75"),
        flt("metrics.acc <= 0.7"),
        flt("metrics.acc = 0.8"),
        flt("metrics.acc != 0.7"),
        flt("metrics.acc > 0.6 AND metrics.acc < 0.85"),
        flt("metrics.loss >= 0"),
        flt("metrics.loss > 0.1 AND params.lr = '0.1'"),
        flt("metrics.acc > 0.95"),
        flt("metrics.`acc` > 0.85"),
        flt("metrics.acc > 1e-1"),
        flt("metrics.acc > -1"),
        # The dataset filter narrows which metric rows a metric comparison looks at.
        flt("metrics.acc >= 0.8", datasets=[{"dataset_name": "ds1", "dataset_digest": "d1"}]),
        flt("metrics.acc < 0.6", datasets=[{"dataset_name": "ds1", "dataset_digest": "d1"}]),
        flt("metrics.acc > 0", datasets=[{"dataset_name": "ds2", "dataset_digest": "d2"},
                                         {"dataset_name": "ds1", "dataset_digest": "nope"}]),
    ]),
    Case("logged_model_search_datasets", [
        *setup_models(),
        search_models(datasets=[{"dataset_name": "ds1", "dataset_digest": "d1"}]),
        search_models(datasets=[{"dataset_name": "ds2", "dataset_digest": "d2"}]),
        search_models(datasets=[{"dataset_name": "ds1", "dataset_digest": "d1"},
                                {"dataset_name": "ds2", "dataset_digest": "d2"}]),
        search_models(datasets=[{"dataset_name": "ds1", "dataset_digest": "other"}]),
        # Without a digest the server filters on a NULL digest (the handler always passes the
        # key): no model has such a metric for ds1.
        search_models(datasets=[{"dataset_name": "ds1"}]),
        search_models(datasets=[{"dataset_name": "ds1", "dataset_digest": ""}]),
        search_models(datasets=[{"dataset_name": "nope"}]),
        search_models(datasets=[{"dataset_name": "ds1", "dataset_digest": "d1"}],
                      filter="name != 'alpha'"),
    ]),
    Case("logged_model_search_filter_errors", [
        new_exp(),
        new_model(name="x"),
        flt("name > 'a'"),
        flt("name < 'a'"),
        flt("metrics.acc LIKE '0.9'"),
        flt("metrics.acc IN (1, 2)"),
        flt("creation_time LIKE '1%'"),
        flt("params.lr > '1'"),
        flt("tags.t >= 'a'"),
        flt("foo.bar = 'x'"),
        flt("name = 'a' OR name = 'b'"),
        flt("name"),
        flt("name = "),
        flt("name = 'x' AND"),
        flt("(name = 'a')"),
        flt("name = 'a'; name = 'b'"),
        flt("name IS NULL"),
        flt("metrics.acc > 0 AND"),
    ]),
    Case("logged_model_search_order_by", [
        *setup_models(),
        search_models(order_by=[{"field_name": "name"}]),
        search_models(order_by=[{"field_name": "name", "ascending": True}]),
        search_models(order_by=[{"field_name": "name", "ascending": False}]),
        search_models(order_by=[{"field_name": "creation_timestamp", "ascending": True}]),
        search_models(order_by=[{"field_name": "creation_time", "ascending": True}]),
        search_models(order_by=[{"field_name": "creation_timestamp_ms", "ascending": False}]),
        search_models(order_by=[{"field_name": "last_updated_timestamp", "ascending": True}]),
        search_models(order_by=[{"field_name": "model_type", "ascending": True}]),
        search_models(order_by=[{"field_name": "model_type", "ascending": False},
                                {"field_name": "name", "ascending": True}]),
        search_models(order_by=[{"field_name": "status", "ascending": False}]),
        search_models(order_by=[{"field_name": "model_id", "ascending": True}],
                      compare=UNORDERED, reason="model ids are random: their order differs"),
        search_models(order_by=[{"field_name": "source_run_id", "ascending": True}]),
        search_models(order_by=[{"field_name": "bogus"}]),
        search_models(order_by=[{"field_name": "params.lr"}]),
        search_models(order_by=[{"field_name": "tags.team"}]),
        search_models(order_by=[{"field_name": ""}]),
    ]),
    Case("logged_model_search_order_by_metrics", [
        *setup_models(),
        # Latest value per (model, metric) by timestamp, then step; models without the metric
        # come last in both directions.
        search_models(order_by=[{"field_name": "metrics.acc", "ascending": True}]),
        search_models(order_by=[{"field_name": "metrics.acc", "ascending": False}]),
        search_models(order_by=[{"field_name": "metrics.loss", "ascending": False}]),
        search_models(order_by=[{"field_name": "metrics.acc", "ascending": True,
                                 "dataset_name": "ds1"}]),
        search_models(order_by=[{"field_name": "metrics.acc", "ascending": False,
                                 "dataset_name": "ds1", "dataset_digest": "d1"}]),
        search_models(order_by=[{"field_name": "metrics.acc", "ascending": True,
                                 "dataset_digest": "d2"}]),
        search_models(order_by=[{"field_name": "metrics.acc", "ascending": True,
                                 "dataset_name": "nope"}]),
        search_models(order_by=[{"field_name": "metrics.missing", "ascending": True}]),
        search_models(order_by=[{"field_name": "metrics.acc", "ascending": False},
                                {"field_name": "metrics.loss", "ascending": True}]),
        search_models(filter="metrics.acc > 0",
                      order_by=[{"field_name": "metrics.acc", "ascending": True}]),
    ]),
    Case("logged_model_search_pagination", [
        *setup_models(),
        search_models(max_results=1, _save={"t1": "next_page_token"}),
        search_models(max_results=1, page_token="$t1", _save={"t2": "next_page_token"}),
        search_models(max_results=1, page_token="$t2", _save={"t3": "next_page_token"}),
        search_models(max_results=1, page_token="$t3"),
        search_models(max_results=3, order_by=[{"field_name": "name", "ascending": True}],
                      _save={"n1": "next_page_token"}),
        search_models(max_results=3, order_by=[{"field_name": "name", "ascending": True}],
                      page_token="$n1"),
        # A different page size with the same token is fine.
        search_models(max_results=2, order_by=[{"field_name": "name", "ascending": True}],
                      page_token="$n1"),
        search_models(max_results=2, filter="name LIKE '%a%'", _save={"f1": "next_page_token"}),
        search_models(max_results=2, filter="name LIKE '%a%'", page_token="$f1"),
        search_models(max_results=4),
        search_models(max_results=1000),
        # A non-integer page size fails proto parsing and falls back to the default.
        search_models(max_results=1.5),
    ]),
    Case("logged_model_search_negative_max_results", [
        new_exp(),
        new_model(name="x"),
        # No range check: an empty page whose token has offset -1 (max_results + 1 = 0 rows).
        search_models(max_results=-1),
    ], xfail="mlflowd refuses a negative max_results with 400 INVALID_PARAMETER_VALUE; the "
             "reference answers 200 with an empty page and a token whose offset is -1"),
    Case("logged_model_search_page_token_errors", [
        *setup_models(),
        search_models(max_results=2, filter="name != 'x'",
                      order_by=[{"field_name": "name", "ascending": True}],
                      _save={"tok": "next_page_token"}),
        # Changed filter / order / experiments against the token.
        search_models(max_results=2, filter="name != 'y'",
                      order_by=[{"field_name": "name", "ascending": True}], page_token="$tok"),
        search_models(max_results=2, order_by=[{"field_name": "name", "ascending": True}],
                      page_token="$tok"),
        search_models(max_results=2, filter="name != 'x'",
                      order_by=[{"field_name": "name", "ascending": False}], page_token="$tok"),
        search_models(max_results=2, filter="name != 'x'", page_token="$tok"),
        search_models(experiment_ids=["$exp", "0"], max_results=2, filter="name != 'x'",
                      order_by=[{"field_name": "name", "ascending": True}], page_token="$tok"),
        # Hand-made tokens (on the Default experiment, which holds no logged models here: the
        # token JSON cannot embed a per-server experiment id).
        search_models(experiment_ids=["0"], page_token=token(experiment_ids=["0"], offset=2)),
        search_models(experiment_ids=["0"],
                      page_token=token(experiment_ids=["0"], filter_string=None, order_by=None,
                                       offset=0)),
        search_models(experiment_ids=["0"], page_token=token(offset=1)),
        search_models(experiment_ids=["0"], page_token=token(experiment_ids=["1"], offset=1)),
        search_models(experiment_ids=["0"], page_token=token(experiment_ids=["0"], offset="1")),
        search_models(experiment_ids=["0"],
                      page_token=token(experiment_ids=["0"], filter_string="", order_by=[],
                                       offset=3)),
        search_models(experiment_ids=["0"], filter="name = 'a'",
                      page_token=token(experiment_ids=["0"], offset=0)),
        search_models(experiment_ids=["0"], page_token=token(experiment_ids=["0"],
                                                             filter_string="name = 'a'")),
        search_models(experiment_ids=["0"], order_by=[{"field_name": "name"}],
                      page_token=token(experiment_ids=["0"], order_by=[
                          {"field_name": "name", "ascending": True, "dataset_name": None,
                           "dataset_digest": None}])),
        search_models(experiment_ids=["0"], order_by=[{"field_name": "name"}],
                      page_token=token(experiment_ids=["0"], order_by=[
                          {"field_name": "name", "ascending": True}])),
        search_models(page_token="eyJvZmZzZXQiOiAiYSJ9"),  # {"offset": "a"}
        search_models(page_token=base64.b64encode(b"not json").decode(), compare=NO_MESSAGE,
                      reason="the message ends with Python's json decoder error text"),
    ]),

    # ---------------- artifacts ----------------
    Case("logged_model_artifacts", [
        new_exp(),
        new_model(name="arts"),
        GET("logged-models/$m/artifacts/directories"),
        PUT_ARTIFACT("$exp/models/$m/artifacts/MLmodel", "artifact_path: model\n"),
        PUT_ARTIFACT("$exp/models/$m/artifacts/sub/data.txt", "hello world"),
        PUT_ARTIFACT("$exp/models/$m/artifacts/sub/deeper/x.bin", "0123456789"),
        GET("logged-models/$m/artifacts/directories"),
        GET("logged-models/$m/artifacts/directories", {"artifact_directory_path": ""}),
        GET("logged-models/$m/artifacts/directories", {"artifact_directory_path": "sub"}),
        GET("logged-models/$m/artifacts/directories", {"artifact_directory_path": "sub/"}),
        GET("logged-models/$m/artifacts/directories", {"artifact_directory_path": "sub/deeper"}),
        GET("logged-models/$m/artifacts/directories", {"artifact_directory_path": "nope"}),
        GET("logged-models/$m/artifacts/directories", {"artifact_directory_path": "MLmodel"}),
        GET("logged-models/$m/artifacts/directories", {"artifact_directory_path": "sub"},
            prefix="ajax-api"),
        GET("logged-models/$m/artifacts/directories", {"artifact_directory_path": "../x"}),
        GET("logged-models/$m/artifacts/directories", {"artifact_directory_path": "/etc"}),
        GET("logged-models/m-" + "0" * 32 + "/artifacts/directories"),
        # The model-scoped artifact listing through the artifact proxy itself.
        GET("/api/2.0/mlflow-artifacts/artifacts", {"path": "$exp/models/$m/artifacts/sub"}),
    ]),
    Case("logged_model_artifact_files", [
        new_exp(),
        new_model(name="files"),
        PUT_ARTIFACT("$exp/models/$m/artifacts/sub/data.txt", "hello world"),
        PUT_ARTIFACT("$exp/models/$m/artifacts/MLmodel", "artifact_path: model\n"),
        GET("logged-models/$m/artifacts/files", {"artifact_file_path": "sub/data.txt"},
            prefix="ajax-api"),
        GET("logged-models/$m/artifacts/files", {"artifact_file_path": "MLmodel"},
            prefix="ajax-api"),
        GET("logged-models/$m/artifacts/files", {}, prefix="ajax-api"),
        GET("logged-models/$m/artifacts/files", {"artifact_file_path": ""}, prefix="ajax-api"),
        GET("logged-models/$m/artifacts/files", {"artifact_file_path": "missing.txt"},
            prefix="ajax-api"),
        GET("logged-models/$m/artifacts/files", {"artifact_file_path": "../secret"},
            prefix="ajax-api"),
        GET("logged-models/m-" + "0" * 32 + "/artifacts/files", {"artifact_file_path": "x"},
            prefix="ajax-api"),
        # Only the ajax-api route exists for file downloads.
        GET("logged-models/$m/artifacts/files", {"artifact_file_path": "MLmodel"},
            compare=STATUS, reason=HTML_PAGE),
    ]),

    # ---------------- routing ----------------
    Case("logged_model_routes_methods", [
        new_exp(),
        new_model(name="r"),
        Step("PUT", "logged-models/$m", {"model_id": "$m", "status": 2}, compare=STATUS,
             reason=HTML_PAGE),
        POST("logged-models/$m", {"model_id": "$m"}, compare=STATUS, reason=HTML_PAGE),
        GET("logged-models", compare=STATUS, reason=HTML_PAGE),
        # GET on the search path is the get route with model_id "search".
        GET("logged-models/search"),
        Step("PATCH", "logged-models/$m/params", {"model_id": "$m", "params": []},
             compare=STATUS, reason=HTML_PAGE),
        GET("logged-models/$m/tags", compare=STATUS, reason=HTML_PAGE),
        Step("DELETE", "logged-models/$m/tags", compare=STATUS, reason=HTML_PAGE),
        # The model is untouched by all of the above.
        get_model(),
    ]),
]
