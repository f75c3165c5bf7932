"""The UI-only endpoints every page of the official web UI calls (``ui-telemetry``, the
assistant's ``config``/``providers``, ``gateway-proxy``, ``users/current``) and the GenAI searches
of the experiment pages (``traces/search``, ``traces/metrics``, ``issues/search``,
``scorers/list``, ``datasets/search``, v2 ``GET traces``), compared with the reference server
3.17.2 on the same fresh data: status, Content-Type and body byte for byte, under every prefix
MLflow registers them (and 404 under the ones it does not), and with ``--artifacts-only``
(the UI routes keep answering, the searches answer MLflow's 503).

Where mlflowd deliberately answers otherwise (the assistant's provider list, trace writes, the
filter grammars it does not parse, Python crashes MLflow reports as 500), the test says what
each implementation answers, so the module passes in oracle mode (``MLFLOWD_BIN_IS_PYTHON=1``)
as well.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

import pytest
import requests

from conftest import mlflowd_is_python

EXP = "ui-support-active"
DELETED = "ui-support-deleted"
MISSING = "999999"


def _post(srv, path: str, body) -> requests.Response:
    return requests.post(f"{srv.base_url}{srv.prefix}{path}", json=body, timeout=60)


def _setup(srv) -> tuple[str, str]:
    """An active experiment and a deleted one (the same ids on both fresh databases)."""
    ids = []
    for name in (EXP, DELETED):
        r = _post(srv, "/api/2.0/mlflow/experiments/create", {"name": name})
        assert r.status_code == 200, r.text
        ids.append(r.json()["experiment_id"])
    r = _post(srv, "/api/2.0/mlflow/experiments/delete", {"experiment_id": ids[1]})
    assert r.status_code == 200, r.text
    return ids[0], ids[1]


@pytest.fixture(scope="module")
def servers(mlflowd, reference):
    ours, theirs = _setup(mlflowd), _setup(reference)
    assert ours == theirs, f"experiment ids differ: mlflowd {ours}, reference {theirs}"
    return mlflowd, reference, {"$A": ours[0], "$D": ours[1]}


def _subst(value, env: dict[str, str]):
    if isinstance(value, str):
        for k, v in env.items():
            value = value.replace(k, v)
        return value
    if isinstance(value, list):
        return [_subst(v, env) for v in value]
    if isinstance(value, dict):
        return {k: _subst(v, env) for k, v in value.items()}
    return value


def call(srv, method: str, path: str, body=None, env: dict[str, str] | None = None):
    """``body`` is the JSON body, or for GET the query (a dict; lists become repeated keys)."""
    env = env or {}
    url = f"{srv.base_url}{srv.prefix}{_subst(path, env)}"
    kwargs = {"timeout": 60}
    if method == "GET":
        kwargs["params"] = _subst(body, env)
    elif body is not None:
        kwargs["data"] = json.dumps(_subst(body, env))
        kwargs["headers"] = {"Content-Type": "application/json"}
    return requests.request(method, url, **kwargs)


# --------------------------------------------------------------------------------------------
# Byte-for-byte against the reference
# --------------------------------------------------------------------------------------------

BOTH = ("/api", "/ajax-api")
LOC = {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": "$A"}}
# The request the traces tab sends.
UI_TRACE_SEARCH = {"locations": [LOC], "filter": "attributes.timestamp_ms > 0",
                   "max_results": 25, "order_by": ["timestamp DESC"]}
METRICS = {"experiment_ids": ["$A"], "view_type": "TRACES", "metric_name": "trace_count",
           "aggregations": [{"aggregation_type": "COUNT"}]}


def metrics(**over):
    body = dict(METRICS)
    body.update(over)
    return {k: v for k, v in body.items() if v is not None}


# (id, method, path, body-or-query)
CASES: list[tuple[str, str, str, object]] = [
    # Every page.
    ("telemetry-get", "GET", "/ajax-api/3.0/mlflow/ui-telemetry", None),
    ("telemetry-post", "POST", "/ajax-api/3.0/mlflow/ui-telemetry",
     {"records": [{"event_name": "x", "timestamp_ns": 1, "params": {}, "installation_id": "i",
                   "session_id": "s"}]}),
    ("telemetry-post-empty", "POST", "/ajax-api/3.0/mlflow/ui-telemetry", {}),
    ("telemetry-api-404", "GET", "/api/3.0/mlflow/ui-telemetry", None),
    ("telemetry-put-405", "PUT", "/ajax-api/3.0/mlflow/ui-telemetry", {}),
    ("assistant-api-404", "GET", "/api/3.0/mlflow/assistant/config", None),
    ("assistant-config-post-404", "POST", "/ajax-api/3.0/mlflow/assistant/config", {}),
    ("assistant-providers-api-404", "GET", "/api/3.0/mlflow/assistant/providers", None),
    ("users-current-404", "GET", "/ajax-api/2.0/mlflow/users/current", None),
    ("users-current-api-404", "GET", "/api/2.0/mlflow/users/current", None),
    # Runs page.
    ("gateway-proxy-get", "GET", "/ajax-api/2.0/mlflow/gateway-proxy",
     {"gateway_path": "api/2.0/endpoints/"}),
    ("gateway-proxy-post", "POST", "/ajax-api/2.0/mlflow/gateway-proxy",
     {"gateway_path": "gateway/x/invocations", "json_data": {}}),
    ("gateway-proxy-api-404", "GET", "/api/2.0/mlflow/gateway-proxy", None),
    ("gateway-proxy-put-405", "PUT", "/ajax-api/2.0/mlflow/gateway-proxy", {}),
    # v3 searches exist under /api/3.0 only, not /api/2.0.
    ("issues-search-v2-prefix-404", "POST", "/api/2.0/mlflow/issues/search", {}),
    ("datasets-search-v2-prefix-404", "POST", "/ajax-api/2.0/mlflow/datasets/search", {}),
    ("scorers-list-v2-prefix-404", "GET", "/ajax-api/2.0/mlflow/scorers/list", None),
    ("scorers-list-post-405", "POST", "/api/3.0/mlflow/scorers/list", {}),
    ("v2-traces-put-405", "PUT", "/api/2.0/mlflow/traces", {}),
]
for p in BOTH:
    CASES += [
        (f"traces-search-ui{p}", "POST", f"{p}/3.0/mlflow/traces/search", UI_TRACE_SEARCH),
        (f"traces-search-empty-locations{p}", "POST", f"{p}/3.0/mlflow/traces/search",
         {"locations": []}),
        (f"traces-search-missing{p}", "POST", f"{p}/3.0/mlflow/traces/search",
         {"locations": [{**LOC, "mlflow_experiment": {"experiment_id": MISSING}}]}),
        (f"traces-metrics-count{p}", "POST", f"{p}/3.0/mlflow/traces/metrics", metrics()),
        (f"traces-metrics-buckets{p}", "POST", f"{p}/3.0/mlflow/traces/metrics",
         metrics(time_interval_seconds=3600, start_time_ms=0, end_time_ms=1900000000000)),
        (f"issues-search{p}", "POST", f"{p}/3.0/mlflow/issues/search",
         {"experiment_id": "$A", "include_trace_count": True}),
        (f"scorers-list{p}", "GET", f"{p}/3.0/mlflow/scorers/list", {"experiment_id": "$A"}),
        (f"datasets-search{p}", "POST", f"{p}/3.0/mlflow/datasets/search",
         {"experiment_ids": ["$A"], "max_results": 50, "order_by": ["created_time DESC"]}),
        (f"datasets-search-get{p}", "GET", f"{p}/3.0/mlflow/datasets/search",
         {"experiment_ids": "$A"}),
        (f"v2-traces{p}", "GET", f"{p}/2.0/mlflow/traces",
         {"experiment_ids": "$A", "max_results": "1"}),
    ]

TS = "/api/3.0/mlflow/traces/search"
TM = "/ajax-api/3.0/mlflow/traces/metrics"
CASES += [
    # traces/search: schema, max_results, locations, page token.
    ("ts-no-locations", "POST", TS, {}),
    ("ts-locations-not-list", "POST", TS, {"locations": "x"}),
    ("ts-max-0", "POST", TS, {"locations": [LOC], "max_results": 0}),
    ("ts-max-negative", "POST", TS, {"locations": [LOC], "max_results": -1}),
    ("ts-max-501", "POST", TS, {"locations": [LOC], "max_results": 501}),
    ("ts-max-500", "POST", TS, {"locations": [LOC], "max_results": 500}),
    ("ts-max-str", "POST", TS, {"locations": [LOC], "max_results": "x"}),
    ("ts-dotted-id", "POST", TS,
     {"locations": [{"mlflow_experiment": {"experiment_id": "cat.schema.table.x"}}]}),
    ("ts-bad-token", "POST", TS, {"locations": [LOC], "page_token": "bad"}),
    ("ts-other-location", "POST", TS, {"locations": [{"type": "INFERENCE_TABLE"}]}),
    ("ts-no-content-type", "POST", TS, None),
    # traces/metrics: the overview tab's queries and MLflow's parameter checks.
    ("tm-session-count", "POST", TM, metrics(metric_name="session_count")),
    ("tm-span-count", "POST", TM, metrics(view_type="SPANS", metric_name="span_count")),
    ("tm-assessment-count", "POST", TM,
     metrics(view_type="ASSESSMENTS", metric_name="assessment_count",
             dimensions=["assessment_name"])),
    ("tm-latency-percentile", "POST", TM,
     metrics(metric_name="latency", aggregations=[
         {"aggregation_type": "PERCENTILE", "percentile_value": 50},
         {"aggregation_type": "AVG"}])),
    ("tm-tokens-sum", "POST", TM,
     metrics(metric_name="total_tokens", aggregations=[{"aggregation_type": "SUM"}])),
    ("tm-cost-by-model", "POST", TM,
     metrics(view_type="SPANS", metric_name="total_cost",
             aggregations=[{"aggregation_type": "SUM"}], dimensions=["span_model_name"])),
    ("tm-count-by-status", "POST", TM, metrics(dimensions=["trace_status"])),
    ("tm-missing-experiment", "POST", TM, metrics(experiment_ids=[MISSING])),
    ("tm-no-experiments", "POST", TM, metrics(experiment_ids=[])),
    ("tm-view-by-number", "POST", TM, metrics(view_type=2, metric_name="span_count")),
    ("tm-unknown-view", "POST", TM, metrics(view_type="NOPE")),
    ("tm-default-aggregation", "POST", TM, metrics(aggregations=[{}])),
    ("tm-max-0", "POST", TM, metrics(max_results=0)),
    ("tm-zero-interval", "POST", TM, metrics(time_interval_seconds=0)),
    ("tm-bad-token-ignored", "POST", TM, metrics(page_token="bad")),
    ("tm-no-view", "POST", TM, metrics(view_type=None)),
    ("tm-no-metric", "POST", TM, metrics(metric_name=None)),
    ("tm-metric-not-str", "POST", TM, metrics(metric_name=5)),
    ("tm-no-aggregations", "POST", TM, metrics(aggregations=None)),
    ("tm-empty-aggregations", "POST", TM, metrics(aggregations=[])),
    ("tm-ids-not-list", "POST", TM, metrics(experiment_ids="1")),
    ("tm-bad-metric", "POST", TM, metrics(metric_name="bogus")),
    ("tm-bad-span-metric", "POST", TM, metrics(view_type="SPANS", metric_name="trace_count")),
    ("tm-bad-aggregation", "POST", TM,
     metrics(aggregations=[{"aggregation_type": "AVG"}, {"aggregation_type": "SUM"}])),
    ("tm-bad-dimension", "POST", TM,
     metrics(metric_name="latency", aggregations=[{"aggregation_type": "AVG"}],
             dimensions=["trace_status", "zzz", "a'b"])),
    ("tm-no-dimension-allowed", "POST", TM, metrics(metric_name="session_count",
                                                    dimensions=["trace_name"])),
    ("tm-interval-without-range", "POST", TM, metrics(time_interval_seconds=60)),
    ("tm-bad-experiment-id", "POST", TM, metrics(experiment_ids=["abc"])),
    # issues/search.
    ("is-all", "POST", "/api/3.0/mlflow/issues/search", {}),
    ("is-missing-experiment", "POST", "/api/3.0/mlflow/issues/search",
     {"experiment_id": MISSING, "max_results": 10}),
    ("is-max-0", "POST", "/api/3.0/mlflow/issues/search", {"max_results": 0}),
    ("is-max-big", "POST", "/api/3.0/mlflow/issues/search", {"max_results": 100000}),
    ("is-bad-token", "POST", "/api/3.0/mlflow/issues/search", {"page_token": "bad"}),
    ("is-bad-experiment", "POST", "/api/3.0/mlflow/issues/search", {"experiment_id": "abc"}),
    ("is-experiment-not-str", "POST", "/api/3.0/mlflow/issues/search", {"experiment_id": 5}),
    # scorers/list.
    ("sl-all", "GET", "/api/3.0/mlflow/scorers/list", None),
    ("sl-missing", "GET", "/api/3.0/mlflow/scorers/list", {"experiment_id": MISSING}),
    ("sl-deleted", "GET", "/api/3.0/mlflow/scorers/list", {"experiment_id": "$D"}),
    ("sl-bad-id", "GET", "/api/3.0/mlflow/scorers/list", {"experiment_id": "abc"}),
    ("sl-ids", "GET", "/api/3.0/mlflow/scorers/list",
     {"experiment_ids": ["$A", MISSING, "$D", "$A"]}),
    ("sl-ids-bad", "GET", "/api/3.0/mlflow/scorers/list", {"experiment_ids": ["$A", "abc"]}),
    ("sl-ids-invalid", "GET", "/api/3.0/mlflow/scorers/list", {"experiment_ids": ["a.b"]}),
    ("sl-ids-empty", "GET", "/api/3.0/mlflow/scorers/list", {"experiment_ids": ""}),
    ("sl-both", "GET", "/api/3.0/mlflow/scorers/list",
     {"experiment_id": "$A", "experiment_ids": "$A"}),
    ("sl-empty-id-and-ids", "GET", "/api/3.0/mlflow/scorers/list",
     {"experiment_id": "", "experiment_ids": "$A"}),
    # datasets/search.
    ("ds-all", "POST", "/api/3.0/mlflow/datasets/search", {}),
    ("ds-missing", "POST", "/api/3.0/mlflow/datasets/search", {"experiment_ids": [MISSING]}),
    ("ds-ids-not-list", "POST", "/api/3.0/mlflow/datasets/search", {"experiment_ids": "1"}),
    ("ds-max-0", "POST", "/api/3.0/mlflow/datasets/search", {"max_results": 0}),
    ("ds-max-negative", "POST", "/api/3.0/mlflow/datasets/search", {"max_results": -5}),
    ("ds-max-big", "POST", "/api/3.0/mlflow/datasets/search", {"max_results": 100000}),
    ("ds-bad-token", "POST", "/api/3.0/mlflow/datasets/search", {"page_token": "bad"}),
    ("ds-get-max", "GET", "/api/3.0/mlflow/datasets/search", {"max_results": "5"}),
    # v2 GET traces.
    ("v2-no-ids", "GET", "/api/2.0/mlflow/traces", None),
    ("v2-missing", "GET", "/api/2.0/mlflow/traces", {"experiment_ids": [MISSING, "$A"]}),
    ("v2-max-0", "GET", "/api/2.0/mlflow/traces", {"experiment_ids": "$A", "max_results": "0"}),
    ("v2-max-501", "GET", "/api/2.0/mlflow/traces",
     {"experiment_ids": "$A", "max_results": "501"}),
    ("v2-bad-token", "GET", "/api/2.0/mlflow/traces",
     {"experiment_ids": "$A", "page_token": "bad"}),
]


def _describe(r: requests.Response) -> tuple[int, str, str]:
    return r.status_code, r.headers.get("Content-Type", ""), r.text


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_same_answer_as_reference(servers, case):
    ours, ref, env = servers
    _, method, path, body = case
    got = _describe(call(ours, method, path, body, env))
    want = _describe(call(ref, method, path, body, env))
    assert got == want


def test_ui_answers_are_the_documented_ones(servers):
    """The fixed answers, spelled out (the table above only compares the two servers)."""
    ours, _, env = servers
    r = call(ours, "GET", "/ajax-api/3.0/mlflow/ui-telemetry")
    assert r.content == (b'{"disable_ui_events":[],"disable_ui_telemetry":true,'
                         b'"ui_rollout_percentage":0}\n')
    assert call(ours, "POST", "/ajax-api/3.0/mlflow/ui-telemetry", {}).content == \
        b'{"status":"disabled"}\n'
    r = call(ours, "GET", "/ajax-api/2.0/mlflow/gateway-proxy",
             {"gateway_path": "api/2.0/endpoints/"})
    assert (r.status_code, r.content) == (200, b'{"endpoints":[]}\n')
    r = call(ours, "POST", "/api/3.0/mlflow/traces/search", UI_TRACE_SEARCH, env)
    assert (r.status_code, r.json()) == (200, {})
    r = call(ours, "POST", "/ajax-api/3.0/mlflow/traces/metrics", metrics(), env)
    assert r.json() == {"data_points": [{"metric_name": "trace_count", "values": {"COUNT": 0.0}}]}
    r = call(ours, "POST", "/ajax-api/3.0/mlflow/issues/search", {"experiment_id": "$A"}, env)
    assert r.json() == {"next_page_token": ""}
    r = call(ours, "GET", "/ajax-api/2.0/mlflow/users/current")
    assert r.status_code == 404


# --------------------------------------------------------------------------------------------
# The assistant
# --------------------------------------------------------------------------------------------


def _assistant_configured_on_host() -> str | None:
    """What would make the reference's assistant answers differ from a bare host's."""
    if (Path.home() / ".mlflow" / "assistant" / "config.json").exists():
        return "~/.mlflow/assistant/config.json exists"
    for cli in ("claude", "codex"):
        if shutil.which(cli):
            return f"the {cli} CLI is installed"
    if os.environ.get("MLFLOW_ENABLE_ASSISTANT_SANDBOX", "").lower() in ("1", "true"):
        return "MLFLOW_ENABLE_ASSISTANT_SANDBOX is on"
    return None


@pytest.mark.parametrize("prefix", ["/ajax-api"])
def test_assistant_config_matches_reference(servers, prefix):
    """MLflow's answer on a host with no assistant set up; mlflowd always gives that one."""
    ours, ref, _ = servers
    path = f"{prefix}/3.0/mlflow/assistant/config"
    r = call(ours, "GET", path)
    if not mlflowd_is_python():
        assert (r.status_code, r.content) == (
            200, b'{"providers":{},"projects":{},"remote_access_allowed":false}')
    reason = _assistant_configured_on_host()
    if reason:
        pytest.skip(f"the reference's answer depends on this host: {reason}")
    assert _describe(r) == _describe(call(ref, "GET", path))


