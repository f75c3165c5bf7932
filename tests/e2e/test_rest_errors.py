"""Raw-HTTP error behaviour of mlflowd: bad inputs and malformed requests must produce MLflow's
exact ``error_code`` and HTTP status, and must not write anything half-way.

The expected codes/statuses (and message fragments) were taken from the reference
``mlflow server`` 3.17.2 (run this module with ``MLFLOWD_BIN_IS_PYTHON=1`` to re-check them against
the oracle). The module runs once per backend."""

from __future__ import annotations

import json
import secrets

import pytest
import requests

from conftest import mlflowd_is_python

INVALID = ("INVALID_PARAMETER_VALUE", 400)
NOT_FOUND = ("RESOURCE_DOES_NOT_EXIST", 404)
EXISTS = ("RESOURCE_ALREADY_EXISTS", 400)
BAD_REQUEST = ("BAD_REQUEST", 400)
INVALID_STATE = ("INVALID_STATE", 500)
MISSING_RUN = "0" * 32


@pytest.fixture(scope="module")
def ctx(mlflowd):
    """One experiment with an active run, a deleted run, and a deleted experiment."""
    api = mlflowd.api
    tag = secrets.token_hex(4)
    exp = api.ok_post("experiments/create", {"name": f"rest-errors-{tag}"})["experiment_id"]
    run = api.ok_post("runs/create", {"experiment_id": exp, "start_time": 1})["run"]["info"]["run_id"]
    dead = api.ok_post("runs/create", {"experiment_id": exp, "start_time": 2})["run"]["info"]["run_id"]
    api.ok_post("runs/delete", {"run_id": dead})
    api.ok_post("runs/log-parameter", {"run_id": run, "key": "p", "value": "1"})
    dexp = api.ok_post("experiments/create", {"name": f"rest-errors-deleted-{tag}"})["experiment_id"]
    api.ok_post("experiments/delete", {"experiment_id": dexp})
    return {"exp": exp, "run": run, "dead": dead, "dexp": dexp, "exp_name": f"rest-errors-{tag}",
            "tag": tag}


def fill(value, ctx):
    if isinstance(value, str):
        for k, v in ctx.items():
            value = value.replace("{" + k + "}", v)
        return value
    if isinstance(value, list):
        return [fill(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ctx) for k, v in value.items()}
    return value


def check_error(resp: requests.Response, expected, contains: str | None = None):
    code, status = expected
    assert resp.status_code == status, f"status {resp.status_code} != {status}: {resp.text[:1000]}"
    assert resp.headers.get("Content-Type", "").startswith("application/json"), resp.headers
    body = resp.json()
    assert isinstance(body, dict), body
    assert body.get("error_code") == code, f"error_code {body.get('error_code')} != {code}: {body}"
    assert isinstance(body.get("message"), str) and body["message"], body
    if contains:
        assert contains in body["message"], f"{contains!r} not in {body['message']!r}"


