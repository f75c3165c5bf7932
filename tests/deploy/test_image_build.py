"""The Dockerfile's build, run outside Docker (no container engine on these machines).

The Dockerfile's stages run `cargo build --release --locked` and `python3 scripts/fetch-ui.py`;
this test checks that it still says so, then runs the same two steps into a scratch root laid out
like the image (`/usr/local/bin/mlflowd`, the `mlflow` link, `/usr/share/mlflowd/ui`) and starts
the result the way the image does (its ENV and CMD, through the `mlflow` link a manifest written
for the Python image would call). By default the cargo step uses the dev profile, which the test
command has just built (a release build costs ~10 minutes on two cores); set
``MLFLOWD_IMAGE_TEST_PROFILE=release`` to run the Dockerfile's exact command.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "Dockerfile"


def stages(text: str) -> dict[str, list[tuple[str, str]]]:
    """Instructions per stage name (`FROM … AS name`; the last, unnamed one is "runtime"),
    with line continuations joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", text)
    out: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        op, _, rest = line.partition(" ")
        op = op.upper()
        if op == "FROM":
            m = re.search(r"\s+AS\s+(\S+)\s*$", rest, re.IGNORECASE)
            current = m.group(1) if m else "runtime"
            out[current] = []
        if current is not None:
            out[current].append((op, rest.strip()))
    return out


def one(stage: list[tuple[str, str]], op: str) -> str:
    found = [rest for o, rest in stage if o == op]
    assert len(found) == 1, (op, found)
    return found[0]


@pytest.fixture(scope="module")
def dockerfile() -> dict[str, list[tuple[str, str]]]:
    assert DOCKERFILE.is_file(), "Dockerfile missing at the repository root"
    return stages(DOCKERFILE.read_text())


def test_dockerfile_runs_the_tested_commands(dockerfile):
    assert list(dockerfile) == ["build", "ui", "runtime"], list(dockerfile)
    build = one(dockerfile["build"], "RUN")
    assert "cargo build --release --locked" in build, build
    assert "target/release/mlflowd /out/usr/local/bin/mlflowd" in build, build
    assert "ln -s mlflowd /out/usr/local/bin/mlflow" in build, build
    ui = one(dockerfile["ui"], "RUN")
    assert ui == "python3 /fetch-ui.py /out/usr/share/mlflowd/ui", ui
    assert one(dockerfile["ui"], "COPY") == "scripts/fetch-ui.py /fetch-ui.py"
    runtime = dockerfile["runtime"]
    assert one(runtime, "ENV") == "MLFLOWD_UI_DIR=/usr/share/mlflowd/ui"
    assert json.loads(one(runtime, "ENTRYPOINT")) == ["/usr/local/bin/mlflowd"]
    user = one(runtime, "USER")
    assert user.split(":")[0] not in ("0", "root"), user
    # Everything the build stages COPY exists and survives .dockerignore.
    ignore = (REPO / ".dockerignore").read_text().split()
    for op, rest in dockerfile["build"] + dockerfile["ui"]:
        if op == "COPY" and not rest.startswith("--from"):
            for src in rest.split()[:-1]:
                assert (REPO / src).exists(), src
                assert f"!{src.rstrip('/')}" in [i.rstrip("/") for i in ignore], (src, ignore)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_build_steps_outside_docker_give_a_working_server(dockerfile, tmp_path):
    root = tmp_path / "image"
    profile = os.environ.get("MLFLOWD_IMAGE_TEST_PROFILE", "dev")
    cargo = ["cargo", "build", "--locked"] + (["--release"] if profile == "release" else [])
    subprocess.run(cargo, cwd=REPO, check=True, timeout=3600)
    built = REPO / "target" / ("release" if profile == "release" else "debug") / "mlflowd"
    bin_dir = root / "usr/local/bin"
    bin_dir.mkdir(parents=True)
    shutil.copy2(built, bin_dir / "mlflowd")
    (bin_dir / "mlflow").symlink_to("mlflowd")
    ui_dest = root / "usr/share/mlflowd/ui"
    subprocess.run([sys.executable, str(REPO / "scripts/fetch-ui.py"), str(ui_dest)],
                   check=True, timeout=600)
    assert (ui_dest / "index.html").is_file()

    # Start it as the image would: its ENV (paths moved under the scratch root) and CMD, through
    # the `mlflow` name; only the database and the port are the test's.
    env = dict(os.environ)
    env.pop("MLFLOW_TRACKING_URI", None)
    for op, rest in dockerfile["runtime"]:
        if op == "ENV":
            key, _, value = rest.partition("=")
            env[key] = str(root) + value if value.startswith("/") else value
    cmd = json.loads(one(dockerfile["runtime"], "CMD"))
    port = free_port()
    cmd[cmd.index("--port") + 1] = str(port)
    workdir = tmp_path / "work"
    workdir.mkdir()
    argv = [str(bin_dir / "mlflow"), *cmd, "--backend-store-uri",
            f"sqlite:///{workdir / 'mlflow.db'}", "--artifacts-destination",
            str(workdir / "artifacts")]
    log = open(tmp_path / "server.log", "wb")
    proc = subprocess.Popen(argv, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
            try:
                if requests.get(base + "/health", timeout=2).text == "OK":
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "server not healthy: " + shlex.join(argv)
            time.sleep(0.2)
        page = requests.get(base + "/", timeout=10)
        assert page.status_code == 200
        assert page.content == (ui_dest / "index.html").read_bytes()
        js = re.search(r'src="(static-files/static/js/main\.[^"]+\.js)"', page.text).group(1)
        asset = requests.get(f"{base}/{js}", timeout=10)
        assert asset.status_code == 200 and len(asset.content) > 100_000
        r = requests.post(base + "/api/2.0/mlflow/experiments/create",
                          json={"name": "from-the-image-layout"}, timeout=10)
        assert r.status_code == 200, r.text
    finally:
        proc.terminate()
        assert proc.wait(timeout=60) == 0
        log.close()
