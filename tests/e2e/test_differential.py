"""Differential tests: the same request sequence goes to mlflowd and to the reference
``mlflow server`` 3.17.2 (same backend kind, each on its own fresh database); status codes and
normalized JSON bodies must match.

Adding a case: append ``Case("name", [step, step, ...])`` to the table in
diff_cases_experiments.py or diff_cases_runs.py (builders in diff_builders.py). A step is
``POST(path, body, save={"var": "dotted.path.in.response"})`` or ``GET(path, params, ...)``;
``$var`` in paths/bodies/params is replaced by the value saved from *that server's* earlier
responses, and ``$P`` is a prefix unique to the case (use it in experiment names). Volatile values
(run ids, experiment ids, server-side times, generated run names) are normalized; see
diffharness.Normalizer. A step that cannot compare the whole body sets ``compare=NO_MESSAGE`` or
``STATUS`` with a ``reason``. A case with a known mlflowd difference sets ``xfail="<the concrete
difference>"`` (strict: it must fail).

All cases of a backend share one pair of servers, in table order; each case creates the
experiments/runs it uses, and searches are filtered to the case's own names.

The error envelope's optional extras ``sqlstate`` and ``error_class`` (MLflow 3.x additions,
§2.3 of the HTTP reference) are compared by ``test_error_envelope_extras`` on one representative
request per error code, and left out of the table comparisons so that a missing extra does not
mask every other difference of an error case.
"""

from __future__ import annotations

import time

import pytest
import requests

from conftest import mlflowd_is_python
from diff_builders import SQL_TEXT, get_exp, get_run, new_exp, new_run
from diff_cases_experiments import EXPERIMENT_CASES
from diff_cases_logged_models import LOGGED_MODEL_CASES
from diff_cases_registry import REGISTRY_CASES
from diff_cases_runs import RUN_CASES
from diffharness import GET, NO_MESSAGE, POST, STATUS, UNORDERED, Case, Normalizer, deep_sort, \
    dig, send, structural_diff

CASES: list[Case] = EXPERIMENT_CASES + RUN_CASES + LOGGED_MODEL_CASES + REGISTRY_CASES


def _case_param(case: Case):
    marks = []
    if case.xfail and not mlflowd_is_python():
        marks.append(pytest.mark.xfail(strict=True, reason=case.xfail))
    return pytest.param(case, id=case.name, marks=marks)


@pytest.fixture(scope="module")
def http():
    s = requests.Session()
    yield s
    s.close()


ERROR_EXTRAS = ("sqlstate", "error_class")

# One request per error code / error class the tracking API produces.
ENVELOPE_CASE = Case("error_envelope", [
    new_exp(),
    new_run(),
    GET("experiments/get", {"experiment_id": "987654321"}),  # RESOURCE_DOES_NOT_EXIST
    GET("experiments/get", {"experiment_id": "abc"}),  # INVALID_PARAMETER_VALUE
    POST("experiments/create", {"name": "$P"}, compare=NO_MESSAGE,
         reason=SQL_TEXT),  # RESOURCE_ALREADY_EXISTS
    POST("runs/create", {}, compare=NO_MESSAGE, reason=SQL_TEXT),  # BAD_REQUEST
    new_exp("$P-del", "e2"),
    POST("experiments/delete", {"experiment_id": "$e2"}),
    POST("experiments/update", {"experiment_id": "$e2", "new_name": "$P-z"}),  # INVALID_STATE
    POST("runs/delete-tag", {"run_id": "$run", "key": "nope"}),
    POST("runs/log-parameter", {"run_id": "$run", "key": "p", "value": "1"}),
    POST("runs/log-parameter", {"run_id": "$run", "key": "p", "value": "2"}),
    POST("runs/create", raw="{}", headers={"Content-Type": "text/plain"}),
])


@pytest.mark.parametrize("case", [_case_param(c) for c in CASES])
def test_differential(case: Case, reference, mlflowd, backend_kind, http):
    run_case(case, reference, mlflowd, backend_kind, http, strip=ERROR_EXTRAS)


def test_error_envelope_extras(reference, mlflowd, backend_kind, http):
    """Error bodies carry MLflow's ``sqlstate`` and ``error_class`` besides code and message."""
    run_case(ENVELOPE_CASE, reference, mlflowd, backend_kind, http, strip=())