# (id, method, path, body-or-params, expected (code, status), message fragment or None)
CASES = [
    # --- experiments ---
    ("exp-create-missing-name", "POST", "experiments/create", {}, INVALID,
     "Missing value for required parameter 'name'"),
    ("exp-create-empty-name", "POST", "experiments/create", {"name": ""}, INVALID,
     "Missing value for required parameter 'name'"),
    ("exp-create-name-too-long", "POST", "experiments/create", {"name": "x" * 501}, INVALID,
     "'name' exceeds the maximum length of 500 characters"),
    ("exp-create-name-wrong-type", "POST", "experiments/create", {"name": 12}, INVALID,
     "Invalid value 12 for parameter 'name' supplied"),
    ("exp-create-duplicate", "POST", "experiments/create", {"name": "{exp_name}"}, EXISTS, None),
    ("exp-create-http-location", "POST", "experiments/create",
     {"name": "rest-errors-http-{tag}", "artifact_location": "http://example.com/x"}, INVALID,
     "'artifact_location' cannot use the 'http' scheme"),
    ("exp-create-tag-value-too-long", "POST", "experiments/create",
     {"name": "rest-errors-tv-{tag}", "tags": [{"key": "k", "value": "v" * 20001}]}, INVALID,
     "'value' exceeds the maximum length of 20000 characters"),
    ("exp-get-unknown", "GET", "experiments/get", {"experiment_id": "987654321"}, NOT_FOUND,
     "No Experiment with id=987654321 exists"),
    ("exp-get-non-integer", "GET", "experiments/get", {"experiment_id": "abc"}, INVALID,
     "Invalid experiment ID 'abc'. Experiment ID must be a valid integer."),
    ("exp-get-missing-id", "GET", "experiments/get", {}, INVALID,
     "Missing value for required parameter 'experiment_id'"),
    ("exp-get-by-name-unknown", "GET", "experiments/get-by-name",
     {"experiment_name": "no-such-{tag}"}, NOT_FOUND, "Could not find experiment with name"),
    ("exp-get-by-name-missing", "GET", "experiments/get-by-name", {}, INVALID,
     "Missing value for required parameter 'experiment_name'"),
    ("exp-delete-unknown", "POST", "experiments/delete", {"experiment_id": "987654321"}, NOT_FOUND,
     None),
    ("exp-delete-non-integer", "POST", "experiments/delete", {"experiment_id": "abc"}, INVALID, None),
    ("exp-restore-unknown", "POST", "experiments/restore", {"experiment_id": "987654321"},
     NOT_FOUND, None),
    ("exp-update-missing-name", "POST", "experiments/update", {"experiment_id": "{exp}"}, INVALID,
     "Missing value for required parameter 'new_name'"),
    ("exp-update-deleted", "POST", "experiments/update",
     {"experiment_id": "{dexp}", "new_name": "rest-errors-x-{tag}"}, INVALID_STATE,
     "Cannot rename a non-active experiment"),
    ("exp-set-tag-missing-key", "POST", "experiments/set-experiment-tag",
     {"experiment_id": "{exp}", "value": "v"}, INVALID, "Missing value for required parameter 'key'"),
    ("exp-set-tag-key-too-long", "POST", "experiments/set-experiment-tag",
     {"experiment_id": "{exp}", "key": "k" * 251, "value": "v"}, INVALID,
     "'key' exceeds the maximum length of 250 characters"),
    ("exp-set-tag-deleted-exp", "POST", "experiments/set-experiment-tag",
     {"experiment_id": "{dexp}", "key": "k", "value": "v"}, INVALID,
     "must be in the 'active' state"),
    ("exp-set-tag-unknown-exp", "POST", "experiments/set-experiment-tag",
     {"experiment_id": "987654321", "key": "k", "value": "v"}, NOT_FOUND, None),
    ("exp-delete-tag-missing", "POST", "experiments/delete-experiment-tag",
     {"experiment_id": "{exp}", "key": "nope"}, NOT_FOUND, "No tag with name: nope"),
    # --- experiments/search ---
    ("exp-search-no-max-results", "POST", "experiments/search", {}, INVALID,
     "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer"),
    ("exp-search-max-results-over", "POST", "experiments/search", {"max_results": 50001}, INVALID,
     "It must be at most 50000"),
    ("exp-search-bad-filter-or", "POST", "experiments/search",
     {"max_results": 10, "filter": "name = 'a' OR name = 'b'"}, INVALID,
     "Invalid clause(s) in filter string"),
    ("exp-search-bad-attribute", "POST", "experiments/search",
     {"max_results": 10, "filter": "foo = 'a'"}, INVALID, "Invalid attribute key 'foo' specified."),
    ("exp-search-bad-order-by", "POST", "experiments/search",
     {"max_results": 10, "order_by": ["name sideways"]}, INVALID,
     "Invalid ordering key in order_by clause 'name sideways'."),
    ("exp-search-bad-page-token", "POST", "experiments/search",
     {"max_results": 10, "page_token": "not-a-token"}, INVALID,
     "Invalid page token, could not base64-decode"),
    ("exp-search-get-bad-max-results", "GET", "experiments/search", {"max_results": "abc"},
     INVALID, None),
    # --- runs ---
    ("run-create-unknown-exp", "POST", "runs/create", {"experiment_id": "987654321"}, NOT_FOUND,
     "No Experiment with id=987654321 exists"),
    ("run-create-non-integer-exp", "POST", "runs/create", {"experiment_id": "abc"}, INVALID,
     "Invalid experiment ID 'abc'"),
    ("run-create-exp-id-wrong-type", "POST", "runs/create", {"experiment_id": 5}, INVALID,
     "Invalid value 5 for parameter 'experiment_id' supplied"),
    ("run-create-deleted-exp", "POST", "runs/create", {"experiment_id": "{dexp}"}, INVALID,
     "must be in the 'active' state"),
    ("run-create-missing-exp", "POST", "runs/create", {}, BAD_REQUEST, None),
    ("run-create-name-conflict", "POST", "runs/create",
     {"experiment_id": "{exp}", "run_name": "a", "tags": [{"key": "mlflow.runName", "value": "b"}]},
     INVALID, "Both 'run_name' argument and 'mlflow.runName' tag are specified"),
    ("run-create-bad-start-time", "POST", "runs/create",
     {"experiment_id": "{exp}", "start_time": "notanumber"}, INVALID,
     "Invalid value \"notanumber\" for parameter 'start_time' supplied"),
    ("run-get-unknown", "GET", "runs/get", {"run_id": MISSING_RUN}, NOT_FOUND,
     f"Run with id={MISSING_RUN} not found"),
    ("run-get-missing-id", "GET", "runs/get", {}, INVALID,
     "Missing value for required parameter 'run_id'"),
    ("run-update-unknown", "POST", "runs/update", {"run_id": MISSING_RUN, "status": "FINISHED"},
     NOT_FOUND, None),
    ("run-update-deleted", "POST", "runs/update", {"run_id": "{dead}", "status": "FINISHED"},
     INVALID, "must be in the 'active' state"),
    ("run-delete-unknown", "POST", "runs/delete", {"run_id": MISSING_RUN}, NOT_FOUND, None),
    ("run-delete-missing-id", "POST", "runs/delete", {}, INVALID, None),
    ("run-restore-unknown", "POST", "runs/restore", {"run_id": MISSING_RUN}, NOT_FOUND, None),
    # --- log-metric ---
    ("metric-missing-value", "POST", "runs/log-metric",
     {"run_id": "{run}", "key": "m", "timestamp": 1}, INVALID,
     "Missing value for required parameter 'value'"),
    ("metric-missing-timestamp", "POST", "runs/log-metric",
     {"run_id": "{run}", "key": "m", "value": 1}, INVALID,
     "Missing value for required parameter 'timestamp'"),
    ("metric-missing-key", "POST", "runs/log-metric",
     {"run_id": "{run}", "value": 1, "timestamp": 1}, INVALID,
     "Missing value for required parameter 'key'"),
    ("metric-negative-timestamp", "POST", "runs/log-metric",
     {"run_id": "{run}", "key": "m", "value": 1, "timestamp": -1}, INVALID, None),
    ("metric-value-not-number", "POST", "runs/log-metric",
     {"run_id": "{run}", "key": "m", "value": "abc", "timestamp": 1}, INVALID, None),
    ("metric-bad-key-chars", "POST", "runs/log-metric",
     {"run_id": "{run}", "key": "bad!", "value": 1, "timestamp": 1}, INVALID,
     "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), "
     "colon(:) and slashes (/)."),
    ("metric-key-not-normalized", "POST", "runs/log-metric",
     {"run_id": "{run}", "key": "a//b", "value": 1, "timestamp": 1}, INVALID,
     "This name would resolve to 'a/b'"),
    ("metric-key-parent-dir", "POST", "runs/log-metric",
     {"run_id": "{run}", "key": "../x", "value": 1, "timestamp": 1}, INVALID, None),
    ("metric-key-too-long", "POST", "runs/log-metric",
     {"run_id": "{run}", "key": "k" * 251, "value": 1, "timestamp": 1}, INVALID,
     "exceeds the maximum length of 250 characters"),
    ("metric-unknown-run", "POST", "runs/log-metric",
     {"run_id": MISSING_RUN, "key": "m", "value": 1, "timestamp": 1}, NOT_FOUND, None),
    ("metric-deleted-run", "POST", "runs/log-metric",
     {"run_id": "{dead}", "key": "m", "value": 1, "timestamp": 1}, INVALID,
     "must be in the 'active' state"),
    # --- log-parameter ---
    ("param-overwrite", "POST", "runs/log-parameter", {"run_id": "{run}", "key": "p", "value": "2"},
     INVALID, "Changing param values is not allowed. Param with key='p' was already logged with "
              "value='1'"),
    ("param-missing-key", "POST", "runs/log-parameter", {"run_id": "{run}", "value": "1"}, INVALID,
     "Missing value for required parameter 'key'"),
    ("param-key-too-long", "POST", "runs/log-parameter",
     {"run_id": "{run}", "key": "k" * 251, "value": "1"}, INVALID,
     "exceeds the maximum length of 250 characters"),
    ("param-value-wrong-type", "POST", "runs/log-parameter",
     {"run_id": "{run}", "key": "n", "value": 5}, INVALID, "Invalid value 5 for parameter 'value'"),
    ("param-deleted-run", "POST", "runs/log-parameter",
     {"run_id": "{dead}", "key": "p", "value": "1"}, INVALID, "must be in the 'active' state"),
    ("param-unknown-run", "POST", "runs/log-parameter",
     {"run_id": MISSING_RUN, "key": "p", "value": "1"}, NOT_FOUND, None),
    # --- tags ---
    ("tag-missing-key", "POST", "runs/set-tag", {"run_id": "{run}", "value": "1"}, INVALID, None),
    ("tag-key-too-long", "POST", "runs/set-tag",
     {"run_id": "{run}", "key": "k" * 251, "value": "1"}, INVALID, None),
    ("tag-deleted-run", "POST", "runs/set-tag", {"run_id": "{dead}", "key": "t", "value": "1"},
     INVALID, "must be in the 'active' state"),
    ("tag-unknown-run", "POST", "runs/set-tag", {"run_id": MISSING_RUN, "key": "t", "value": "1"},
     NOT_FOUND, None),
    ("delete-tag-missing-tag", "POST", "runs/delete-tag", {"run_id": "{run}", "key": "nope"},
     NOT_FOUND, "No tag with name: nope in run with id"),
    ("delete-tag-unknown-run", "POST", "runs/delete-tag", {"run_id": MISSING_RUN, "key": "t"},
     NOT_FOUND, None),
    # --- log-batch ---
    ("batch-missing-run-id", "POST", "runs/log-batch", {}, INVALID,
     "Missing value for required parameter 'run_id'"),
    ("batch-run-uuid-only", "POST", "runs/log-batch",
     {"run_uuid": "{run}", "params": [{"key": "x", "value": "1"}]}, INVALID, None),
    ("batch-bad-run-id", "POST", "runs/log-batch", {"run_id": "bad id!"}, INVALID,
     "Invalid value \"bad id!\" for parameter 'run_id' supplied."),
    ("batch-unknown-run", "POST", "runs/log-batch", {"run_id": MISSING_RUN}, NOT_FOUND, None),
    ("batch-deleted-run", "POST", "runs/log-batch",
     {"run_id": "{dead}", "params": [{"key": "x", "value": "1"}]}, INVALID,
     "must be in the 'active' state"),
    ("batch-too-many-metrics", "POST", "runs/log-batch",
     {"run_id": "{run}", "metrics": [{"key": f"m{i}", "value": 1, "timestamp": 1}
                                     for i in range(1001)]},
     INVALID, "A batch logging request can contain at most 1000 metrics. Got 1001 metrics."),
    ("batch-too-many-params", "POST", "runs/log-batch",
     {"run_id": "{run}", "params": [{"key": f"x{i}", "value": "v"} for i in range(101)]},
     INVALID, "A batch logging request can contain at most 100 params. Got 101 params."),
    ("batch-too-many-tags", "POST", "runs/log-batch",
     {"run_id": "{run}", "tags": [{"key": f"t{i}", "value": "v"} for i in range(101)]},
     INVALID, "A batch logging request can contain at most 100 tags. Got 101 tags."),
    ("batch-too-many-total", "POST", "runs/log-batch",
     {"run_id": "{run}", "metrics": [{"key": f"m{i}", "value": 1, "timestamp": 1}
                                     for i in range(950)],
      "params": [{"key": f"x{i}", "value": "v"} for i in range(51)]},
     INVALID, "A batch logging request can contain at most 1000 metrics, params, and tags. "
              "Got 1001 metrics, params, and tags."),
    ("batch-duplicate-param-keys", "POST", "runs/log-batch",
     {"run_id": "{run}", "params": [{"key": "d", "value": "1"}, {"key": "d", "value": "2"}]},
     INVALID, "Duplicate parameter keys have been submitted: ['d']"),
    ("batch-param-conflict", "POST", "runs/log-batch",
     {"run_id": "{run}", "params": [{"key": "p", "value": "9"}]}, INVALID,
     "Changing param values is not allowed"),
    ("batch-metric-missing-timestamp", "POST", "runs/log-batch",
     {"run_id": "{run}", "metrics": [{"key": "m", "value": 1}]}, INVALID,
     "Missing value for required parameter 'metrics[0].timestamp'"),
    ("batch-metric-negative-timestamp", "POST", "runs/log-batch",
     {"run_id": "{run}", "metrics": [{"key": "m", "value": 1, "timestamp": -5}]}, INVALID,
     "Invalid value -5 for parameter 'metrics[0].timestamp' supplied"),
    ("batch-metrics-not-a-list", "POST", "runs/log-batch", {"run_id": "{run}", "metrics": "x"},
     INVALID, None),
    # --- runs/search ---
    ("search-or", "POST", "runs/search",
     {"experiment_ids": ["{exp}"], "filter": "metrics.a < 1 OR metrics.a > 2"}, INVALID,
     "Invalid clause(s) in filter string: 'OR'"),
    ("search-quoted-number", "POST", "runs/search",
     {"experiment_ids": ["{exp}"], "filter": "metrics.a < '1'"}, INVALID,
     "Expected numeric value type for metric. Found '1'"),
    ("search-unquoted-string", "POST", "runs/search",
     {"experiment_ids": ["{exp}"], "filter": "params.a = 0.5"}, INVALID,
     "Expected a quoted string value for parameter"),
    ("search-bad-entity", "POST", "runs/search",
     {"experiment_ids": ["{exp}"], "filter": "foo.bar = 'x'"}, INVALID, "Invalid entity type 'foo'"),
    ("search-bad-order-by", "POST", "runs/search",
     {"experiment_ids": ["{exp}"], "order_by": ["metrics.a sideways"]}, INVALID,
     "Invalid ordering key in order_by clause"),
    ("search-bad-order-entity", "POST", "runs/search",
     {"experiment_ids": ["{exp}"], "order_by": ["foo.a"]}, INVALID, "Invalid entity type 'foo'"),
    ("search-bad-page-token", "POST", "runs/search",
     {"experiment_ids": ["{exp}"], "page_token": "garbage!!"}, INVALID,
     "Invalid page token, could not base64-decode"),
    ("search-max-results-zero", "POST", "runs/search",
     {"experiment_ids": ["{exp}"], "max_results": 0}, INVALID, "It must be a positive integer"),
    ("search-max-results-over", "POST", "runs/search",
     {"experiment_ids": ["{exp}"], "max_results": 50001}, INVALID,
     "Invalid value 50001 for parameter 'max_results' supplied"),
    ("search-non-integer-exp", "POST", "runs/search", {"experiment_ids": ["abc"]}, INVALID,
     "Invalid experiment ID 'abc'"),
    # --- metrics/get-history ---
    ("history-missing-key", "GET", "metrics/get-history", {"run_id": "{run}"}, INVALID,
     "Missing value for required parameter 'metric_key'"),
    ("history-missing-run", "GET", "metrics/get-history", {"metric_key": "m"}, INVALID,
     "Missing value for required parameter 'run_id'"),
    ("history-max-results-zero", "GET", "metrics/get-history",
     {"run_id": "{run}", "metric_key": "m", "max_results": 0}, INVALID,
     "It must be a positive integer."),
    ("history-bad-page-token", "GET", "metrics/get-history",
     {"run_id": "{run}", "metric_key": "m", "page_token": "bad"}, INVALID, "Invalid page token"),
    ("bulk-interval-missing-key", "GET", "metrics/get-history-bulk-interval", {"run_ids": "{run}"},
     INVALID, "Missing value for required parameter 'metric_key'"),
    ("bulk-interval-start-only", "GET", "metrics/get-history-bulk-interval",
     {"run_ids": "{run}", "metric_key": "m", "start_step": 1}, INVALID,
     "If either start step or end step are specified, both must be specified."),
    ("bulk-interval-max-results", "GET", "metrics/get-history-bulk-interval",
     {"run_ids": "{run}", "metric_key": "m", "max_results": 2501}, INVALID,
     "max_results must be between 1 and 2500"),
    ("bulk-interval-too-many-runs", "GET", "metrics/get-history-bulk-interval",
     {"run_ids": [f"{i:032x}" for i in range(101)], "metric_key": "m"}, INVALID,
     "must specify at most 100 run_ids. Received 101 run_ids."),
    # --- log-inputs ---
    ("inputs-missing-run", "POST", "runs/log-inputs", {"datasets": []}, INVALID,
     "Missing value for required parameter 'run_id'"),
    ("inputs-unknown-run", "POST", "runs/log-inputs", {"run_id": MISSING_RUN, "datasets": []},
     NOT_FOUND, None),
]


