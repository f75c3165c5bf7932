"""GraphQL (`POST <prefix>/graphql`): the web UI's operations, sent with their exact texts to
mlflowd and to the reference server after logging the same data into both; responses must be
equal once ids and server-side times are normalized.

The data: an experiment with tags; a run with params, a metric over several steps (one NaN), a
NaN-only metric, tags, a dataset input, a logged-model output and an artifact directory; a
second, finished run; a registered model version made from the first run.

MLflow's quirks are part of the contract and are compared like everything else: `apiError` is
never filled (a failing resolver gives a null field and its message in `errors`, HTTP 200), a
NaN point of `mlflowGetMetricHistoryBulkInterval` is an error entry (its `value` is a plain
Float), `runViewType` cannot be passed at all, unset proto fields read as `""`/`"0"`, and a query
that does not parse is Werkzeug's 500 page.
"""

from __future__ import annotations

import json
import math
import re
import secrets
from typing import Any

import pytest
import requests

from conftest import mlflowd_is_python

COMPONENT = '@component(name: "MLflow.ExperimentRunTracking")'

# The UI's operations, verbatim from the 3.17 bundle (§4.3 of the HTTP reference).
GET_EXPERIMENT = """
  query MlflowGetExperimentQuery($input: MlflowGetExperimentInput!) @component(name: "MLflow.ExperimentRunTracking") {
    mlflowGetExperiment(input: $input) {
      apiError { code message }
      experiment {
        artifactLocation creationTime effectiveTraceArchivalRetention experimentId
        lastUpdateTime lifecycleStage name
        tags { key value }
      }
    }
  }
"""

_RUN_FIELDS = """
        info { runName status runUuid experimentId artifactUri endTime lifecycleStage startTime userId }
        experiment { experimentId name tags { key value } artifactLocation lifecycleStage lastUpdateTime }
        %s
        data { metrics { key value step timestamp } params { key value } tags { key value } }
        inputs {
          datasetInputs { dataset { digest name profile schema source sourceType } tags { key value } }
          modelInputs { modelId }
        }
        outputs { modelOutputs { modelId step } }
"""

GET_RUN = """
  query GetRun($data: MlflowGetRunInput!) @component(name: "MLflow.ExperimentRunTracking") {
    mlflowGetRun(input: $data) {
      apiError { helpUrl code message }
      run { %s }
    }
  }
""" % (_RUN_FIELDS % "modelVersions { status version name source }")

SEARCH_RUNS = """
  query SearchRuns($data: MlflowSearchRunsInput!) {
    mlflowSearchRuns(input: $data) {
      apiError { helpUrl code message }
      runs { %s }
    }
  }
""" % (_RUN_FIELDS % "modelVersions { version name creationTimestamp status source }")

BULK_INTERVAL = """
  query GetMetricHistoryBulkInterval($data: MlflowGetMetricHistoryBulkIntervalInput!)
  @component(name: "MLflow.ExperimentRunTracking") {
    mlflowGetMetricHistoryBulkInterval(input: $data) {
      __typename
      metrics { timestamp step runId key value }
      apiError { code message }
    }
  }
"""


def with_typename(query: str) -> str:
    """What Apollo sends: `__typename` in every selection set below the operation's."""
    head, brace, body = query.partition("{")
    return head + brace + body.replace("{", "{ __typename")


# --------------------------------------------------------------------------------------------
# Data and normalization
# --------------------------------------------------------------------------------------------

T0 = 1_700_000_000_000
LOSS = [1.0, 0.5, "NaN", 0.25, 0.125]


def _ok(r: requests.Response) -> dict:
    assert r.status_code == 200, f"{r.request.method} {r.url} -> {r.status_code} {r.text[:500]}"
    return r.json()