PROVIDER_KEYS = {"name", "display_name", "description", "available", "selected",
                 "requires_api_key", "has_api_key", "allows_remote_access",
                 "client_tool_delivery", "model_options"}


def test_assistant_providers_shape(servers):
    """A stand-in: MLflow lists its built-in providers and auto-selects Ollama (it never checks
    that Ollama runs), which makes the UI offer a chat; mlflowd runs no assistant and lists
    none. Both answers have the shape the UI reads (`providers[]`, `resolved`)."""
    ours, ref, _ = servers
    for srv in (ours, ref):
        r = call(srv, "GET", "/ajax-api/3.0/mlflow/assistant/providers")
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
        body = r.json()
        assert set(body) == {"providers", "resolved", "gateway_vendor_options"}, body
        assert isinstance(body["providers"], list)
        for p in body["providers"]:
            assert set(p) == PROVIDER_KEYS, p
        assert body["resolved"] is None or isinstance(body["resolved"], dict)
        assert isinstance(body["gateway_vendor_options"], dict)
        if srv.impl == "mlflowd":
            assert r.content == b'{"providers":[],"resolved":null,"gateway_vendor_options":{}}'


# --------------------------------------------------------------------------------------------
# Where mlflowd answers otherwise, on purpose
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method,path", [
    ("POST", "/api/2.0/mlflow/traces"),           # StartTrace (v2)
    ("POST", "/ajax-api/2.0/mlflow/traces"),
    ("POST", "/api/3.0/mlflow/traces"),           # StartTraceV3
    ("POST", "/api/3.0/mlflow/issues"),           # CreateIssue
    ("POST", "/api/3.0/mlflow/scorers/register"),
    ("POST", "/api/3.0/mlflow/datasets/create"),
    ("PUT", "/ajax-api/3.0/mlflow/assistant/config"),
])
def test_writes_stay_404(servers, method, path):
    """mlflowd writes no traces, issues, scorers, datasets or assistant settings: those routes
    are Werkzeug's 404, so nothing the searches above would find can be created through it."""
    ours, _, _ = servers
    if mlflowd_is_python():
        pytest.skip("MLflow implements these writes")
    r = call(ours, method, path, {})
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/html"), r.text