def run_case(case, reference, mlflowd, backend_kind, http, strip=()):
    prefix = f"{case.name.replace('_', '-')}"
    envs = {"ref": {"P": prefix}, "dut": {"P": prefix}}
    norms = {"ref": Normalizer({str(reference.cwd): "<server-cwd>"}),
             "dut": Normalizer({str(mlflowd.cwd): "<server-cwd>"})}
    bases = {"ref": reference.base_url, "dut": mlflowd.base_url}
    problems: list[str] = []
    for i, step in enumerate(case.steps):
        normalized = {}
        results = {}
        for side in ("ref", "dut"):
            res = send(http, bases[side], step, envs[side])
            results[side] = res
            for var, path in step.save.items():
                try:
                    value = dig(res.json, path)
                except (KeyError, IndexError, TypeError, ValueError):
                    continue  # both sides then keep "$var" unresolved
                envs[side][var] = value
                norms[side].learn_saved(var, value, path)
            normalized[side] = norms[side].normalize(res)
        ref, dut = results["ref"], results["dut"]
        where = f"step {i} {step.label()} {_show_body(step)}"
        if ref.status != dut.status:
            problems.append(f"{where}\n    status {dut.status} != expected {ref.status}\n"
                            f"    expected body: {ref.text[:600]}\n    actual body:   "
                            f"{dut.text[:600]}")
            continue
        if step.compare == STATUS:
            continue
        a, b = normalized["ref"], normalized["dut"]
        drop = set(strip) | ({"message"} if step.compare == NO_MESSAGE else set())
        if drop and isinstance(a, dict) and isinstance(b, dict) and "error_code" in a:
            a = {k: v for k, v in a.items() if k not in drop}
            b = {k: v for k, v in b.items() if k not in drop}
        if step.compare == UNORDERED:
            a, b = deep_sort(a), deep_sort(b)
        diffs = structural_diff(a, b)
        if diffs:
            problems.append(f"{where} (status {ref.status})\n    " + "\n    ".join(diffs[:40]))
    assert not problems, (f"[{backend_kind}] {len(problems)} step(s) differ from the reference "
                          f"server:\n" + "\n".join(problems))


def _show_body(step) -> str:
    import json as _json
    if step.raw is not None:
        s = f"raw={step.raw!r}"
    elif step.query is not None:
        s = f"?{step.query}"
    elif step.body is not None:
        s = _json.dumps(step.body)
    else:
        s = ""
    return s if len(s) <= 300 else s[:300] + "…"


def test_experiment_last_update_time_semantics(reference, mlflowd, backend_kind, http):
    """Which operations bump an experiment's ``last_update_time`` (times themselves are
    volatile, so each server's sequence is reduced to 'changed since the previous read')."""
    ops = [
        ("set-experiment-tag", {"key": "k", "value": "v"}),
        ("set-experiment-tag", {"key": "k", "value": "v2"}),
        ("delete-experiment-tag", {"key": "k"}),
        ("update", {"new_name": "$P-renamed"}),
        ("runs/create", {"start_time": 1}),
        ("delete", {}),
        ("restore", {}),
    ]
    seqs = {}
    for side, srv in (("reference", reference), ("mlflowd", mlflowd)):
        prefix = f"lut-{backend_kind}"
        api = srv.api
        eid = api.ok_post("experiments/create", {"name": prefix})["experiment_id"]
        exp = api.ok_get("experiments/get", {"experiment_id": eid})["experiment"]
        seq = [("create", exp["last_update_time"] == exp["creation_time"])]
        last = exp["last_update_time"]
        for op, body in ops:
            time.sleep(0.02)
            path = op if "/" in op else f"experiments/{op}"
            payload = {k: (v.replace("$P", prefix) if isinstance(v, str) else v)
                       for k, v in body.items()}
            api.ok_post(path, {"experiment_id": eid, **payload})
            exp = api.ok_get("experiments/get", {"experiment_id": eid})["experiment"]
            seq.append((op, exp["last_update_time"] > last))
            assert exp["last_update_time"] >= last
            last = exp["last_update_time"]
        seqs[side] = seq
    assert seqs["mlflowd"] == seqs["reference"]


ARTIFACT_ROOT_CASE = Case("default_artifact_root", [
    GET("experiments/get", {"experiment_id": "0"}),
    new_exp(),
    get_exp(),
    new_run(),
    get_run(),
    new_exp("$P-own", "e2", artifact_location="s3://elsewhere/p"),
    new_run("r2", exp="$e2"),
    get_run("r2"),
])


@pytest.mark.parametrize("root_kind", ["local-dir", "s3-uri"])
def test_default_artifact_root(root_kind, backend_kind, db_factory, server_factory, http):
    """``--default-artifact-root`` decides new experiments' (and experiment 0's) locations."""
    servers = {}
    for impl in ("python", "mlflowd"):
        db = db_factory(backend_kind)
        srv = server_factory(impl, db, label=f"root-{root_kind}-{impl}-{backend_kind}",
                             start=False)
        root = str(srv.cwd / "artifact-root") if root_kind == "local-dir" \
            else "s3://mlflowd-e2e-bucket/root"
        srv.cmd[srv.cmd.index("--artifacts-destination"):
                srv.cmd.index("--artifacts-destination")] = ["--default-artifact-root", root]
        servers[impl] = srv.start()
    try:
        run_case(ARTIFACT_ROOT_CASE, servers["python"], servers["mlflowd"], backend_kind, http,
                 strip=ERROR_EXTRAS)
        # The flag must really be in effect (else the comparison would be vacuous).
        ref_api = servers["python"].api
        eid = ref_api.ok_post("experiments/create", {"name": f"root-check-{root_kind}"})[
            "experiment_id"]
        loc = ref_api.ok_get("experiments/get", {"experiment_id": eid})["experiment"][
            "artifact_location"]
        assert "artifact-root" in loc if root_kind == "local-dir" else \
            loc == f"s3://mlflowd-e2e-bucket/root/{eid}", loc
    finally:
        for srv in servers.values():
            srv.stop()