@pytest.mark.parametrize("prefix", ["api", "ajax-api"])
@pytest.mark.parametrize("case_id, method, path, body, expected, contains",
                         CASES, ids=[c[0] for c in CASES])
def test_bad_input(api, ctx, prefix, case_id, method, path, body, expected, contains):
    body = fill(body, ctx)
    if method == "GET":
        resp = api.get(path, body, prefix=prefix)
    else:
        resp = api.post(path, body, prefix=prefix)
    check_error(resp, expected, fill(contains, ctx) if contains else None)


# Inputs on which MLflow's own search parser crashes: it answers 500 (which the client retries
# for minutes); mlflowd deliberately reports them as client errors, keeping MLflow's text.
CRASH_CASES = [
    ("search-duplicate-order-by", {"order_by": ["metrics.a", "metrics.a"]},
     "`order_by` contains duplicate fields"),
    ("search-unquoted-in-list", {"filter": "run_id IN (a)"}, None),
]


@pytest.mark.skipif(mlflowd_is_python(), reason="MLflow answers 500 here; mlflowd does better")
@pytest.mark.parametrize("case_id, body, contains", CRASH_CASES, ids=[c[0] for c in CRASH_CASES])
def test_parser_crashes_are_client_errors(api, ctx, case_id, body, contains):
    resp = api.post("runs/search", {"experiment_ids": [ctx["exp"]], **body})
    check_error(resp, INVALID, contains)