@pytest.mark.parametrize("path,body", [
    ("/api/3.0/mlflow/traces/search", {"locations": [LOC], "filter": "bogus filter"}),
    ("/api/3.0/mlflow/traces/search", {"locations": [LOC], "order_by": ["bogus"]}),
    ("/api/3.0/mlflow/datasets/search", {"filter_string": "bogus"}),
    ("/api/3.0/mlflow/issues/search", {"filter_string": "bogus"}),
    ("/ajax-api/3.0/mlflow/traces/metrics", metrics(filters=["bogus"])),
])
def test_filter_grammar_not_parsed(servers, path, body):
    """The trace, dataset and issue filter/order_by grammars are not ported: mlflowd accepts
    any filter and finds nothing, where MLflow refuses a malformed one."""
    ours, _, env = servers
    r = call(ours, "POST", path, body, env)
    if mlflowd_is_python():
        assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    else:
        assert r.status_code == 200, r.text


@pytest.mark.parametrize("path,body,message", [
    ("/api/3.0/mlflow/traces/search",
     {"locations": [{"mlflow_experiment": {"experiment_id": "abc"}}]},
     "invalid literal for int() with base 10: 'abc'"),
    ("/ajax-api/3.0/mlflow/traces/metrics",
     metrics(metric_name="latency", aggregations=[{"aggregation_type": "PERCENTILE"}]),
     "Percentile value is required for PERCENTILE aggregation"),
    ("/ajax-api/3.0/mlflow/traces/metrics",
     metrics(metric_name="latency",
             aggregations=[{"aggregation_type": "PERCENTILE", "percentile_value": 150}]),
     "Percentile value must be between 0 and 100, got 150.0"),
    ("/ajax-api/3.0/mlflow/traces/metrics",
     metrics(aggregations=[{"aggregation_type": "COUNT", "percentile_value": 5}]),
     "Percentile value is only allowed for PERCENTILE aggregation type, got COUNT"),
])
def test_python_crashes_are_client_errors(servers, path, body, message):
    """Where MLflow crashes on the input (500, which the client retries for minutes), mlflowd
    answers 400 INVALID_PARAMETER_VALUE with the same text."""
    ours, _, env = servers
    r = call(ours, "POST", path, body, env)
    if mlflowd_is_python():
        assert r.status_code == 500
    else:
        assert r.status_code == 400, r.text
        assert r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
        assert r.json()["message"] == message