def populate(srv, tag: str) -> dict[str, str]:
    """Logs the module's data through the REST API; returns the ids the server chose."""
    api = srv.api
    exp = _ok(api.post("experiments/create", {
        "name": f"graphql-{tag}", "tags": [{"key": "team", "value": "ml"},
                                           {"key": "note", "value": "é ✓"}]}))["experiment_id"]
    run = _ok(api.post("runs/create", {
        "experiment_id": exp, "run_name": "first", "start_time": T0, "user_id": "alice",
        "tags": [{"key": "t1", "value": "v1"}]}))["run"]["info"]["run_id"]
    metrics = [{"key": "loss", "value": v, "timestamp": T0 + i, "step": i}
               for i, v in enumerate(LOSS)]
    metrics.append({"key": "acc", "value": "NaN", "timestamp": T0 + 100, "step": 0})
    _ok(api.post("runs/log-batch", {
        "run_id": run, "metrics": metrics,
        "params": [{"key": "lr", "value": "0.1"}, {"key": "layers", "value": "3"}],
        "tags": [{"key": "mlflow.source.type", "value": "LOCAL"}]}))
    _ok(api.post("runs/log-inputs", {"run_id": run, "datasets": [{
        "tags": [{"key": "mlflow.data.context", "value": "training"}],
        "dataset": {"name": "iris", "digest": "d1g3st", "source_type": "local",
                    "source": '{"uri": "/data/iris.csv"}', "schema": '{"mlflow_colspec": []}',
                    "profile": '{"num_rows": 150}'}}]}))
    model_id = _ok(api.post("logged-models", {
        "experiment_id": exp, "name": "model", "source_run_id": run}))["model"]["info"]["model_id"]
    _ok(api.post("runs/outputs", {"run_id": run, "models": [{"model_id": model_id, "step": 4}]}))
    model_name = f"graphql-model-{tag}"
    _ok(api.post("registered-models/create", {"name": model_name}))
    _ok(api.post("model-versions/create", {
        "name": model_name, "source": f"runs:/{run}/model", "run_id": run}))
    for path in ("dir/a.txt", "b.txt"):
        r = requests.post(
            srv.base_url + "/ajax-api/2.0/mlflow/upload-artifact",
            params={"run_uuid": run, "path": path}, data=b"hello\n",
            headers={"Content-Type": "application/octet-stream"}, timeout=30)
        assert r.status_code == 200, r.text[:500]
    run2 = _ok(api.post("runs/create", {"experiment_id": exp, "start_time": T0 + 1}))
    run2 = run2["run"]["info"]["run_id"]
    _ok(api.post("runs/update", {"run_id": run2, "status": "FINISHED", "end_time": T0 + 9000}))
    return {"exp": exp, "run": run, "run2": run2, "model": model_id, "model_name": model_name,
            "tag": tag}


# Server-side "now" values (LongString, so strings).
TIME_KEYS = {"creationTime", "lastUpdateTime", "creationTimestamp", "lastUpdatedTimestamp"}
GENERATED_NAME = re.compile(r"^[a-z]+-[a-z]+-\d+$")


def normalize(body: Any, ids: dict[str, str]) -> Any:
    """Ids to placeholders, server times to `<now>`, and tag/param/metric lists sorted (the
    store's row order is not part of MLflow's contract, as in the REST differential tests)."""
    names: dict[str, str] = {}

    def text(s: str) -> str:
        for k in ("run2", "run", "model", "exp", "model_name", "tag"):
            if k == "exp":
                continue
            s = s.replace(ids[k], f"<{k}>")
        s = re.sub(rf"(?<=mlflow-artifacts:/){re.escape(ids['exp'])}(?=/|$)", "<exp>", s)
        if GENERATED_NAME.match(s):
            s = names.setdefault(s, f"<generated-name#{len(names) + 1}>")
        return s

    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            items = [walk(v, key) for v in node]
            if items and all(isinstance(i, dict) and "key" in i for i in items):
                items.sort(key=lambda i: json.dumps(i, sort_keys=True))
            return items
        if isinstance(node, str):
            if key in TIME_KEYS and node.isdigit() and int(node) > T0 + 10**9:
                return "<now>"
            if key == "experimentId" and node == ids["exp"]:
                return "<exp>"
            return text(node)
        return node

    return walk(body)


def gql(srv, query: str, variables: dict | None = None, *, path: str = "/graphql",
        params: dict | None = None, **kwargs) -> requests.Response:
    body = {"query": query, "variables": variables or {}}
    return requests.post(srv.base_url + srv.prefix + path, json=body, params=params,
                         timeout=60, **kwargs)