# --------------------------------------------------------------------------- malformed requests

def test_wrong_content_type_rejected(api, ctx):
    for ctype in ("text/plain", "application/x-www-form-urlencoded", ""):
        r = api.request("POST", "runs/log-parameter", headers={"Content-Type": ctype},
                        data=json.dumps({"run_id": ctx["run"], "key": "ct", "value": "1"}))
        check_error(r, INVALID, "Bad Request. Content-Type must be one of ['application/json'].")
    r = api.request("POST", "runs/log-parameter",
                    data=json.dumps({"run_id": ctx["run"], "key": "ct", "value": "1"}))
    check_error(r, INVALID, "Bad Request. Content-Type header is missing.")
    # Nothing was written.
    params = {p["key"] for p in api.ok_get("runs/get", {"run_id": ctx["run"]})["run"]["data"]
              .get("params", [])}
    assert "ct" not in params
    # Parameters after the media type are fine.
    r = api.request("POST", "runs/log-parameter",
                    headers={"Content-Type": "application/json; charset=utf-8"},
                    data=json.dumps({"run_id": ctx["run"], "key": "ct", "value": "1"}))
    assert r.status_code == 200 and r.json() == {}


def test_bad_json_body_is_treated_as_empty(api):
    r = api.request("POST", "experiments/create", headers={"Content-Type": "application/json"},
                    data="{not json")
    check_error(r, INVALID, "Missing value for required parameter 'name'")
    r = api.request("POST", "experiments/create", headers={"Content-Type": "application/json"},
                    data="")
    check_error(r, INVALID, "Missing value for required parameter 'name'")


