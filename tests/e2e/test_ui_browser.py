"""The official MLflow web UI in a real headless Chromium, on data logged by the stock client.

Two sites, each a fresh server with the same data (an experiment, two runs with params, tags, a
250-step metric, a text and a PNG artifact, a registered sklearn model version with an alias):

* ``pg-s3``: PostgreSQL backend, proxied artifacts on S3 (moto), the UI at ``/``;
* ``prefix``: SQLite, local artifacts, ``--static-prefix /mlflow`` (the UI at ``/mlflow/``).

Every test opens one hash route of the UI and asserts that

* the names and values logged are visible on the page (and, for charts and images, drawn);
* no request the page made failed (HTTP >= 400 or a network error), other than those listed in
  ``ALLOWED_FAILURES``, each of which MLflow's own server fails the same way;
* every request stayed under the site's root (the prefix is honoured by the UI's relative URLs);
* every GraphQL answer (HTTP 200 even on failure) has no ``errors`` and no ``apiError``;
* no uncaught exception reached the page (``pageerror``).

The browser is Debian's Chromium driven by playwright-core (``tests/ui/driver.mjs``); both are
installed by ``tests/ui/setup.sh``. Screenshots of every page go to
``<pytest basetemp>/ui-screenshots/<site>-<page>.png``, each with a ``.json`` beside it holding
every request the page made (a failure message names the file). In oracle mode
(``MLFLOWD_BIN_IS_PYTHON=1``) the Python server serves its own copy of the same UI, and the
module passes unchanged.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import struct
import subprocess
import sys
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from conftest import REPO_ROOT, Server, list_keys, s3_env

UI_TESTS = REPO_ROOT / "tests" / "ui"
DRIVER = UI_TESTS / "driver.mjs"
CHROMIUM = os.environ.get("MLFLOWD_CHROMIUM", "/usr/bin/chromium")
PREFIX = "/mlflow"

EXPERIMENT = "ui-browser-exp"
RUN_A = "ui-run-alpha"
RUN_B = "ui-run-beta"
MODEL = "ui-browser-model"
ALIAS = "champion"
NOTE = "hello from the browser test\nsecond line\n"
METRIC_STEPS = 250
PNG_SIZE = (64, 48)

# Requests the UI makes that fail on MLflow 3.17.2's own server as well (checked in oracle mode):
# (method, path relative to the site root as a regex, status, why it is fine).
ALLOWED_FAILURES = [
    ("GET", r"ajax-api/2\.0/mlflow/users/current", 404,
     "no user endpoint without --app-name basic-auth; MLflow's server answers 404 too and the UI "
     "then shows no user (reference §4.2)"),
]


# --------------------------------------------------------------------------------------------
# The browser
# --------------------------------------------------------------------------------------------


class Browser:
    """``node tests/ui/driver.mjs``: one Chromium for the module, one fresh context per page."""

    def __init__(self, log_path: Path):
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            ["node", str(DRIVER)], cwd=UI_TESTS, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._log, text=True, start_new_session=True,
            env={**os.environ, "MLFLOWD_CHROMIUM": CHROMIUM},
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        ready = self._read(90)
        assert ready.get("ready"), ready
        self.version = ready["browser"]

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _read(self, timeout: float) -> dict:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"browser driver silent for {timeout}s; log: {self.log_path}")
        if line is None:
            raise AssertionError(f"browser driver exited ({self.proc.poll()}): "
                                 f"{self.log_path.read_text(errors='replace')[-3000:]}")
        return json.loads(line)

    def visit(self, **cmd) -> dict:
        self.proc.stdin.write(json.dumps(cmd) + "\n")
        self.proc.stdin.flush()
        return self._read(180)

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=20)
            except (subprocess.TimeoutExpired, BrokenPipeError):
                os.killpg(self.proc.pid, 9)
                self.proc.wait(timeout=10)
        self._log.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory) -> Path:
    path = tmp_path_factory.getbasetemp() / "ui-screenshots"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser(e2e_tmp) -> Browser:
    missing = [what for what, ok in [
        (CHROMIUM, os.access(CHROMIUM, os.X_OK)),
        ("node", shutil.which("node") is not None),
        ("tests/ui/node_modules/playwright-core", (UI_TESTS / "node_modules" / "playwright-core").is_dir()),
    ] if not ok]
    if missing:
        pytest.fail(f"browser tests need {', '.join(missing)}: run tests/ui/setup.sh "
                    "(tests/run.sh does)", pytrace=False)
    b = Browser(Path(e2e_tmp) / "ui-browser-driver.log")
    yield b
    b.close()


# --------------------------------------------------------------------------------------------
# Servers and data
# --------------------------------------------------------------------------------------------


@dataclass
class Site:
    label: str
    server: Server
    root: str  # the UI's URL, ending in "/": http://127.0.0.1:port[/prefix]/
    exp_id: str = ""
    run_a: str = ""
    run_b: str = ""


@pytest.fixture(scope="module")
def ui_files(e2e_tmp) -> Path:
    # The same folder test_ui_serving.py fills: fetch-ui.py leaves a current copy alone.
    dest = Path(e2e_tmp) / "mlflow-ui"
    subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "fetch-ui.py"), str(dest)],
                   check=True, timeout=600)
    return dest


def png_bytes(width: int, height: int) -> bytes:
    """A small RGB gradient as a valid PNG (no imaging library needed)."""
    rows = b"".join(
        b"\x00" + b"".join(bytes([(x * 4) % 256, (y * 5) % 256, 128]) for x in range(width))
        for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def log_data(site: Site, workdir: Path) -> None:
    """What the pages show, logged with the stock client through the site's tracking URI."""
    import mlflow
    import numpy as np
    import pandas as pd
    from mlflow import MlflowClient
    from mlflow.entities import Metric
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    uri = site.root.rstrip("/")
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    # The registry URI is separate: registered_model_name= would use a stale one.
    mlflow.set_registry_uri(uri)
    try:
        client = MlflowClient(uri, registry_uri=uri)
        site.exp_id = client.create_experiment(EXPERIMENT, tags={"project": "browser-tests"})
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "notes.txt").write_text(NOTE)
        (workdir / "plot.png").write_bytes(png_bytes(*PNG_SIZE))
        with mlflow.start_run(experiment_id=site.exp_id, run_name=RUN_A) as run:
            mlflow.log_params({"learning_rate": "0.01", "optimizer": "adam"})
            now = int(time.time() * 1000)
            history = [Metric("loss", 1.0 / (1 + 0.05 * s), now + s, s)
                       for s in range(METRIC_STEPS)]
            for i in range(0, METRIC_STEPS, 100):
                client.log_batch(run.info.run_id, metrics=history[i:i + 100])
            mlflow.log_metric("accuracy", 0.875)
            mlflow.set_tags({"team": "vision", "purpose": "ui-check"})
            mlflow.log_artifact(str(workdir / "notes.txt"))
            mlflow.log_artifact(str(workdir / "plot.png"))
            X = pd.DataFrame({"petal_width": [0.1, 0.4, 1.3, 1.8]})
            y = np.array([0, 0, 1, 1])
            model = LogisticRegression().fit(X, y)
            mlflow.sklearn.log_model(model, name="model", registered_model_name=MODEL,
                                     signature=infer_signature(X, model.predict(X)))
        site.run_a = run.info.run_id
        with mlflow.start_run(experiment_id=site.exp_id, run_name=RUN_B) as run_b:
            mlflow.log_params({"learning_rate": "0.1", "optimizer": "sgd"})
            client.log_batch(run_b.info.run_id, metrics=[
                Metric("loss", 0.5 - 0.05 * s, now + s, s) for s in range(5)])
        site.run_b = run_b.info.run_id
        client.set_registered_model_alias(MODEL, ALIAS, "1")
    finally:
        mlflow.set_tracking_uri(previous)