@pytest.fixture(scope="module")
def servers(reference, mlflowd):
    tag = secrets.token_hex(3)
    return [(reference, populate(reference, tag)), (mlflowd, populate(mlflowd, tag))]


def compare(servers, query: str, variables_for, **kwargs) -> list[Any]:
    """Sends one operation to both servers (variables built from each one's ids); asserts equal
    status, content type and normalized body; returns the two parsed bodies."""
    results = []
    for srv, ids in servers:
        r = gql(srv, query, variables_for(ids), **kwargs)
        body = r.json() if r.headers.get("Content-Type", "").startswith("application/json") \
            else r.text
        results.append((r.status_code, r.headers.get("Content-Type"), normalize(body, ids), body))
    (ref_status, ref_ct, ref_norm, _), (got_status, got_ct, got_norm, _) = results
    assert (got_status, got_ct) == (ref_status, ref_ct)
    assert got_norm == ref_norm, (
        f"\nreference: {json.dumps(ref_norm, indent=1)[:4000]}"
        f"\nmlflowd:   {json.dumps(got_norm, indent=1)[:4000]}")
    return [r[3] for r in results]


# --------------------------------------------------------------------------------------------
# The UI's operations
# --------------------------------------------------------------------------------------------

UI_OPERATIONS = {
    "get_experiment": (GET_EXPERIMENT, lambda ids: {"input": {"experimentId": ids["exp"]}}),
    "get_run": (GET_RUN, lambda ids: {"data": {"runId": ids["run"]}}),
    "get_finished_run": (GET_RUN, lambda ids: {"data": {"runId": ids["run2"]}}),
    "search_runs": (SEARCH_RUNS, lambda ids: {"data": {
        "filter": f"attributes.run_id = '{ids['run']}'", "experimentIds": [ids["exp"]]}}),
    "bulk_interval": (BULK_INTERVAL, lambda ids: {"data": {
        "runIds": [ids["run"], ids["run2"]], "metricKey": "loss", "startStep": None,
        "endStep": None, "maxResults": 320}}),
}


@pytest.mark.parametrize("typename", [False, True], ids=["plain", "apollo"])
@pytest.mark.parametrize("name", list(UI_OPERATIONS))
def test_ui_operation(servers, name, typename):
    query, variables = UI_OPERATIONS[name]
    compare(servers, with_typename(query) if typename else query, variables)


def test_get_run_shape(servers):
    """The wire details the UI relies on, spelled out (the comparison above proves equality)."""
    _, body = compare(servers, with_typename(GET_RUN), UI_OPERATIONS["get_run"][1])
    assert body["errors"] is None
    resp = body["data"]["mlflowGetRun"]
    assert resp["__typename"] == "MlflowGetRunResponse" and resp["apiError"] is None
    run = resp["run"]
    assert run["__typename"] == "MlflowRunExtension"
    assert run["info"]["status"] == "RUNNING" and run["info"]["endTime"] == "0"
    assert run["info"]["startTime"] == str(T0)
    metrics = {m["key"]: m for m in run["data"]["metrics"]}
    assert metrics["acc"]["value"] is None  # NaN
    assert metrics["loss"]["__typename"] == "MlflowMetricExtension"
    assert metrics["loss"]["step"] == "4" and metrics["loss"]["value"] == 0.125
    assert run["experiment"]["tags"] and run["modelVersions"][0]["status"] == "READY"
    assert run["outputs"]["modelOutputs"][0]["step"] == "4"


def test_bulk_interval_nan_is_an_error_entry(servers):
    _, body = compare(servers, BULK_INTERVAL, UI_OPERATIONS["bulk_interval"][1])
    values = [m["value"] for m in body["data"]["mlflowGetMetricHistoryBulkInterval"]["metrics"]]
    assert values[2] is None and not any(isinstance(v, float) and math.isnan(v) for v in values)
    assert body["errors"] == ["Float cannot represent non numeric value: nan"]