def test_double_encoded_json_body_accepted(api, ctx):
    name = f"rest-errors-double-{ctx['tag']}"
    r = api.request("POST", "experiments/create", headers={"Content-Type": "application/json"},
                    data=json.dumps(json.dumps({"name": name})))
    assert r.status_code == 200, r.text
    eid = r.json()["experiment_id"]
    assert api.ok_get("experiments/get", {"experiment_id": eid})["experiment"]["name"] == name


def test_conflicting_field_aliases_rejected(api, ctx):
    r = api.request("POST", "experiments/create", headers={"Content-Type": "application/json"},
                    data=json.dumps({"name": f"rest-errors-alias-{ctx['tag']}",
                                     "artifact_location": "s3://a", "artifactLocation": "s3://b"}))
    check_error(r, INVALID, "Request specifies both 'artifact_location' and 'artifactLocation'")
    r = api.get("experiments/get-by-name", {"experiment_name": f"rest-errors-alias-{ctx['tag']}"})
    check_error(r, NOT_FOUND)


def test_unknown_fields_ignored(api, ctx):
    r = api.post("runs/log-parameter", {"run_id": ctx["run"], "key": "uf", "value": "1",
                                        "bogus": {"x": [1]}})
    assert r.status_code == 200 and r.json() == {}


