"""Serving the official MLflow web UI: ``/`` (index.html) and ``/static-files/...`` from the files
``scripts/fetch-ui.py`` extracts from the ``mlflow==3.17.2`` wheel, with and without
``--static-prefix``, the page shown when the files are missing, and the stock client working
under a prefix.

The same assertions hold for the Python server in oracle mode (``MLFLOWD_BIN_IS_PYTHON=1``),
which serves the same files from its wheel; mlflowd-only behaviour is marked as such.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import mlflow
import pytest
import requests
from mlflow.tracking import MlflowClient

from conftest import REPO_ROOT, mlflowd_is_python

PREFIX = "/mlflow"


@pytest.fixture(scope="module")
def ui_files(e2e_tmp) -> Path:
    dest = Path(e2e_tmp) / "mlflow-ui"
    subprocess.run([sys.executable, str(REPO_ROOT / "scripts" / "fetch-ui.py"), str(dest)],
                   check=True, timeout=600)
    assert (dest / "index.html").is_file()
    return dest


@pytest.fixture(scope="module")
def ui_server(ui_files, db_factory, server_factory):
    return server_factory("mlflowd", db_factory("sqlite"), label="ui",
                          env={"MLFLOWD_UI_DIR": str(ui_files)})


@pytest.fixture(scope="module")
def prefixed(ui_files, db_factory, server_factory):
    return server_factory("mlflowd", db_factory("sqlite"), label="ui-prefix",
                          env={"MLFLOWD_UI_DIR": str(ui_files)},
                          extra_args=["--static-prefix", PREFIX])


def asset_urls(index_html: str) -> list[str]:
    """The relative asset URLs index.html loads (scripts, styles, icon, manifest)."""
    urls = re.findall(r'(?:src|href)="(\./)?(static-files/[^"]+)"', index_html)
    return sorted({u for _, u in urls})


def check_ui(base: str, ui_files: Path) -> None:
    """The page and every asset it names, byte for byte, with their types and caching."""
    r = requests.get(base + "/", timeout=30)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"].startswith("text/html"), r.headers
    index = (ui_files / "index.html").read_bytes()
    assert r.content == index
    urls = asset_urls(index.decode())
    assert any(u.endswith(".js") for u in urls) and any(u.endswith(".css") for u in urls), urls
    for url in urls:
        a = requests.get(f"{base}/{url}", timeout=30)
        assert a.status_code == 200, (url, a.status_code)
        assert a.content == (ui_files / url.removeprefix("static-files/")).read_bytes(), url
        assert "max-age=2419200" in a.headers.get("Cache-Control", ""), (url, a.headers)
        if url.endswith(".js"):
            assert "javascript" in a.headers["Content-Type"], (url, a.headers)
        if url.endswith(".css"):
            assert a.headers["Content-Type"].startswith("text/css"), (url, a.headers)
    # A lazily loaded chunk (not named in index.html) is served too.
    chunk = next((ui_files / "static" / "js").glob("*.chunk.js"))
    c = requests.get(f"{base}/static-files/static/js/{chunk.name}", timeout=30)
    assert c.status_code == 200 and c.content == chunk.read_bytes()


def test_index_and_assets(ui_server, ui_files):
    check_ui(ui_server.base_url, ui_files)


@pytest.mark.parametrize("path", [
    "/static-files/nope.js",
    "/static-files/../../../../etc/passwd",
    "/static-files/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static-files/..%2f..%2f..%2fetc%2fpasswd",
    "/static-files/static/",
    "/static-files/",
])
def test_static_files_outside_or_missing_are_404(ui_server, path):
    # A raw request line: requests would normalise the dots away.
    r = requests.Session().send(
        requests.Request("GET", ui_server.base_url + path).prepare(), timeout=30)
    assert r.status_code == 404, (path, r.status_code, r.text[:200])
    assert b"root:" not in r.content


def test_static_prefix_serves_ui_and_api(prefixed, ui_files):
    base = prefixed.base_url + PREFIX
    r = requests.get(base, allow_redirects=False, timeout=30)
    assert r.status_code == 308, r.status_code
    assert r.headers["Location"].endswith(PREFIX + "/"), r.headers
    check_ui(base, ui_files)
    for path in ["/", "/static-files/favicon.ico", "/api/2.0/mlflow/experiments/search"]:
        assert requests.get(prefixed.base_url + path, timeout=30).status_code == 404, path
    assert requests.get(base + "/health", timeout=30).text == "OK"
    assert requests.get(base + "/version", timeout=30).status_code == 200
    # Probes that do not know the prefix: mlflowd answers /health (MLflow answers 404 there).
    unprefixed = requests.get(prefixed.base_url + "/health", timeout=30)
    assert unprefixed.status_code == (404 if mlflowd_is_python() else 200)


def test_stock_client_under_static_prefix(prefixed, tmp_path):
    uri = prefixed.base_url + PREFIX
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(tracking_uri=uri)
    exp_id = client.create_experiment("under-a-prefix")
    note = tmp_path / "note.txt"
    note.write_text("hello through the prefix\n")
    with mlflow.start_run(experiment_id=exp_id) as run:
        mlflow.log_param("p", "1")
        for step in range(3):
            mlflow.log_metric("m", step * 0.5, step=step)
        mlflow.log_artifact(str(note))
    got = client.get_run(run.info.run_id)
    assert got.data.params == {"p": "1"} and got.data.metrics == {"m": 1.0}
    assert [m.value for m in client.get_metric_history(run.info.run_id, "m")] == [0, 0.5, 1.0]
    assert [f.path for f in client.list_artifacts(run.info.run_id)] == ["note.txt"]
    local = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="note.txt",
                                                dst_path=str(tmp_path / "dl"))
    assert Path(local).read_text() == "hello through the prefix\n"
    found = mlflow.search_runs(experiment_ids=[exp_id], filter_string="params.p = '1'",
                               output_format="list")
    assert [r.info.run_id for r in found] == [run.info.run_id]
    # The UI's own file download, relative to the page.
    r = requests.get(f"{uri}/get-artifact", params={"run_uuid": run.info.run_id,
                                                    "path": "note.txt"}, timeout=30)
    assert r.status_code == 200 and r.text == "hello through the prefix\n"


@pytest.mark.skipif(mlflowd_is_python(), reason="mlflowd's page for a missing UI")
def test_missing_ui_files_page_and_api_still_work(db_factory, server_factory, tmp_path):
    srv = server_factory("mlflowd", db_factory("sqlite"), label="no-ui",
                         env={"MLFLOWD_UI_DIR": str(tmp_path / "absent")})
    r = requests.get(srv.base_url + "/", timeout=30)
    assert r.status_code == 200 and "scripts/fetch-ui.py" in r.text and "--ui-dir" in r.text
    assert requests.get(srv.base_url + "/static-files/favicon.ico", timeout=30).status_code == 404
    r = requests.post(srv.base_url + "/api/2.0/mlflow/experiments/create",
                      json={"name": "api-without-ui"}, timeout=30)
    assert r.status_code == 200 and r.json()["experiment_id"]