def test_bulk_interval_reads_the_url_arguments(servers):
    """`get_metric_history_bulk_interval_impl` reads max_results/start_step/end_step from the
    HTTP request's query string, not from the operation's input."""
    query = "query Q($d: MlflowGetMetricHistoryBulkIntervalInput!) " \
            "{ mlflowGetMetricHistoryBulkInterval(input: $d) { metrics { step value } } }"
    variables = lambda ids: {"d": {"runIds": [ids["run"]], "metricKey": "loss",
                                   "startStep": 3, "endStep": 4, "maxResults": 1}}
    _, body = compare(servers, query, variables)
    assert len(body["data"]["mlflowGetMetricHistoryBulkInterval"]["metrics"]) == len(LOSS)
    compare(servers, query, variables, params={"start_step": "3", "end_step": "4"})
    compare(servers, query, variables, params={"start_step": "4", "end_step": "3"})
    compare(servers, query, variables, params={"start_step": "4"})
    compare(servers, query, variables, params={"max_results": "x"})


OTHER_OPERATIONS = {
    "list_artifacts": (
        "query L($d: MlflowListArtifactsInput) { mlflowListArtifacts(input: $d) "
        "{ __typename rootUri nextPageToken apiError { code } files { path isDir fileSize } } }",
        lambda ids: {"d": {"runId": ids["run"]}}),
    "list_artifacts_dir": (
        "query L($d: MlflowListArtifactsInput) { mlflowListArtifacts(input: $d) "
        "{ rootUri files { path isDir fileSize } } }",
        lambda ids: {"d": {"runUuid": ids["run"], "path": "dir"}}),
    "list_artifacts_bad_path": (
        "query L($d: MlflowListArtifactsInput) { mlflowListArtifacts(input: $d) { rootUri } }",
        lambda ids: {"d": {"runId": ids["run"], "path": "../x"}}),
    "search_model_versions": (
        "query M($d: MlflowSearchModelVersionsInput) { mlflowSearchModelVersions(input: $d) "
        "{ __typename nextPageToken modelVersions { name version creationTimestamp "
        "lastUpdatedTimestamp userId currentStage description source runId status "
        "statusMessage tags { key value } runLink aliases modelId modelParams { name } "
        "modelMetrics { key } deploymentJobState { jobId runId jobState runState "
        "currentTaskName } __typename } } }",
        lambda ids: {"d": {"filter": f"name = '{ids['model_name']}'", "maxResults": "10"}}),
    "search_model_versions_bad_filter": (
        "{ mlflowSearchModelVersions(input: {filter: \"bad\"}) { modelVersions { name } } }",
        lambda ids: {}),
    "search_datasets_mutation": (
        "mutation D($d: MlflowSearchDatasetsInput) @component(name: \"x\") "
        "{ mlflowSearchDatasets(input: $d) { __typename datasetSummaries "
        "{ experimentId name digest context __typename } } }",
        lambda ids: {"d": {"experimentIds": [ids["exp"]]}}),
    "search_datasets_empty": (
        "mutation { mlflowSearchDatasets(input: {}) { datasetSummaries { name } } }",
        lambda ids: {}),
    "search_runs_mutation_paged": (
        "mutation S($d: MlflowSearchRunsInput) { mlflowSearchRuns(input: $d) "
        "{ nextPageToken runs { info { runName status } } } }",
        lambda ids: {"d": {"experimentIds": [ids["exp"]], "maxResults": 1,
                           "orderBy": ["attributes.start_time ASC"]}}),
    "search_runs_view_type": (
        "{ mlflowSearchRuns(input: {experimentIds: [\"0\"], runViewType: ALL}) "
        "{ runs { info { runId } } } }",
        lambda ids: {}),
    "search_runs_null_id": (
        "{ mlflowSearchRuns(input: {experimentIds: [\"0\", null]}) { runs { info { runId } } } }",
        lambda ids: {}),
    "search_runs_bad_filter": (
        "query S($d: MlflowSearchRunsInput) { mlflowSearchRuns(input: $d) { runs { info "
        "{ runId } } } }",
        lambda ids: {"d": {"experimentIds": [ids["exp"]], "filter": "bad filter ==="}}),
    "search_runs_max_results": (
        "{ mlflowSearchRuns(input: {experimentIds: [\"0\"], maxResults: 60000}) "
        "{ runs { info { runId } } } }",
        lambda ids: {}),
    "echo": ("{ test(inputString: \"hé\") { output __typename } }", lambda ids: {}),
    "echo_missing_argument": ("{ test { output } }", lambda ids: {}),
    "test_mutation": ("mutation { testMutation(inputString: \"x\") { output } }", lambda ids: {}),
    "typename": ("{ __typename }", lambda ids: {}),
    "missing_input": ("{ mlflowGetRun { run { info { runId } } } }", lambda ids: {}),
    "null_input": ("{ mlflowGetExperiment(input: null) { experiment { name } } }", lambda ids: {}),
    "bad_experiment_id": (
        "{ mlflowGetExperiment(input: {experimentId: \"abc\"}) { experiment { name } } }",
        lambda ids: {}),
    "two_roots_one_failing": (
        "query Q($r: String) { a: mlflowGetRun(input: {runId: $r}) { run { info { runName } } } "
        "b: mlflowGetRun(input: {runId: \"nope\"}) { run { info { runName } } } }",
        lambda ids: {"r": ids["run"]}),
}