def test_wrong_json_type_for_list_field(api, ctx):
    # experiment_ids of the wrong type: the reference parses nothing and finds nothing.
    r = api.post("runs/search", {"experiment_ids": [int(ctx["exp"])]})
    assert r.status_code == 200 and r.json() == {}


def test_unknown_endpoint_is_404(api):
    r = api.get("/api/2.0/mlflow/no-such-endpoint")
    assert r.status_code == 404
    r = api.post("/api/2.0/mlflow/runs/no-such-endpoint", {})
    assert r.status_code == 404


def test_wrong_method_is_405(api):
    assert api.get("runs/create").status_code == 405
    assert api.post("runs/get", {}).status_code == 405


def test_health_and_version(mlflowd):
    r = requests.get(mlflowd.base_url + "/health", timeout=10)
    assert r.status_code == 200 and r.text == "OK"
    r = requests.get(mlflowd.base_url + "/version", timeout=10)
    assert r.status_code == 200 and r.text == "3.17.2"


def test_both_prefixes_reach_the_same_data(api, ctx):
    a = api.ok_get("runs/get", {"run_id": ctx["run"]})
    b = api.get("runs/get", {"run_id": ctx["run"]}, prefix="ajax-api")
    assert b.status_code == 200 and b.json() == a
    r = api.post("runs/set-tag", {"run_id": ctx["run"], "key": "via-ajax", "value": "1"},
                 prefix="ajax-api")
    assert r.status_code == 200
    tags = {t["key"]: t["value"] for t in
            api.ok_get("runs/get", {"run_id": ctx["run"]})["run"]["data"]["tags"]}
    assert tags["via-ajax"] == "1"