# --------------------------------------------------------------------------------------------
# --artifacts-only
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def artifacts_only(e2e_tmp):
    from test_artifact_server_modes import artifact_server

    workdir = Path(e2e_tmp) / f"ui-artifacts-only-{secrets.token_hex(3)}"
    srv = artifact_server(workdir, "ui-artifacts-only",
                          ["--artifacts-only", "--artifacts-destination", str(workdir / "dest")])
    srv.start()
    yield srv
    srv.stop()


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/ajax-api/3.0/mlflow/ui-telemetry",
     b'{"disable_ui_events":[],"disable_ui_telemetry":true,"ui_rollout_percentage":0}\n'),
    ("POST", "/ajax-api/3.0/mlflow/ui-telemetry", b'{"status":"disabled"}\n'),
    ("GET", "/ajax-api/2.0/mlflow/gateway-proxy", b'{"endpoints":[]}\n'),
])
def test_artifacts_only_keeps_ui_routes(artifacts_only, method, path, body):
    """MLflow does not disable these in `--artifacts-only` mode (no `_disable_if_artifacts_only`)."""
    r = requests.request(method, artifacts_only.base_url + path, json={}, timeout=30)
    assert (r.status_code, r.content) == (200, body)


@pytest.mark.parametrize("method,path", [
    ("POST", "/api/3.0/mlflow/traces/search"),
    ("POST", "/ajax-api/3.0/mlflow/traces/metrics"),
    ("POST", "/api/3.0/mlflow/issues/search"),
    ("GET", "/ajax-api/3.0/mlflow/scorers/list"),
    ("POST", "/api/3.0/mlflow/datasets/search"),
    ("GET", "/ajax-api/2.0/mlflow/traces"),
])
def test_artifacts_only_disables_searches(artifacts_only, method, path):
    r = requests.request(method, artifacts_only.base_url + path, json={}, timeout=30)
    assert r.status_code == 503, (path, r.status_code, r.text[:300])
    assert r.text == (
        f"Endpoint: {path} disabled due to the mlflow server running in `--artifacts-only` "
        "mode. To enable tracking server functionality, run `mlflow server` without "
        "`--artifacts-only`"
    )