@pytest.mark.parametrize("name", list(OTHER_OPERATIONS))
def test_other_operation(servers, name):
    query, variables = OTHER_OPERATIONS[name]
    compare(servers, query, variables)


_TYPE_REF = "type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"
INTROSPECTION = """{ __schema { queryType { name } mutationType { name } subscriptionType { name }
  types { kind name description
    fields(includeDeprecated: true) { name description isDeprecated
      args { name description defaultValue %s } %s }
    inputFields { name description defaultValue %s }
    enumValues(includeDeprecated: true) { name description isDeprecated }
    interfaces { name } possibleTypes { name } } } }""" % (_TYPE_REF, _TYPE_REF, _TYPE_REF)
BUILTIN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}


def test_schema_matches_mlflow(servers):
    """The schema MLflow's graphene builds, type by type (names, fields, arguments, nullability,
    descriptions, enum values, input defaults). Built-in scalars differ only in wording, and
    the directive list is not compared: MLflow lists only `@component`, async-graphql its
    built-ins (which mlflowd refuses in documents, as MLflow does)."""
    schemas = []
    for srv, _ in servers:
        body = _ok(requests.post(srv.base_url + "/graphql", json={"query": INTROSPECTION},
                                 timeout=60))
        assert body["errors"] is None
        schema = body["data"]["__schema"]
        types = {t["name"]: t for t in schema.pop("types") if not t["name"].startswith("__")}
        for name in BUILTIN_SCALARS & set(types):
            types[name] = {"kind": types[name]["kind"]}
        types.pop("ID", None)
        schemas.append((schema, types))
    (ref_roots, ref_types), (got_roots, got_types) = schemas
    assert got_roots == ref_roots
    assert sorted(got_types) == sorted(ref_types)
    for name, ref in ref_types.items():
        assert got_types[name] == ref, name


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


def test_unknown_run_is_an_error_entry(servers):
    bodies = compare(servers, GET_RUN, lambda ids: {"data": {"runId": "0" * 32}})
    assert bodies[1] == {"data": {"mlflowGetRun": None},
                         "errors": [f"Run with id={'0' * 32} not found"]}


def test_unknown_experiment_is_an_error_entry(servers):
    bodies = compare(servers, GET_EXPERIMENT, lambda ids: {"input": {"experimentId": "987654"}})
    assert bodies[1]["errors"] == ["No Experiment with id=987654 exists"]


VALIDATION_ERRORS = {
    "unknown_field": "{ test(inputString: \"a\") { outptu } }",
    "unknown_field_suggestions": "{ mlflowGetRun(input: {}) { run { infos { runId } } } }",
    "query_only_on_mutation": "{ mlflowSearchDatasets(input: {}) { datasetSummaries { name } } }",
    "unknown_argument": "{ test(inputstring: \"a\") { output } }",
    "unknown_input_field": "{ mlflowGetRun(input: {runid: \"x\"}) { run { info { runId } } } }",
    "needs_subfields": "{ test(inputString: \"a\") }",
    "no_subfields": "{ test(inputString: \"a\") { output { x } } }",
    "unused_fragment": "{ test(inputString: \"a\") { output } } fragment F on Test { output }",
    "unknown_directive": "{ test(inputString: \"a\") @skip(if: true) { output } }",
    "component_on_field": "{ test(inputString: \"a\") @component(name: \"x\") { output } }",
    "component_without_name": "query @component { test(inputString: \"a\") { output } }",
    "missing_variable": "query Q($d: MlflowGetRunInput!) { mlflowGetRun(input: $d) "
                        "{ run { info { runId } } } }",
    "undefined_variable": "query Q { mlflowGetRun(input: $d) { run { info { runId } } } }",
    "subscription": "subscription { __typename }",
    "duplicate_operation": "query A { __typename } query A { __typename }",
}