def test_get_params_from_query_string_repeated_keys(api, ctx):
    # run_ids repeated
    exp = ctx["exp"]
    r1 = api.ok_post("runs/create", {"experiment_id": exp, "start_time": 10})["run"]["info"]["run_id"]
    r2 = api.ok_post("runs/create", {"experiment_id": exp, "start_time": 11})["run"]["info"]["run_id"]
    for rid, v in ((r1, 1.0), (r2, 2.0)):
        api.ok_post("runs/log-metric", {"run_id": rid, "key": "q", "value": v, "timestamp": 5})
    r = api.request("GET", "metrics/get-history-bulk-interval",
                    params=[("run_ids", r1), ("run_ids", r2), ("metric_key", "q")])
    assert r.status_code == 200, r.text
    got = sorted((m["run_id"], m["value"]) for m in r.json()["metrics"])
    assert got == sorted([(r1, 1.0), (r2, 2.0)])
    # scalar given twice: the first value wins
    r = api.request("GET", "runs/get", params=[("run_id", r1), ("run_id", r2)])
    assert r.status_code == 200 and r.json()["run"]["info"]["run_id"] == r1
    # repeated order_by
    name = f"rest-errors-qs-{ctx['tag']}"
    for suffix in ("b", "a"):
        api.ok_post("experiments/create", {"name": f"{name}-{suffix}"})
    r = api.request("GET", "experiments/search",
                    params=[("max_results", "10"), ("filter", f"name LIKE '{name}-%'"),
                            ("order_by", "name ASC"), ("order_by", "experiment_id DESC")])
    assert r.status_code == 200, r.text
    assert [e["name"] for e in r.json()["experiments"]] == [f"{name}-a", f"{name}-b"]
    # A GET without a query string reads its parameters from a JSON body.
    r = api.request("GET", "runs/get", json={"run_id": r2})
    assert r.status_code == 200 and r.json()["run"]["info"]["run_id"] == r2


# --------------------------------------------------------------------------- nothing half-written

def _data(api, run_id):
    d = api.ok_get("runs/get", {"run_id": run_id})["run"]["data"]
    return ({m["key"]: m["value"] for m in d.get("metrics", [])},
            {p["key"]: p["value"] for p in d.get("params", [])},
            {t["key"]: t["value"] for t in d.get("tags", []) if not t["key"].startswith("mlflow.")})


@pytest.mark.parametrize("bad_batch", [
    {"metrics": [{"key": "ok", "value": 1, "timestamp": 1}, {"key": "bad", "value": 1}],
     "params": [{"key": "p", "value": "1"}], "tags": [{"key": "t", "value": "1"}]},
    {"metrics": [{"key": "ok", "value": 1, "timestamp": 1}, {"key": "bad!", "value": 1,
                                                            "timestamp": 1}],
     "params": [{"key": "p", "value": "1"}], "tags": [{"key": "t", "value": "1"}]},
    {"metrics": [{"key": "ok", "value": 1, "timestamp": 1}],
     "params": [{"key": "p", "value": "1"}, {"key": "", "value": "x"}],
     "tags": [{"key": "t", "value": "1"}]},
    {"metrics": [{"key": "ok", "value": 1, "timestamp": 1}],
     "params": [{"key": "p", "value": "1"}],
     "tags": [{"key": "t", "value": "1"}, {"key": "k" * 251, "value": "x"}]},
    {"metrics": [{"key": "ok", "value": 1, "timestamp": 1}],
     "params": [{"key": "p", "value": "1"}, {"key": "p", "value": "2"}],
     "tags": [{"key": "t", "value": "1"}]},
    {"metrics": [{"key": f"ok{i}", "value": 1, "timestamp": 1} for i in range(1001)],
     "params": [{"key": "p", "value": "1"}]},
], ids=["metric-missing-timestamp", "metric-bad-key", "param-empty-key", "tag-key-too-long",
        "duplicate-param", "over-limit"])
