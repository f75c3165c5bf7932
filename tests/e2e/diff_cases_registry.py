"""Differential cases: the model registry (``registered-models/…``, ``model-versions/…``), see
test_differential.py for the harness.

Adding a case: append ``Case("name", [step, ...])``; ``$var`` is replaced by the value a step of
the same case saved from that server's response, ``$P`` by a prefix unique to the case (every
registered model of a case is named ``$P…``, and every search filters on ``name LIKE '$P%'`` so
that cases sharing a server do not see each other's models).

Normalization notes (diffharness.Normalizer): run ids and logged-model ids (``m-`` + 32 hex)
become ``<run#N>`` placeholders, experiment ids inside ``mlflow-artifacts:/<id>`` sources become
``<exp#N>``, ``creation_timestamp`` / ``last_updated_timestamp`` become ``<now>``. Page tokens
(``base64({"offset": N})``) are deterministic and compared as they are. ``tags`` lists are
compared as sets (their order is the SQL row order, see the report in test_registry.py).

``latest_versions`` is built from one row per stage in SQL row order (``get``: the relationship
load in table order; ``search``: a window-function join whose order the query planner decides),
so steps whose answer holds more than one latest version compare with ``UNORDERED``.
"""

from __future__ import annotations

import diffharness
from diff_builders import SQL_TEXT, new_exp, new_run
from diffharness import GET, NO_MESSAGE, POST, STATUS, UNORDERED, Case, Step

# Logged-model answers (sources ``models:/m-…``) carry these server-side times too.
diffharness.TIME_KEYS.update({"creation_timestamp_ms", "last_updated_timestamp_ms"})

LV_ORDER = ("latest_versions holds one version per stage in SQL row order (planner-dependent, "
            "differs between get and search and between SQLite and PostgreSQL)")
HTML_PAGE = "the reference answers with Werkzeug's HTML error page"
STORAGE_PATH = ("the message embeds the bare storage path '<experiment id>/<run id>/…', whose "
                "experiment id the normalizer does not rewrite (checked in test_registry.py)")


# --- builders ---------------------------------------------------------------------------------

def PATCH(path: str, body=None, **kw) -> Step:
    return Step("PATCH", path, body, **kw)


def DELETE(path: str, body=None, **kw) -> Step:
    return Step("DELETE", path, body, **kw)


def rm(name: str = "$P", **fields) -> Step:
    kw = {k: fields.pop(k) for k in ("compare", "reason", "prefix", "save") if k in fields}
    return POST("registered-models/create", {"name": name, **fields}, **kw)


def get_rm(name: str = "$P", **kw) -> Step:
    return GET("registered-models/get", {"name": name}, **kw)


def mv(source: str, name: str = "$P", **fields) -> Step:
    kw = {k: fields.pop(k) for k in ("compare", "reason", "prefix", "save") if k in fields}
    return POST("model-versions/create", {"name": name, "source": source, **fields}, **kw)


def run_mv(name: str = "$P", run: str = "$run", **fields) -> Step:
    """A version whose source is the run's ``runs:/`` URI (what most clients register)."""
    return mv(f"runs:/{run}/model", name, run_id=run, **fields)


def get_mv(version: str, name: str = "$P", **kw) -> Step:
    return GET("model-versions/get", {"name": name, "version": version}, **kw)


def stage(version: str, stage_: str, archive: bool = False, name: str = "$P", **kw) -> Step:
    return POST("model-versions/transition-stage",
                {"name": name, "version": version, "stage": stage_,
                 "archive_existing_versions": archive}, **kw)


def alias(alias_: str, version: str, name: str = "$P") -> Step:
    return POST("registered-models/alias", {"name": name, "alias": alias_, "version": version})


def search_rms(filter_: str | None = "name LIKE '$P%'", **params) -> Step:
    kw = {k: params.pop(k) for k in ("compare", "reason", "prefix", "save") if k in params}
    if filter_ is not None:
        params["filter"] = filter_
    return GET("registered-models/search", params, **kw)


def search_mvs(filter_: str | None = "name LIKE '$P%'", **params) -> Step:
    kw = {k: params.pop(k) for k in ("compare", "reason", "prefix", "save") if k in params}
    if filter_ is not None:
        params["filter"] = filter_
    return GET("model-versions/search", params, **kw)


def download_uri(version: str, name: str = "$P") -> Step:
    return GET("model-versions/get-download-uri", {"name": name, "version": version})


def run_setup():
    return [new_exp(), new_run()]


def logged_model(var: str = "m", exp: str = "$exp", run: str = "$run", **fields) -> Step:
    return POST("logged-models", {"experiment_id": exp, "name": "model", "source_run_id": run,
                                  **fields}, save={var: "model.info.model_id"})


PROMPT_TAG = {"key": "mlflow.prompt.is_prompt", "value": "true"}

# §A.10 CreateModelVersion.source vectors (security-and-kubernetes.md). What MLflow 3.17.2 answers
# for each is whatever the reference answers; most are refused with 400 INVALID_PARAMETER_VALUE.
A10_SOURCES = [
    "file:///etc/",
    "/etc",
    "//proc/self/root",
    "mlflow-artifacts://host:5000/../../../../",
    "mlflow-artifacts://host:5000/..%2f..%2f..%2f..%2f",
    "http://host:5000/api/2.0/mlflow-artifacts/artifacts/../../../../",
    "http://host:5000/api/2.0/mlflow-artifacts/artifacts%00",
    "s3:/my_bucket/models/path/../../other/path",
    "file://path/to/../../../../some/where",
    "mlflow-artifacts:/x%23/../../../../y",
    "/models/artifacts/../../../",
    "file:///etc/%2e%2e/passwd",
    "s3://bucket/a/%252e%252e/b",
    "C:\\Windows\\win.ini",
    "\\\\server\\share",
]


def a10_steps() -> list[Step]:
    steps: list[Step] = []
    for src in A10_SOURCES:
        steps.append(mv(src))
        steps.append(mv(src, run_id="$run"))
        steps.append(mv(src, tags=[PROMPT_TAG]))
    return steps


# --- cases ------------------------------------------------------------------------------------