@pytest.fixture(scope="module", params=["pg-s3", "prefix"])
def site(request, ui_files, db_factory, server_factory, e2e_tmp) -> Site:
    env = {"MLFLOWD_UI_DIR": str(ui_files)}
    if request.param == "pg-s3":
        moto = request.getfixturevalue("moto_s3")
        bucket = moto.create_bucket("ui-browser")
        srv = server_factory("mlflowd", db_factory("postgres"), label="ui-browser-pg-s3",
                             artifacts_destination=f"s3://{bucket}/artifacts",
                             env={**env, **s3_env(moto.url)})
    else:
        srv = server_factory("mlflowd", db_factory("sqlite"), label="ui-browser-prefix",
                             env=env, extra_args=["--static-prefix", PREFIX])
    s = Site(request.param, srv, f"{srv.base_url}{srv.prefix}/")
    log_data(s, Path(e2e_tmp) / f"ui-browser-data-{request.param}")
    if request.param == "pg-s3":
        # The pages below read these files back from S3.
        keys = list_keys(moto.client(), bucket)
        for name in ("notes.txt", "plot.png"):
            assert f"artifacts/{s.exp_id}/{s.run_a}/artifacts/{name}" in keys, sorted(keys)
    yield s
    srv.stop()


# --------------------------------------------------------------------------------------------
# One page
# --------------------------------------------------------------------------------------------


def allowed_failure(method: str, rel: str, status: int | None) -> bool:
    return any(method == m and re.fullmatch(p, rel.split("?", 1)[0]) and status == s
               for m, p, s, _ in ALLOWED_FAILURES)