def test_bad_log_batch_writes_nothing(api, ctx, bad_batch):
    rid = api.ok_post("runs/create", {"experiment_id": ctx["exp"], "start_time": 3})["run"]["info"][
        "run_id"]
    r = api.post("runs/log-batch", {"run_id": rid, **bad_batch})
    check_error(r, INVALID)
    assert _data(api, rid) == ({}, {}, {})
    hist = api.ok_get("metrics/get-history", {"run_id": rid, "metric_key": "ok"})
    assert hist.get("metrics", []) == []


def test_log_batch_param_conflict_writes_nothing(api, ctx):
    rid = api.ok_post("runs/create", {"experiment_id": ctx["exp"], "start_time": 4})["run"]["info"][
        "run_id"]
    api.ok_post("runs/log-parameter", {"run_id": rid, "key": "p", "value": "1"})
    r = api.post("runs/log-batch", {
        "run_id": rid, "metrics": [{"key": "m", "value": 1, "timestamp": 1}],
        "params": [{"key": "q", "value": "new"}, {"key": "p", "value": "2"}],
        "tags": [{"key": "t", "value": "1"}]})
    check_error(r, INVALID, "Changing param values is not allowed")
    assert _data(api, rid) == ({}, {"p": "1"}, {})


def test_rejected_run_create_creates_nothing(api, ctx):
    exp = api.ok_post("experiments/create", {"name": f"rest-errors-nocreate-{ctx['tag']}"})[
        "experiment_id"]
    r = api.post("runs/create", {"experiment_id": exp, "run_name": "a",
                                 "tags": [{"key": "mlflow.runName", "value": "b"}]})
    check_error(r, INVALID)
    r = api.post("runs/create", {"experiment_id": exp, "start_time": "nope"})
    check_error(r, INVALID)
    found = api.ok_post("runs/search", {"experiment_ids": [exp], "run_view_type": "ALL"})
    assert found == {}


def test_rejected_experiment_create_creates_nothing(api, ctx):
    for body in (
        {"name": f"rest-errors-nx1-{ctx['tag']}", "tags": [{"key": "k", "value": "v" * 20001}]},
        {"name": f"rest-errors-nx2-{ctx['tag']}", "artifact_location": "http://example.com/a"},
        {"name": f"rest-errors-nx3-{ctx['tag']}", "tags": [{"key": "", "value": "v"}]},
    ):
        r = api.post("experiments/create", body)
        check_error(r, INVALID)
        check_error(api.get("experiments/get-by-name", {"experiment_name": body["name"]}),
                    NOT_FOUND)


def test_param_overwrite_keeps_old_value(api, ctx):
    r = api.post("runs/log-parameter", {"run_id": ctx["run"], "key": "p", "value": "other"})
    check_error(r, INVALID)
    assert _data(api, ctx["run"])[1]["p"] == "1"


def test_log_to_deleted_run_writes_nothing(api, ctx):
    for path, body in (
        ("runs/log-metric", {"key": "dm", "value": 1, "timestamp": 1}),
        ("runs/log-parameter", {"key": "dp", "value": "1"}),
        ("runs/set-tag", {"key": "dt", "value": "1"}),
        ("runs/log-batch", {"params": [{"key": "dbp", "value": "1"}]}),
    ):
        check_error(api.post(path, {"run_id": ctx["dead"], **body}), INVALID)
    assert _data(api, ctx["dead"]) == ({}, {}, {})


def test_too_long_values_truncated_not_rejected(api, ctx):
    rid = api.ok_post("runs/create", {"experiment_id": ctx["exp"], "start_time": 5})["run"]["info"][
        "run_id"]
    api.ok_post("runs/log-parameter", {"run_id": rid, "key": "lp", "value": "x" * 6001})
    api.ok_post("runs/set-tag", {"run_id": rid, "key": "lt", "value": "y" * 8001})
    _, params, tags = _data(api, rid)
    assert params["lp"] == "x" * 6000
    assert tags["lt"] == "y" * 8000