REGISTRY_CASES: list[Case] = [
    # ---------------- registered-models/create, get ----------------
    Case("rm_create_get", [
        rm(tags=[{"key": "b", "value": "1"}, {"key": "a", "value": "2"}], description="desc"),
        get_rm(),
        rm("$P-plain"),
        get_rm("$P-plain"),
        rm("$P-empty-desc", description=""),
        get_rm("$P-empty-desc"),
        rm("$P-dup-tags", tags=[{"key": "k", "value": "1"}, {"key": "k", "value": "2"}]),
        get_rm("$P-dup-tags"),
        rm("$P-ajax", prefix="ajax-api"),
        GET("registered-models/get", {"name": "$P-ajax"}, prefix="ajax-api"),
        rm("$P-uni ✓ name.with dots", tags=[{"key": "empty", "value": ""}]),
        get_rm("$P-uni ✓ name.with dots"),
        rm("$P-numeric-str", description=5),
    ]),
    Case("rm_create_errors", [
        rm(),
        rm(),  # duplicate -> RESOURCE_ALREADY_EXISTS
        rm("$P", description="other"),
        rm(""),
        rm("   "),
        rm("$P/slash"),
        rm("$P:colon"),
        POST("registered-models/create", {}),
        POST("registered-models/create", {"name": 5}),
        POST("registered-models/create", {"name": None}),
        rm("$P-badtag", tags=[{"key": "bad!key", "value": "v"}]),
        rm("$P-badtag2", tags=[{"key": "../x", "value": "v"}]),
        rm("$P-longkey", tags=[{"key": "k" * 251, "value": "v"}]),
        rm("$P-longval", tags=[{"key": "k", "value": "v" * 100_001}]),
        rm("$P-okval", tags=[{"key": "k" * 250, "value": "v" * 5000}]),
        rm("$P-notags", tags="nope"),
        get_rm("$P-badtag"),
        POST("registered-models/create", raw='{"name": "$P-text"}',
             headers={"Content-Type": "text/plain"}),
        search_rms(),
    ]),
    Case("rm_get_errors", [
        get_rm("$P-nope"),
        GET("registered-models/get", {}),
        get_rm(""),
        get_rm("$P/x"),
        GET("registered-models/get", query="name=$P-nope&name=other"),
        POST("registered-models/get", {"name": "$P"}, compare=STATUS, reason=HTML_PAGE),
    ]),

    # ---------------- update, rename, delete ----------------
    Case("rm_update", [
        rm(description="first"),
        PATCH("registered-models/update", {"name": "$P", "description": "second"}),
        get_rm(),
        PATCH("registered-models/update", {"name": "$P", "description": ""}),
        get_rm(),
        PATCH("registered-models/update", {"name": "$P", "description": "third"}),
        PATCH("registered-models/update", {"name": "$P"}),
        get_rm(),
        PATCH("registered-models/update", {"name": "$P-nope", "description": "x"}),
        PATCH("registered-models/update", {"description": "x"}),
        PATCH("registered-models/update", {"name": "$P", "description": 7}),
        PATCH("registered-models/update", {"name": "$P", "description": "ajax"},
              prefix="ajax-api"),
        POST("registered-models/update", {"name": "$P", "description": "post"},
             compare=STATUS, reason=HTML_PAGE),
        get_rm(),
    ]),
    Case("rm_rename_carries_versions", [
        *run_setup(),
        rm(tags=[{"key": "t", "value": "v"}], description="d"),
        run_mv(),
        run_mv(tags=[{"key": "mt", "value": "mv"}]),
        stage("1", "Production"),
        alias("champ", "2"),
        POST("model-versions/set-tag", {"name": "$P", "version": "1", "key": "k", "value": "1"}),
        POST("registered-models/rename", {"name": "$P", "new_name": "$P-renamed"},
             compare=UNORDERED, reason=LV_ORDER),
        get_rm("$P-renamed", compare=UNORDERED, reason=LV_ORDER),
        get_rm(),
        get_mv("1", "$P-renamed"),
        get_mv("2", "$P-renamed"),
        get_mv("1"),
        GET("registered-models/alias", {"name": "$P-renamed", "alias": "champ"}),
        search_mvs(order_by=["version_number ASC"]),
        download_uri("2", "$P-renamed"),
        run_mv("$P-renamed"),
        POST("registered-models/rename", {"name": "$P-renamed", "new_name": "$P"},
             compare=UNORDERED, reason=LV_ORDER),
        get_mv("3"),
        search_rms(compare=UNORDERED, reason=LV_ORDER),
    ]),
    Case("rm_rename_errors", [
        rm(),
        rm("$P-other"),
        POST("registered-models/rename", {"name": "$P", "new_name": "$P-other"},
             compare=NO_MESSAGE, reason=SQL_TEXT),
        POST("registered-models/rename", {"name": "$P", "new_name": "$P"},
             compare=NO_MESSAGE, reason=SQL_TEXT),
        POST("registered-models/rename", {"name": "$P-nope", "new_name": "$P-x"}),
        POST("registered-models/rename", {"name": "$P"}),
        POST("registered-models/rename", {"name": "$P", "new_name": ""}),
        POST("registered-models/rename", {"name": "$P", "new_name": "$P/x"}),
        POST("registered-models/rename", {"new_name": "$P-y"}),
        get_rm(),
        get_rm("$P-other"),
    ]),
    Case("rm_delete", [
        *run_setup(),
        rm(tags=[{"key": "t", "value": "v"}]),
        run_mv(),
        run_mv(),
        alias("a", "1"),
        DELETE("registered-models/delete", {"name": "$P"}),
        get_rm(),
        get_mv("1"),
        GET("registered-models/alias", {"name": "$P", "alias": "a"}),
        search_mvs(),
        DELETE("registered-models/delete", {"name": "$P"}),
        DELETE("registered-models/delete", {}),
        rm(),
        run_mv(),
        get_rm(),
        DELETE("registered-models/delete", {"name": "$P"}, prefix="ajax-api"),
        get_rm(),
        POST("registered-models/delete", {"name": "$P"}, compare=STATUS, reason=HTML_PAGE),
    ]),

    # ---------------- registered model tags ----------------
    Case("rm_tags", [
        rm(),
        POST("registered-models/set-tag", {"name": "$P", "key": "k1", "value": "v1"}),
        POST("registered-models/set-tag", {"name": "$P", "key": "k2", "value": "v2"}),
        POST("registered-models/set-tag", {"name": "$P", "key": "k1", "value": "v1b"}),
        POST("registered-models/set-tag", {"name": "$P", "key": "novalue"}),
        get_rm(),
        DELETE("registered-models/delete-tag", {"name": "$P", "key": "k2"}),
        DELETE("registered-models/delete-tag", {"name": "$P", "key": "k2"}),
        DELETE("registered-models/delete-tag", {"name": "$P", "key": "never"}),
        get_rm(),
        POST("registered-models/set-tag", {"name": "$P-nope", "key": "k", "value": "v"}),
        DELETE("registered-models/delete-tag", {"name": "$P-nope", "key": "k"}),
        POST("registered-models/set-tag", {"name": "$P", "key": "bad key!", "value": "v"}),
        POST("registered-models/set-tag", {"name": "$P", "key": "", "value": "v"}),
        POST("registered-models/set-tag", {"name": "$P", "value": "v"}),
        POST("registered-models/set-tag", {"name": "$P", "key": "k" * 251, "value": "v"}),
        POST("registered-models/set-tag", {"name": "$P", "key": "big", "value": "v" * 100_001}),
        # registered_model_tags.value is VARCHAR(5000): PostgreSQL refuses a longer value with
        # 400 BAD_REQUEST (driver text), SQLite stores it.
        POST("registered-models/set-tag", {"name": "$P", "key": "big", "value": "v" * 100_000},
             compare=NO_MESSAGE, reason=SQL_TEXT),
        DELETE("registered-models/delete-tag", {"name": "$P", "key": "bad key!"}),
        DELETE("registered-models/delete-tag", {"name": "$P"}),
        POST("registered-models/set-tag", {"key": "k", "value": "v"}),
        get_rm(),
    ]),

    # ---------------- model versions: create, get, update, delete ----------------
    Case("mv_create_get", [
        *run_setup(),
        rm(),
        run_mv(),
        run_mv(tags=[{"key": "t1", "value": "a"}, {"key": "t2", "value": "b"}],
               description="second", run_link="http://example.com/run"),
        get_mv("1"),
        get_mv("2"),
        get_rm(),
        mv("s3://bucket/path/model", tags=[{"key": "dup", "value": "1"},
                                            {"key": "dup", "value": "2"}]),
        get_mv("3"),
        GET("model-versions/get", {"name": "$P", "version": "3"}, prefix="ajax-api"),
        mv("s3://bucket/path/model", prefix="ajax-api"),
        search_mvs(),
    ]),
    Case("mv_create_errors", [
        *run_setup(),
        rm(),
        run_mv("$P-nope"),
        mv("s3://b/p", name=""),
        POST("model-versions/create", {"source": "s3://b/p"}),
        POST("model-versions/create", {"name": "$P"}),
        mv(""),
        mv("s3://b/p", tags=[{"key": "bad!", "value": "v"}]),
        mv("s3://b/p", tags=[{"key": "k", "value": "v" * 100_001}]),
        mv("s3://b/p", tags="x"),
        mv("s3://b/p", run_id=5),
        mv("s3://b/p", run_id="0" * 32),
        mv("runs:/" + "0" * 32 + "/model", run_id="0" * 32),
        get_rm(),
        search_mvs(),
    ]),
    Case("mv_get_errors", [
        *run_setup(),
        rm(),
        run_mv(),
        get_mv("2"),
        get_mv("0"),
        get_mv("-1"),
        get_mv("abc"),
        get_mv("1.5"),
        get_mv(""),
        get_mv("1", "$P-nope"),
        GET("model-versions/get", {"name": "$P"}),
        GET("model-versions/get", {"version": "1"}),
        get_mv(" 1"),
        get_mv("01"),
    ]),
    Case("mv_update", [
        *run_setup(),
        rm(),
        run_mv(description="orig"),
        PATCH("model-versions/update", {"name": "$P", "version": "1", "description": "new"}),
        get_mv("1"),
        PATCH("model-versions/update", {"name": "$P", "version": "1"}),
        get_mv("1"),
        PATCH("model-versions/update", {"name": "$P", "version": "1", "description": ""}),
        get_mv("1"),
        PATCH("model-versions/update", {"name": "$P", "version": "9", "description": "x"}),
        PATCH("model-versions/update", {"name": "$P", "version": "x", "description": "x"}),
        PATCH("model-versions/update", {"name": "$P-nope", "version": "1", "description": "x"}),
        PATCH("model-versions/update", {"version": "1", "description": "x"}),
        PATCH("model-versions/update", {"name": "$P", "version": 1, "description": "int"}),
        get_mv("1"),
        get_rm(),
    ]),
    Case("mv_delete", [
        *run_setup(),
        rm(),
        run_mv(),
        run_mv(),
        run_mv(),
        alias("two", "2"),
        alias("three", "3"),
        stage("2", "Production"),
        DELETE("model-versions/delete", {"name": "$P", "version": "2"}),
        get_mv("2"),
        get_rm(compare=UNORDERED, reason=LV_ORDER),
        GET("registered-models/alias", {"name": "$P", "alias": "two"}),
        POST("registered-models/get-latest-versions", {"name": "$P"}),
        search_mvs(),
        DELETE("model-versions/delete", {"name": "$P", "version": "2"}),
        run_mv(),  # version 4: numbers of deleted versions are not reused
        DELETE("model-versions/delete", {"name": "$P", "version": "4"}),
        run_mv(),
        DELETE("model-versions/delete", {"name": "$P", "version": "abc"}),
        DELETE("model-versions/delete", {"name": "$P-nope", "version": "1"}),
        DELETE("model-versions/delete", {"name": "$P"}),
        DELETE("model-versions/delete", {"name": "$P", "version": "1"}, prefix="ajax-api"),
        POST("model-versions/set-tag", {"name": "$P", "version": "1", "key": "k", "value": "v"}),
        stage("1", "Staging"),
        download_uri("1"),
        search_mvs(),
        get_rm(),
    ]),

    # ---------------- model version tags ----------------
    Case("mv_tags", [
        *run_setup(),
        rm(),
        run_mv(),
        POST("model-versions/set-tag", {"name": "$P", "version": "1", "key": "a", "value": "1"}),
        POST("model-versions/set-tag", {"name": "$P", "version": "1", "key": "b", "value": "2"}),
        POST("model-versions/set-tag", {"name": "$P", "version": "1", "key": "a", "value": "3"}),
        POST("model-versions/set-tag", {"name": "$P", "version": "1", "key": "e", "value": ""}),
        POST("model-versions/set-tag", {"name": "$P", "version": "1", "key": "novalue"}),
        get_mv("1"),
        DELETE("model-versions/delete-tag", {"name": "$P", "version": "1", "key": "b"}),
        DELETE("model-versions/delete-tag", {"name": "$P", "version": "1", "key": "b"}),
        get_mv("1"),
        POST("model-versions/set-tag", {"name": "$P", "version": "2", "key": "a", "value": "1"}),
        POST("model-versions/set-tag", {"name": "$P", "version": "z", "key": "a", "value": "1"}),
        POST("model-versions/set-tag", {"name": "$P-nope", "version": "1", "key": "a",
                                        "value": "1"}),
        POST("model-versions/set-tag", {"name": "$P", "version": "1", "key": "bad!",
                                        "value": "1"}),
        POST("model-versions/set-tag", {"name": "$P", "version": "1", "value": "1"}),
        POST("model-versions/set-tag", {"name": "$P", "version": "1", "key": "big",
                                        "value": "v" * 100_001}),
        DELETE("model-versions/delete-tag", {"name": "$P", "version": "2", "key": "a"}),
        DELETE("model-versions/delete-tag", {"name": "$P", "version": "1"}),
        DELETE("model-versions/delete-tag", {"name": "$P", "version": "1", "key": "bad!"}),
        POST("model-versions/set-tag", {"name": "$P", "version": "1", "key": "x", "value": "y"},
             prefix="ajax-api"),
        get_mv("1"),
        get_rm(),
    ]),

    # ---------------- stages ----------------
    Case("mv_transition_stage", [
        *run_setup(),
        rm(),
        run_mv(), run_mv(), run_mv(), run_mv(),
        stage("1", "Staging"),
        stage("2", "production"),
        stage("3", "STAGING"),
        get_rm(compare=UNORDERED, reason=LV_ORDER),
        stage("4", "Staging", archive=True),
        get_mv("1"),
        get_mv("3"),
        stage("1", "Production", archive=True),
        get_mv("2"),
        stage("2", "None"),
        stage("3", "archived"),
        stage("4", "Foo"),
        stage("4", ""),
        stage("4", "None", archive=True),
        stage("4", "Archived", archive=True),
        POST("model-versions/transition-stage", {"name": "$P", "version": "4",
                                                 "stage": "Production"}),
        POST("model-versions/transition-stage", {"name": "$P", "version": "4",
                                                 "stage": "Production",
                                                 "archive_existing_versions": "true"}),
        stage("9", "Staging"),
        stage("x", "Staging"),
        stage("1", "Staging", name="$P-nope"),
        POST("model-versions/transition-stage", {"name": "$P", "version": "1"}),
        search_mvs(order_by=["version_number ASC"]),
        get_rm(compare=UNORDERED, reason=LV_ORDER),
    ]),
    Case("get_latest_versions", [
        *run_setup(),
        rm(),
        POST("registered-models/get-latest-versions", {"name": "$P"}),
        run_mv(), run_mv(), run_mv(), run_mv(), run_mv(),
        POST("registered-models/get-latest-versions", {"name": "$P"}),
        stage("1", "Production"),
        stage("2", "Production"),
        stage("3", "Staging"),
        stage("4", "Archived"),
        alias("best", "2"),
        POST("registered-models/get-latest-versions", {"name": "$P"},
             compare=UNORDERED, reason=LV_ORDER),
        POST("registered-models/get-latest-versions", {"name": "$P", "stages": ["Production"]}),
        POST("registered-models/get-latest-versions", {"name": "$P", "stages": ["production"]}),
        POST("registered-models/get-latest-versions", {"name": "$P", "stages": ["None"]}),
        POST("registered-models/get-latest-versions", {"name": "$P", "stages": ["Archived"]}),
        POST("registered-models/get-latest-versions",
             {"name": "$P", "stages": ["Staging", "Production"]},
             compare=UNORDERED, reason=LV_ORDER),
        POST("registered-models/get-latest-versions", {"name": "$P", "stages": ["Foo"]}),
        POST("registered-models/get-latest-versions", {"name": "$P", "stages": []},
             compare=UNORDERED, reason=LV_ORDER),
        POST("registered-models/get-latest-versions", {"name": "$P", "stages": "Production"}),
        GET("registered-models/get-latest-versions", {"name": "$P", "stages": "Staging"}),
        GET("registered-models/get-latest-versions",
            query="name=$P&stages=Staging&stages=Production", compare=UNORDERED, reason=LV_ORDER),
        GET("registered-models/get-latest-versions", {"name": "$P"},
            compare=UNORDERED, reason=LV_ORDER),
        POST("registered-models/get-latest-versions", {"name": "$P-nope"}),
        POST("registered-models/get-latest-versions", {}),
        get_rm(compare=UNORDERED, reason=LV_ORDER),
        search_rms(compare=UNORDERED, reason=LV_ORDER),
    ]),
    Case("latest_versions_single_per_model", [
        # One version per stage at most one stage in use: the order question does not arise,
        # so these compare in full (incl. the aliases list order).
        *run_setup(),
        rm(),
        get_rm(),
        run_mv(),
        run_mv(),
        get_rm(),
        search_rms(),
        alias("zeta", "2"), alias("alpha", "2"), alias("mid", "1"),
        get_rm(),
        get_mv("2"),
        search_rms(),
        search_mvs(),
    ]),

    # ---------------- aliases ----------------
    Case("aliases", [
        *run_setup(),
        rm(),
        run_mv(), run_mv(), run_mv(),
        alias("champion", "1"),
        alias("challenger", "2"),
        alias("Mixed_Case-1", "2"),
        GET("registered-models/alias", {"name": "$P", "alias": "champion"}),
        GET("registered-models/alias", {"name": "$P", "alias": "challenger"}),
        get_mv("2"),
        get_rm(),
        alias("champion", "3"),  # moves
        GET("registered-models/alias", {"name": "$P", "alias": "champion"}),
        get_mv("1"),
        GET("registered-models/alias", {"name": "$P", "alias": "latest"}),
        GET("registered-models/alias", {"name": "$P", "alias": "LATEST"}),
        GET("registered-models/alias", {"name": "$P", "alias": "nope"}),
        GET("registered-models/alias", {"name": "$P", "alias": "mixed_case-1"}),
        GET("registered-models/alias", {"name": "$P-nope", "alias": "champion"}),
        GET("registered-models/alias", {"name": "$P", "alias": ""}),
        GET("registered-models/alias", {"name": "$P"}),
        DELETE("registered-models/alias", {"name": "$P", "alias": "challenger"}),
        DELETE("registered-models/alias", {"name": "$P", "alias": "challenger"}),
        DELETE("registered-models/alias", {"name": "$P-nope", "alias": "challenger"}),
        DELETE("registered-models/alias", {"name": "$P", "alias": "bad alias"}),
        get_rm(),
        POST("registered-models/alias", {"name": "$P", "alias": "x", "version": "ajax"},
             prefix="ajax-api"),
        POST("registered-models/alias", {"name": "$P", "alias": "y", "version": "2"},
             prefix="ajax-api"),
        get_mv("2"),
    ]),
    Case("alias_errors", [
        *run_setup(),
        rm(),
        run_mv(),
        alias("latest", "1"),
        alias("Latest", "1"),
        alias("v1", "1"),
        alias("V12", "1"),
        alias("v1x", "1"),
        alias("bad alias", "1"),
        alias("bad/alias", "1"),
        alias("", "1"),
        alias("a" * 256, "1"),
        alias("a" * 255, "1"),
        alias("ok", "2"),
        alias("ok", "x"),
        alias("ok", "1", name="$P-nope"),
        POST("registered-models/alias", {"name": "$P", "alias": "ok"}),
        POST("registered-models/alias", {"name": "$P", "version": "1"}),
        POST("registered-models/alias", {"name": "$P", "alias": "num", "version": 1}),
        get_rm(),
    ]),

    # ---------------- download URIs and sources of every kind ----------------
    Case("mv_sources_accepted", [
        *run_setup(),
        rm(),
        run_mv(),                                                         # 1 runs:/
        mv("mlflow-artifacts:/$exp/$run/artifacts/model", run_id="$run"),  # 2
        mv("s3://bucket/some/path/model"),                                 # 3
        mv("s3://bucket/some/path/model", run_id="$run"),                  # 4
        mv("gs://bucket/model"),                                           # 5
        mv("hdfs:/model"),                                                 # 6
        mv("dbfs:/databricks/model"),                                      # 7
        mv("models:/$P/1"),                                                # 8
        mv("models:/$P/1", run_id="$run"),                                 # 9
        alias("champ", "3"),
        mv("models:/$P@champ"),                                            # 10
        mv("models:/$P/latest"),                                           # 11
        *[download_uri(str(v)) for v in range(1, 12)],
        search_mvs(order_by=["version_number ASC"]),
        get_rm(),
    ]),
    Case("mv_sources_refused", [
        *run_setup(),
        new_run("r2"),
        rm(),
        mv("runs:/$run/model"),                       # run_id missing
        mv("runs:/$run/model", run_id="$r2"),          # run_id mismatch
        mv("runs://host/$run/model", run_id="$run"),
        mv("runs:/$run/../$r2/model", run_id="$run"),
        mv("mlflow-artifacts:/$exp/$run/artifacts/model"),  # needs run_id
        mv("mlflow-artifacts:/$exp/$r2/artifacts/model", run_id="$run"),  # outside the run
        mv("mlflow-artifacts:/$exp/$run/artifacts/../../$r2/artifacts", run_id="$run"),
        mv("mlflow-artifacts:/$exp/$run/artifacts/model", run_id="0" * 32),
        mv("mlflow-artifacts://otherhost/$exp/$run/artifacts/model", run_id="$run"),
        mv("http://example.com/model"),
        mv("https://example.com/api/2.0/mlflow-artifacts/artifacts/$exp/$run/artifacts",
           run_id="$run"),
        mv("ftp://example.com/model"),
        mv("sftp://example.com/model"),
        mv("models:/$P-nope/1"),
        mv("models:/$P/99"),
        mv("models://host/$P/1"),
        mv("models:/not a valid uri"),
        mv("/tmp/some/local/path"),
        mv("file:///tmp/some/local/path"),
        mv("relative/path"),
        mv("./relative"),
        mv("/tmp/some/local/path", run_id="$run"),
        mv("file://localhost/tmp/x", run_id="$run"),
        mv("file://remotehost/tmp/x", run_id="$run"),
        mv("dummy-source"),
        mv("prompt-template"),
        mv("s3://bucket/model", tags=[PROMPT_TAG]),
        get_rm(),
        search_mvs(),
    ]),
    Case("mv_source_logged_model", [
        *run_setup(),
        logged_model("m"),
        logged_model("m2"),
        rm(),
        mv("models:/$m", model_id="$m"),                  # 1
        mv("models:/$m"),                                 # 2: model_id missing
        mv("models:/$m", model_id="$m2"),                 # mismatch
        mv("mlflow-artifacts:/$exp/models/$m/artifacts", model_id="$m"),  # 3
        mv("mlflow-artifacts:/$exp/models/$m2/artifacts", model_id="$m"),
        mv("runs:/$run/model", model_id="$m"),
        mv("s3://bucket/model", model_id="$m"),
        mv("models:/m-" + "0" * 32, model_id="m-" + "0" * 32),
        get_mv("1"),
        download_uri("1"),
        download_uri("2"),
        search_mvs(order_by=["version_number ASC"]),
        GET("logged-models/$m"),
    ]),
    Case("mv_source_local_run_root", [
        # An experiment whose artifact root is a local directory: MLflow accepts a local source
        # only inside the run's artifact directory, and only with that run's id.
        POST("experiments/create", {"name": "$P", "artifact_location":
                                    "/tmp/mlflowd-e2e-registry-root/$P"},
             save={"exp": "experiment_id"}),
        new_run(),
        new_run("r2"),
        rm(),
        mv("/tmp/mlflowd-e2e-registry-root/$P/$run/artifacts/model", run_id="$run"),
        mv("file:///tmp/mlflowd-e2e-registry-root/$P/$run/artifacts/model", run_id="$run"),
        mv("/tmp/mlflowd-e2e-registry-root/$P/$run/artifacts", run_id="$run"),
        mv("/tmp/mlflowd-e2e-registry-root/$P/$run/artifacts/model"),
        mv("/tmp/mlflowd-e2e-registry-root/$P/$run/artifacts/model", run_id="$r2"),
        mv("/tmp/mlflowd-e2e-registry-root/$P/$run", run_id="$run"),
        mv("/tmp/mlflowd-e2e-registry-root/$P/$run/artifacts/../../$r2/artifacts",
           run_id="$run"),
        mv("/tmp/mlflowd-e2e-registry-root/$P/$run/artifacts/../../../../../etc",
           run_id="$run"),
        mv("runs:/$run/model", run_id="$run"),
        download_uri("1"),
        download_uri("2"),
        search_mvs(order_by=["version_number ASC"]),
    ]),
    Case("a10_sources_default_root", [
        *run_setup(),
        rm(),
        *a10_steps(),
        get_rm(),
        search_mvs(),
    ]),
    Case("a10_sources_file_root", [
        POST("experiments/create", {"name": "$P", "artifact_location": "file:///etc/"},
             save={"exp": "experiment_id"}),
        new_run(),
        rm(),
        *a10_steps(),
        mv("file:///etc/$run/artifacts/../../passwd", run_id="$run"),
        mv("/etc/$run/artifacts/%2e%2e/%2e%2e/passwd", run_id="$run"),
        get_rm(),
        search_mvs(),
    ]),
    Case("mv_download_uri_errors", [
        *run_setup(),
        rm(),
        run_mv(),
        download_uri("2"),
        download_uri("x"),
        download_uri("1", "$P-nope"),
        GET("model-versions/get-download-uri", {"name": "$P"}),
        GET("model-versions/get-download-uri", {}),
        GET("model-versions/get-download-uri", {"name": "$P", "version": "1"},
            prefix="ajax-api"),
    ]),

    # ---------------- the UI's download: /model-versions/get-artifact ----------------
    Case("mv_get_artifact", [
        *run_setup(),
        rm(),
        mv("mlflow-artifacts:/$exp/$run/artifacts/model", run_id="$run"),
        Step("PUT", "/api/2.0/mlflow-artifacts/artifacts/$exp/$run/artifacts/model/MLmodel",
             raw="flavors:\n  python_function: {}\n",
             headers={"Content-Type": "application/octet-stream"}, compare=STATUS,
             reason="the upload answer itself is covered by the artifact suites"),
        Step("PUT", "/api/2.0/mlflow-artifacts/artifacts/$exp/$run/artifacts/model/data/x.json",
             raw='{"a": 1}', headers={"Content-Type": "application/octet-stream"},
             compare=STATUS, reason="the upload answer itself is covered by the artifact suites"),
        GET("/model-versions/get-artifact", query="name=$P&version=1&path=MLmodel"),
        GET("/model-versions/get-artifact", query="path=data/x.json&name=$P&version=1"),
        GET("/model-versions/get-artifact", query="name=$P&version=1&path=data%2Fx.json"),
        GET("/model-versions/get-artifact", query="name=$P&version=1&path=MLmodel&presigned=true"),
        GET("/model-versions/get-artifact", query="name=$P&version=1&path=data", compare=NO_MESSAGE,
            reason=STORAGE_PATH),
        GET("/model-versions/get-artifact", query="name=$P&version=1&path=nope", compare=NO_MESSAGE,
            reason=STORAGE_PATH),
        GET("/model-versions/get-artifact", query="name=$P&version=2&path=MLmodel"),
        GET("/model-versions/get-artifact", query="name=$P-nope&version=1&path=MLmodel"),
        GET("/model-versions/get-artifact", query="name=$P&version=x&path=MLmodel"),
        GET("/model-versions/get-artifact", query="name=$P&version=1&path=../../../../etc/passwd"),
        GET("/model-versions/get-artifact", query="name=$P&version=1&path=/etc/passwd"),
        GET("/model-versions/get-artifact",
            query="name=$P&version=1&path=%252e%252e%252f%252e%252e%252fetc%252fpasswd"),
        GET("/model-versions/get-artifact", query="name=$P&version=1&path=a%23b"),
        GET("/model-versions/get-artifact", query="name=$P&version=1&path=", compare=NO_MESSAGE,
            reason=STORAGE_PATH),
        GET("/model-versions/get-artifact", query="name=$P&version=1", compare=STATUS,
            reason=HTML_PAGE),
        GET("/ajax-api/2.0/mlflow/model-versions/get-artifact",
            query="name=$P&version=1&path=MLmodel", compare=STATUS, reason=HTML_PAGE),
    ]),

    # ---------------- prompts: excluded from searches by default ----------------
    Case("prompt_exclusion", [
        rm("$P-model"),
        rm("$P-prompt", tags=[PROMPT_TAG]),
        rm("$P-notprompt", tags=[{"key": "mlflow.prompt.is_prompt", "value": "false"}]),
        mv("dummy-source", name="$P-prompt", tags=[PROMPT_TAG,
                                                   {"key": "mlflow.prompt.text",
                                                    "value": "Hi {{name}}"}]),
        mv("prompt-template", name="$P-prompt", tags=[PROMPT_TAG]),
        mv("s3://bucket/model", name="$P-model"),
        search_rms(),
        search_rms("name LIKE '$P%' AND tag.`mlflow.prompt.is_prompt` != 'true'"),
        search_rms("name LIKE '$P%' AND tags.`mlflow.prompt.is_prompt` = 'true'"),
        search_rms("name LIKE '$P%' AND tag.`mlflow.prompt.is_prompt` = 'TRUE'"),
        search_rms("name LIKE '$P%' AND tag.`mlflow.prompt.is_prompt` != 'false'"),
        search_rms("name LIKE '$P%' AND tag.`mlflow.prompt.is_prompt` = 'false'"),
        search_rms("name LIKE '$P%' AND tag.`mlflow.prompt.is_prompt` LIKE 't%'"),
        search_mvs(),
        search_mvs("name LIKE '$P%' AND tags.`mlflow.prompt.is_prompt` = 'true'"),
        search_mvs("name LIKE '$P%' AND tag.`mlflow.prompt.is_prompt` != 'true'"),
        get_rm("$P-prompt"),
        get_mv("1", "$P-prompt"),
        POST("registered-models/create", {"name": "$P-prompt"}),
        POST("registered-models/create", {"name": "$P-model", "tags": [PROMPT_TAG]}),
        POST("registered-models/create", {"name": "$P-prompt", "tags": [PROMPT_TAG]}),
        mv("s3://bucket/model", name="$P-prompt"),
        mv("models:/$P-prompt/1", name="$P-model"),
    ]),

    # ---------------- search registered models ----------------
    Case("search_rms_filters", [
        rm("$P-alpha", tags=[{"key": "team", "value": "red"}, {"key": "tier", "value": "1"}]),
        rm("$P-Beta", tags=[{"key": "team", "value": "blue"}]),
        rm("$P-gamma", tags=[{"key": "team", "value": "RED"}, {"key": "tier", "value": "2"}]),
        rm("$P-delta_x"),
        search_rms(),
        search_rms("name = '$P-alpha'"),
        search_rms("name != '$P-alpha' AND name LIKE '$P%'"),
        search_rms("name LIKE '$P-%a'"),
        search_rms("name ILIKE '$P-b%'"),
        search_rms("name LIKE '$P-b%'"),
        search_rms("name LIKE '$P-delta\\_x'"),
        search_rms("name LIKE '$P-delta_x'"),
        search_rms("name IN ('$P-alpha', '$P-gamma')"),
        search_rms("name NOT IN ('$P-alpha') AND name LIKE '$P%'"),
        search_rms("attribute.name = '$P-alpha'"),
        search_rms("`name` = '$P-alpha'"),
        search_rms("name = \"$P-alpha\""),
        search_rms("name LIKE '$P%' AND tags.team = 'red'"),
        search_rms("name LIKE '$P%' AND tag.team ILIKE 'red'"),
        search_rms("name LIKE '$P%' AND tags.team != 'red'"),
        search_rms("name LIKE '$P%' AND tags.team LIKE 'b%'"),
        search_rms("name LIKE '$P%' AND tags.`team` = 'red' AND tags.tier = '1'"),
        search_rms("name LIKE '$P%' AND tags.tier = '1' AND tags.tier = '2'"),
        search_rms("name LIKE '$P%' AND tags.nothere = 'x'"),
        search_rms("name = '$P-nope'"),
    ]),
    Case("search_rms_errors", [
        rm("$P-a"),
        search_rms("name = $P-a"),
        search_rms("name > '$P'"),
        search_rms("name LIKE '$P%' OR name = 'x'"),
        search_rms("description = 'x'"),
        search_rms("creation_timestamp > 0"),
        search_rms("run_id = 'x'"),
        search_rms("params.a = '1'"),
        search_rms("tags.team IN ('a')"),
        search_rms("tags.team > 'a'"),
        search_rms("tags.team = 1"),
        search_rms("name IN ()"),
        search_rms("name ="),
        search_rms("'$P-a' = name"),
        search_rms("name LIKE '$P%'", max_results=0),
        search_rms("name LIKE '$P%'", max_results=-1),
        search_rms("name LIKE '$P%'", max_results=1001),
        search_rms("name LIKE '$P%'", max_results=1000),
        search_rms("name LIKE '$P%'", max_results="abc"),
        search_rms("name LIKE '$P%'", page_token="not-a-token"),
        search_rms("name LIKE '$P%'", page_token="eyJub3Rfb2Zmc2V0IjogMX0="),
        search_rms("name LIKE '$P%'", page_token="eyJvZmZzZXQiOiAiYSJ9"),
        search_rms("name LIKE '$P%'", order_by="bogus"),
        search_rms("name LIKE '$P%'", order_by="name SIDEWAYS"),
        search_rms("name LIKE '$P%'", order_by="creation_timestamp DESC"),
        search_rms("name LIKE '$P%'", order_by=["name", "name DESC"]),
        search_rms("name LIKE '$P%'", order_by=["timestamp", "last_updated_timestamp"]),
        search_rms("name LIKE '$P%'", order_by="tags.x"),
        POST("registered-models/search", {"filter": "name LIKE '$P%'"},
             compare=STATUS, reason=HTML_PAGE),
    ]),
    Case("search_rms_order_and_pages", [
        rm("$P-c"), rm("$P-a"), rm("$P-d"), rm("$P-b"), rm("$P-e"),
        PATCH("registered-models/update", {"name": "$P-a", "description": "touch"}),
        search_rms(),
        search_rms(order_by="name DESC"),
        search_rms(order_by="name ASC"),
        search_rms(order_by="`name` desc"),
        search_rms(order_by="last_updated_timestamp DESC"),
        search_rms(order_by=["timestamp ASC", "name DESC"]),
        search_rms(max_results=2, save={"t1": "next_page_token"}),
        search_rms(max_results=2, page_token="$t1", save={"t2": "next_page_token"}),
        search_rms(max_results=2, page_token="$t2"),
        search_rms(max_results=5),
        search_rms(max_results=4),
        search_rms(max_results=2, order_by="name DESC", page_token="$t1"),
        search_rms(max_results=2, page_token="eyJvZmZzZXQiOiAxMDB9"),
        search_rms(max_results=1, page_token="eyJvZmZzZXQiOiAzfQ=="),
        search_rms(page_token=""),
        search_rms(prefix="ajax-api", max_results=3),
        GET("registered-models/search",
            query="filter=name+LIKE+%27$P%25%27&max_results=2&order_by=name+DESC"),
        GET("registered-models/search",
            query="filter=name+LIKE+%27$P%25%27&order_by=name+DESC&order_by=timestamp"),
    ]),

    # ---------------- search model versions ----------------
    Case("search_mvs_filters", [
        *run_setup(),
        new_run("r2"),
        rm("$P-a"),
        rm("$P-b"),
        run_mv("$P-a"),                                              # a/1
        run_mv("$P-a", "$r2", tags=[{"key": "t", "value": "x"}]),    # a/2
        mv("s3://bucket/path/one", "$P-a", tags=[{"key": "t", "value": "y"}]),  # a/3
        run_mv("$P-b", "$r2"),                                       # b/1
        mv("s3://bucket/other/two", "$P-b"),                         # b/2
        search_mvs(),
        search_mvs("name = '$P-a'"),
        search_mvs("name LIKE '$P%' AND run_id = '$run'"),
        search_mvs("name LIKE '$P%' AND run_id = '$r2'"),
        search_mvs("run_id IN ('$run', '$r2') AND name LIKE '$P%'"),
        search_mvs("name LIKE '$P%' AND run_id != '$run'"),
        search_mvs("name IN ('$P-b') AND version_number = 2"),
        search_mvs("name = '$P-a' AND version_number > 1"),
        search_mvs("name = '$P-a' AND version_number >= 2 AND version_number < 3"),
        search_mvs("name = '$P-a' AND version_number != 2"),
        search_mvs("name = '$P-a' AND version_number = '2'"),
        search_mvs("name LIKE '$P%' AND source_path = 's3://bucket/path/one'"),
        search_mvs("name LIKE '$P%' AND source_path LIKE 's3://bucket/%'"),
        search_mvs("name LIKE '$P%' AND source_path ILIKE 'S3://BUCKET/OTHER%'"),
        search_mvs("name LIKE '$P%' AND tags.t = 'x'"),
        search_mvs("name LIKE '$P%' AND tag.t != 'x'"),
        search_mvs("name LIKE '$P%' AND tags.t LIKE '%'"),
        search_mvs("name LIKE '$P%' AND tags.nothere = 'x'"),
        search_mvs("name ILIKE '$P-A'"),
        search_mvs("name = '$P-nope'"),
        search_mvs("name = '$P-a' AND creation_timestamp > 0"),
        search_mvs("name = '$P-a' AND last_updated_timestamp > 0"),
        search_mvs("name = '$P-a'", prefix="ajax-api"),
    ]),
    Case("search_mvs_errors", [
        rm(),
        mv("s3://b/p"),
        search_mvs("name = '$P' AND current_stage = 'None'"),
        search_mvs("name = '$P' AND version_number = 'abc'"),
        search_mvs("name = '$P' AND version_number = 1.5"),
        search_mvs("name = '$P' AND version_number LIKE '1'"),
        search_mvs("name = '$P' AND source_path IN ('s3://b/p')"),
        search_mvs("name = '$P' AND run_id > 'a'"),
        search_mvs("name = '$P' OR name = 'x'"),
        search_mvs("name = '$P' AND tags.t IN ('a')"),
        search_mvs("name = '$P' AND params.p = '1'"),
        search_mvs("name = '$P' AND description = 'x'"),
        search_mvs("name = $P"),
        search_mvs("name = '$P'", max_results=0),
        search_mvs("name = '$P'", max_results=200_001),
        search_mvs("name = '$P'", max_results=200_000),
        search_mvs("name = '$P'", max_results="x"),
        search_mvs("name = '$P'", page_token="garbage!"),
        search_mvs("name = '$P'", order_by="current_stage"),
        search_mvs("name = '$P'", order_by="run_id ASC"),
        search_mvs("name = '$P'", order_by=["name", "name DESC"]),
        search_mvs("name = '$P'", order_by="version_number SIDEWAYS"),
        POST("model-versions/search", {"filter": "name = '$P'"},
             compare=STATUS, reason=HTML_PAGE),
    ]),
    Case("search_mvs_order_and_pages", [
        *run_setup(),
        rm("$P-x"),
        rm("$P-y"),
        run_mv("$P-y"), run_mv("$P-x"), run_mv("$P-x"), run_mv("$P-y"), run_mv("$P-x"),
        stage("1", "Staging", name="$P-x"),
        search_mvs(),
        search_mvs(order_by="name ASC"),
        search_mvs(order_by=["name DESC", "version_number ASC"]),
        search_mvs(order_by="version_number ASC"),
        search_mvs(order_by="version_number DESC"),
        search_mvs(order_by="creation_timestamp ASC"),
        search_mvs(order_by=["last_updated_timestamp DESC"]),
        search_mvs(order_by="`version_number` DESC"),
        search_mvs(max_results=2, save={"t1": "next_page_token"}),
        search_mvs(max_results=2, page_token="$t1", save={"t2": "next_page_token"}),
        search_mvs(max_results=2, page_token="$t2"),
        search_mvs(max_results=5),
        search_mvs(max_results=3, order_by="name ASC", save={"u1": "next_page_token"}),
        search_mvs(max_results=3, order_by="name ASC", page_token="$u1"),
        GET("model-versions/search",
            query="filter=name+LIKE+%27$P%25%27&order_by=name+DESC&order_by=version_number+ASC"
                  "&max_results=4"),
    ]),

    # ---------------- request parsing ----------------
    Case("registry_request_parsing", [
        rm(),
        POST("registered-models/create", {"name": "$P-empty-tags", "tags": [],
                                          "description": "d"}),
        POST("registered-models/create", raw='"{\\"name\\": \\"$P-double\\"}"'),
        get_rm("$P-double"),
        POST("registered-models/create", raw="", headers={"Content-Type": "application/json"}),
        POST("registered-models/create", raw="{not json"),
        POST("registered-models/create", {"name": "$P-unknown-field", "bogus": 1}),
        POST("registered-models/create", {"name": "$P-charset"},
             headers={"Content-Type": "application/json; charset=utf-8"}),
        GET("registered-models/get", query="name=$P&bogus=1"),
        GET("registered-models/get", query=""),
        GET("model-versions/search", query="filter=name%3D%27$P%27&max_results=10"),
        PATCH("registered-models/update", raw='{"name": "$P", "description": "raw-patch"}',
              headers={"Content-Type": "text/plain"}),
        get_rm(),
    ]),
]