@pytest.mark.parametrize("name", list(VALIDATION_ERRORS))
def test_validation_error(servers, name):
    bodies = compare(servers, VALIDATION_ERRORS[name], lambda ids: {})
    assert bodies[1]["data"] is None and bodies[1]["errors"]


def test_operation_selection(servers):
    two = "query A { a: test(inputString: \"a\") { output } } " \
          "query B { b: test(inputString: \"b\") { output } }"
    for extra in ({}, {"operationName": "B"}, {"operationName": "C"}, {"operationName": 5}):
        results = []
        for srv, _ in servers:
            r = requests.post(srv.base_url + "/graphql", json={"query": two, **extra}, timeout=30)
            results.append((r.status_code, r.json()))
        assert results[1] == results[0], extra


# Raw requests: (body bytes, headers, method).
RAW_REQUESTS = {
    "syntax_error": (b'{"query": "query { mlflowGetRun("}', {"Content-Type": "application/json"},
                     "POST"),
    "empty_query": (b'{"query": ""}', {"Content-Type": "application/json"}, "POST"),
    "no_query": (b'{}', {"Content-Type": "application/json"}, "POST"),
    "not_json": (b"query { __typename }", {"Content-Type": "application/json"}, "POST"),
    "json_list": (b"[1]", {"Content-Type": "application/json"}, "POST"),
    "variables_list": (b'{"query": "{ __typename }", "variables": [1]}',
                       {"Content-Type": "application/json"}, "POST"),
    "wrong_content_type": (b'{"query": "{ __typename }"}', {"Content-Type": "text/plain"},
                           "POST"),
    "get_with_body": (b'{"query": "{ __typename }"}', {}, "GET"),
    "get_without_body": (b"", {}, "GET"),
    "put": (b'{"query": "{ __typename }"}', {"Content-Type": "application/json"}, "PUT"),
}


@pytest.mark.parametrize("name", list(RAW_REQUESTS))
def test_raw_request(servers, name):
    body, headers, method = RAW_REQUESTS[name]
    results = []
    for srv, _ in servers:
        r = requests.request(method, srv.base_url + "/graphql", data=body, headers=headers,
                             timeout=30)
        ctype = r.headers.get("Content-Type", "")
        payload = r.json() if ctype.startswith("application/json") else None
        results.append((r.status_code, ctype, payload))
    assert results[1] == results[0]
    if name == "syntax_error":
        assert results[0][:2] == (500, "text/html; charset=utf-8")


LIMITS = {
    "root_fields": ("{ %s }" % " ".join(f'a{i}: test(inputString: "x") {{ output }}'
                                        for i in range(11)),
                    "GraphQL queries should have at most 10 root fields, got 11 root fields. "
                    "To increase the limit, set the MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS "
                    "environment variable."),
    "batched_same_field": ("{ %s }" % " ".join('test(inputString: "x") { output }'
                                               for _ in range(11)),
                           "GraphQL queries should have at most 10 root fields, got 11 root "
                           "fields. To increase the limit, set the "
                           "MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS environment variable."),
    "aliases": ('{ test(inputString: "x") { %s } }' % " ".join(f"o{i}: output"
                                                               for i in range(11)),
                "GraphQL queries should have at most 10 aliases, got 11 aliases. To increase "
                "the limit, set the MLFLOW_SERVER_GRAPHQL_MAX_ALIASES environment variable."),
    "aliases_in_fragments": (
        '{ test(inputString: "x") { ... on Test { a1: output a2: output a3: output a4: output '
        'a5: output a6: output } ...F } } fragment F on Test { b1: output b2: output '
        'b3: output b4: output b5: output }',
        "GraphQL queries should have at most 10 aliases, got 11 aliases. To increase the "
        "limit, set the MLFLOW_SERVER_GRAPHQL_MAX_ALIASES environment variable."),
    "depth": ("{ a { b { c { d { e { f { g { h { i { j { k } } } } } } } } } } }",
              "Query exceeds maximum depth of 10"),
    "parser_depth": ("{ a" + " { a" * 80 + " }" * 81, "Query exceeds maximum depth of 10"),
    "selections": ("{ %s }" % ("__typename " * 1001),
                   "Query exceeds maximum total selections of 1000"),
}