def api_errors(value, path="data") -> list[str]:
    """Every non-null ``apiError`` inside a GraphQL answer's data."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "apiError" and v is not None:
                found.append(f"{path}.apiError = {json.dumps(v)[:300]}")
            else:
                found += api_errors(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += api_errors(v, f"{path}[{i}]")
    return found


def graphql_problems(q: dict) -> list[str]:
    """A 200 GraphQL answer still fails when it carries ``errors`` or an ``apiError``."""
    op = re.search(r'"operationName"\s*:\s*"(\w+)"', q["post_data"] or "")
    what = f"POST graphql ({op.group(1) if op else '?'})"
    if q.get("body") is None:
        return [f"{what}: answer unreadable: {q.get('body_error')}"]
    try:
        answer = json.loads(q["body"])
    except ValueError:
        return [f"{what}: not JSON: {q['body'][:300]!r}"]
    problems = []
    if answer.get("errors"):
        problems.append(f"{what}: errors {json.dumps(answer['errors'])[:500]}")
    problems += [f"{what}: {e}" for e in api_errors(answer.get("data"))]
    return problems


def open_page(browser: Browser, site: Site, screenshots: Path, name: str, route: str,
              **cmd) -> dict:
    """Loads ``route`` (a hash route such as ``#/models``) and returns the driver's report after
    checking what every page must satisfy; ``cmd`` holds the page's own waits and probes."""
    shot = screenshots / f"{site.label}-{name}.png"
    r = browser.visit(url=site.root + route, screenshot=str(shot), **cmd)
    shot.with_suffix(".json").write_text(json.dumps(r, indent=1))
    problems = []
    if not r["ok"]:
        problems.append(f"driver error: {r['error']}")
    for text in r.get("missing_text", []):
        problems.append(f"not shown: {text!r}")
    for err in r.get("page_errors", []):
        problems.append(f"uncaught error in the page: {err[:800]}")
    for q in r.get("requests", []):
        url = q["url"]
        if url.startswith(("data:", "blob:")):
            continue
        if not url.startswith(site.root):
            problems.append(f"request outside the site root {site.root}: {q['method']} {url}")
            continue
        rel = url[len(site.root):]
        if q["failure"]:
            problems.append(f"network failure: {q['method']} {rel}: {q['failure']}")
        elif q["status"] is None:
            # Playwright does not see a SharedWorker's script answer: fetch it ourselves.
            if re.search(r"\.worker\.js(\?|$)", url):
                status = requests.get(url, timeout=30).status_code
                if status >= 400:
                    problems.append(f"HTTP {status}: GET {rel}")
            else:
                problems.append(f"never answered: {q['method']} {rel}")
        elif q["status"] >= 400 and not allowed_failure(q["method"], rel, q["status"]):
            body = f" {q['post_data'][:200]}" if q["post_data"] else ""
            problems.append(f"HTTP {q['status']}: {q['method']} {rel}{body}")
        elif "body" in q or "body_error" in q:
            problems += graphql_problems(q)
    assert not problems, (
        f"{site.label} {route}: " + "\n  ".join([""] + problems)
        + f"\n  screenshot: {shot}\n  console errors: {r.get('console_errors')}")
    return r


def called(r: dict, method: str, pattern: str) -> list[dict]:
    """The page's requests whose URL matches ``pattern`` (a regex searched in the URL)."""
    return [q for q in r["requests"] if q["method"] == method and re.search(pattern, q["url"])]


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


def test_experiment_list(browser, site, screenshots):
    r = open_page(browser, site, screenshots, "experiments", "#/experiments",
                  wait_text=[EXPERIMENT, "Default"])
    assert called(r, "GET", r"ajax-api/2\.0/mlflow/experiments/search\?")


def test_runs_table(browser, site, screenshots):
    r = open_page(browser, site, screenshots, "runs-table", f"#/experiments/{site.exp_id}/runs",
                  wait_text=[RUN_A, RUN_B, "2 matching runs"])
    assert called(r, "POST", r"/graphql$"), "the experiment is read through GraphQL"


def test_run_overview(browser, site, screenshots):
    r = open_page(browser, site, screenshots, "run-overview",
                  f"#/experiments/{site.exp_id}/runs/{site.run_a}",
                  wait_text=[RUN_A, "Parameters (2)", "learning_rate", "0.01", "optimizer", "adam",
                             "Metrics (2)", "accuracy", "0.875", "loss",
                             "team", "vision", "purpose", "ui-check", MODEL, "v1"])
    assert any('"operationName":"GetRun"' in q["post_data"]
               for q in called(r, "POST", r"/graphql$")), "the run is read through GraphQL"


def test_run_metric_chart(browser, site, screenshots):
    r = open_page(
        browser, site, screenshots, "run-metric-chart",
        f"#/experiments/{site.exp_id}/runs/{site.run_a}/model-metrics",
        wait_text=["loss", "accuracy", f"{RUN_A} (loss)"],
        # Plotly draws each line as an SVG path: wait for one with many vertices.
        wait_js=["[...document.querySelectorAll('path.js-line')]"
                 ".some(p => ((p.getAttribute('d') || '').match(/[ML]/g) || []).length >= 10)"],
        probes={
            "lines": "[...document.querySelectorAll('path.js-line')]"
                     ".map(p => ((p.getAttribute('d') || '').match(/[ML]/g) || []).length)",
            "xticks": "[...document.querySelectorAll('.xtick text')].map(t => t.textContent)",
        })
    # The 250-step history drawn as a curve, and the x axis reaching past step 200.
    assert max(r["probes"]["lines"]) >= 10, r["probes"]
    assert "200" in r["probes"]["xticks"], r["probes"]
    history = called(r, "GET", r"metrics/get-history-bulk-interval\?.*metric_key=loss")
    assert history and all(q["status"] == 200 for q in history), history


def test_run_artifact_text_preview(browser, site, screenshots):
    r = open_page(browser, site, screenshots, "run-artifact-text",
                  f"#/experiments/{site.exp_id}/runs/{site.run_a}/artifacts/notes.txt",
                  wait_text=["notes.txt", "plot.png", "hello from the browser test",
                             "second line"])
    # The file's bytes came from the server (get-artifact or the proxied artifact route).
    assert called(r, "GET", r"(get-artifact\?|mlflow-artifacts/artifacts/).*notes\.txt"), \
        [q["url"] for q in r["requests"]]


def test_run_artifact_image_preview(browser, site, screenshots):
    w, h = PNG_SIZE
    r = open_page(browser, site, screenshots, "run-artifact-image",
                  f"#/experiments/{site.exp_id}/runs/{site.run_a}/artifacts/plot.png",
                  wait_text=["plot.png"],
                  wait_js=[f"[...document.images].some(i => i.complete && i.naturalWidth === {w}"
                           f" && i.naturalHeight === {h})"],
                  probes={"images": "[...document.images].map(i => [i.naturalWidth, i.naturalHeight])"})
    assert [w, h] in r["probes"]["images"], r["probes"]


def test_compare_runs(browser, site, screenshots):
    route = (f'#/compare-runs?runs=["{site.run_a}","{site.run_b}"]'
             f'&experiments=["{site.exp_id}"]')
    r = open_page(browser, site, screenshots, "compare-runs", route,
                  wait_text=["Comparing 2 Runs", RUN_A, RUN_B, "learning_rate", "optimizer",
                             "adam", "sgd"],
                  wait_js=["document.querySelectorAll('.js-plotly-plot').length > 0"])
    assert called(r, "POST", r"ajax-api/2\.0/mlflow/runs/search$")


def test_registered_models_list(browser, site, screenshots):
    open_page(browser, site, screenshots, "models", "#/models",
              wait_text=[MODEL, "Version 1", ALIAS],
              actions=[{"press": "Escape"}])  # the "new model registry UI" announcement


def test_registered_model_page(browser, site, screenshots):
    open_page(browser, site, screenshots, "model", f"#/models/{MODEL}",
              wait_text=[MODEL, "Version 1", ALIAS])


def test_model_version_page(browser, site, screenshots):
    r = open_page(browser, site, screenshots, "model-version", f"#/models/{MODEL}/versions/1",
                  wait_text=["Version 1", ALIAS, RUN_A, "Inputs (1)", "Outputs (1)"],
                  actions=[{"click_text": "Inputs (1)"}], after_text=["petal_width"])
    # The schema comes from the version's MLmodel file, read through the UI's artifact route.
    mlmodel = called(r, "GET", r"model-versions/get-artifact\?.*path=MLmodel")
    assert any(q["status"] == 200 for q in mlmodel), mlmodel


def test_experiment_overview(browser, site, screenshots):
    r = open_page(browser, site, screenshots, "experiment-overview", f"#/experiments/{site.exp_id}",
                  wait_text=[EXPERIMENT, "Overview", "Training runs"])
    assert "/overview" in r["final_url"], r["final_url"]
    assert called(r, "POST", r"/graphql$")


def test_logged_models_tab(browser, site, screenshots):
    r = open_page(browser, site, screenshots, "logged-models", f"#/experiments/{site.exp_id}/models",
                  wait_text=[EXPERIMENT, "Ready", RUN_A])
    assert called(r, "POST", r"ajax-api/2\.0/mlflow/logged-models/search$")
