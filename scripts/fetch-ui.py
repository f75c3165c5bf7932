#!/usr/bin/env python3
"""Fetch MLflow's built web UI (the ``mlflow/server/js/build/`` tree of the ``mlflow`` wheel).

mlflowd serves the official UI but does not commit its ~27 MB of built JavaScript: this script
downloads the ``mlflow==3.17.2`` wheel with pip (so pip's own index settings, mirrors and proxies
apply), checks its SHA-256, and extracts only the UI into DEST (default: ``mlflow-ui`` in the
current directory, where ``mlflowd server`` looks first). The Dockerfile runs the same script.

Usage: python3 scripts/fetch-ui.py [DEST]

Idempotent: a DEST already holding this version is left as is. The tree is extracted next to
DEST and renamed into place, so an interrupted run never leaves a half-written UI behind.
Needs only Python 3.8+ with pip.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MLFLOW_VERSION = "3.17.2"
WHEEL = f"mlflow-{MLFLOW_VERSION}-py3-none-any.whl"
# pip download's own hash check cannot be used without a requirements file; this is the same
# check, on the one file we extract from.
WHEEL_SHA256 = "4e44c03791beb518d8b0a40b0982d958c2634d902f46d67d7907c82107f21fac"
BUILD_PREFIX = "mlflow/server/js/build/"
MARKER = ".mlflow-ui-version"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download(workdir: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "--quiet",
         "--no-deps", "--only-binary", ":all:", f"mlflow=={MLFLOW_VERSION}", "-d", str(workdir)],
        check=True,
    )
    wheel = workdir / WHEEL
    if not wheel.is_file():
        sys.exit(f"error: pip did not produce {WHEEL} in {workdir}")
    got = sha256(wheel)
    if got != WHEEL_SHA256:
        sys.exit(f"error: {WHEEL} has SHA-256 {got}, expected {WHEEL_SHA256}")
    return wheel


def extract(wheel: Path, target: Path) -> int:
    """Writes the UI files under target; returns how many."""
    count = 0
    root = target.resolve()
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            if not info.filename.startswith(BUILD_PREFIX) or info.is_dir():
                continue
            rel = info.filename[len(BUILD_PREFIX):]
            out = (target / rel).resolve()
            # A wheel is trusted once its hash matched; this keeps a bad entry name harmless.
            if root not in out.parents:
                sys.exit(f"error: refusing to extract {info.filename!r} outside {target}")
            out.parent.mkdir(parents=True, exist_ok=True)
            with z.open(info) as src, out.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            count += 1
    if not (target / "index.html").is_file():
        sys.exit(f"error: {WHEEL} has no {BUILD_PREFIX}index.html")
    return count


def main() -> None:
    dest = Path(sys.argv[1] if len(sys.argv) > 1 else "mlflow-ui")
    marker = dest / MARKER
    if marker.is_file() and marker.read_text().strip() == MLFLOW_VERSION:
        print(f"{dest}: MLflow {MLFLOW_VERSION} UI already present")
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".fetch-ui-", dir=dest.parent) as tmp:
        tmp_path = Path(tmp)
        wheel = download(tmp_path / "wheel")
        staged = tmp_path / "ui"
        count = extract(wheel, staged)
        (staged / MARKER).write_text(MLFLOW_VERSION + "\n")
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(staged, dest)
    print(f"{dest}: MLflow {MLFLOW_VERSION} UI, {count} files")


if __name__ == "__main__":
    main()