@pytest.mark.parametrize("name", list(LIMITS))
def test_limits(servers, name):
    query, message = LIMITS[name]
    bodies = compare(servers, query, lambda ids: {})
    assert bodies[1] == {"data": None, "errors": [message]}


def test_ten_aliases_and_ten_deep_are_fine(servers):
    bodies = compare(servers, '{ test(inputString: "x") { %s } }'
                     % " ".join(f"o{i}: output" for i in range(10)), lambda ids: {})
    assert bodies[1]["errors"] is None and bodies[1]["data"]["test"]["o9"] == "x"


def test_server_survives_hostile_documents(servers):
    """Deep nesting and huge documents are refused without harm (the parser is recursive)."""
    srv, _ = servers[1]
    for query in ["{" * 50_000 + "}" * 50_000,
                  '{ test(inputString: ' + "[" * 50_000 + "]" * 50_000 + ") { output } }",
                  "{ " + 'test(inputString: "x") { output } ' * 20_000 + "}"]:
        r = gql(srv, query)
        assert r.status_code in (200, 400, 500)
        if r.status_code == 200:
            assert r.json()["data"] is None
    # MLflow reads any body; mlflowd stops at 1 MiB with MLflow's error envelope.
    r = requests.post(srv.base_url + "/graphql", timeout=60, json={
        "query": "{ __typename }", "variables": {"x": "a" * 3_000_000}})
    if mlflowd_is_python():
        assert r.status_code == 200
    else:
        assert r.status_code == 400 and r.json()["error_code"] == "INVALID_PARAMETER_VALUE"
    assert requests.get(srv.base_url + "/health", timeout=30).status_code == 200


# --------------------------------------------------------------------------------------------
# Mounting
# --------------------------------------------------------------------------------------------


def test_static_prefix(backend_kind, db_factory, server_factory):
    srv = server_factory("mlflowd", db_factory(backend_kind), label=f"prefix-{backend_kind}",
                         extra_args=["--static-prefix", "/p"])
    r = requests.post(srv.base_url + "/p/graphql", json={"query": "{ __typename }"}, timeout=30)
    assert r.status_code == 200 and r.json() == {"data": {"__typename": "Query"}, "errors": None}
    r = requests.post(srv.base_url + "/p/graphql", timeout=30, json={
        "query": GET_EXPERIMENT, "variables": {"input": {"experimentId": "0"}}})
    assert r.json()["data"]["mlflowGetExperiment"]["experiment"]["name"] == "Default"
    r = requests.post(srv.base_url + "/graphql", json={"query": "{ __typename }"}, timeout=30)
    assert r.status_code == 404


def test_artifacts_only_disables_graphql(e2e_tmp):
    if mlflowd_is_python():
        pytest.skip("MLflow leaves /graphql enabled under --artifacts-only (and creates "
                    "./mlflow.db to answer it); mlflowd disables it like every tracking route")
    from test_artifact_server_modes import artifact_server
    from pathlib import Path

    workdir = Path(e2e_tmp) / f"graphql-artifacts-only-{secrets.token_hex(3)}"
    srv = artifact_server(workdir, "graphql-artifacts-only",
                          ["--artifacts-only", "--artifacts-destination", str(workdir / "d")])
    srv.start()
    try:
        r = requests.post(srv.base_url + "/graphql", json={"query": "{ __typename }"},
                          timeout=30)
        assert r.status_code == 503
        assert r.text.startswith("Endpoint: /graphql disabled due to the mlflow server running "
                                 "in `--artifacts-only` mode.")
    finally:
        srv.stop()
