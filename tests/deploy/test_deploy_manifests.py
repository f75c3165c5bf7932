"""deploy/: yamllint, `kubectl kustomize` of every overlay, `kubernetes-validate --strict` of
each rendering, and mlflowd's invariants (k8s_invariants.py) on each rendering.

Acceptance: "Every overlay renders and passes kubernetes-validate --strict and the invariants
test, in CI". Tool choices: the team research notes on Kubernetes deployments, B.5.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from yamllint import linter
from yamllint.config import YamlLintConfig

from deploytools import (
    DEPLOY, OVERLAYS, OVERLAYS_DIR, REQUIRED_OVERLAYS, ROOT, discovered_overlays, render, tool,
)
from k8s_invariants import CHECKS, find_servers
from k8s_model import Manifest

# Kubernetes minors whose bundled schemas (kubernetes-validate 1.37.0 ships 1.25-1.37) the
# renderings must satisfy: the oldest cluster we target, and the preinstalled kubectl's minor.
KUBERNETES_VERSIONS = ("1.30", "1.32")
YAMLLINT_CONFIGS = (".yamllint", ".yamllint.yaml", ".yamllint.yml")


def _rel(p: Path) -> str:
    return str(p.relative_to(ROOT))


# --------------------------------------------------------------------------- yamllint


def _yamllint_config() -> YamlLintConfig:
    for name in YAMLLINT_CONFIGS:
        if (DEPLOY / name).is_file():
            return YamlLintConfig(file=str(DEPLOY / name))
    return YamlLintConfig("extends: default")


def _yaml_files() -> list[Path]:
    if not DEPLOY.is_dir():
        return []
    conf = _yamllint_config()
    return sorted(p for p in DEPLOY.rglob("*") if p.is_file() and conf.is_yaml_file(str(p))
                  and not conf.is_file_ignored(str(p.relative_to(DEPLOY))))


def test_deploy_tree_has_yaml():
    assert DEPLOY.is_dir(), f"{_rel(DEPLOY)} does not exist"
    assert _yaml_files(), f"no YAML files under {_rel(DEPLOY)}"


@pytest.mark.parametrize("path", _yaml_files(), ids=_rel)
def test_yamllint(path: Path):
    conf = _yamllint_config()
    problems = list(linter.run(path.read_text(), conf, str(path)))
    errors = [f"{_rel(path)}:{p.line}:{p.column} [{p.rule}] {p.desc}" for p in problems if p.level == "error"]
    assert not errors, "yamllint errors:\n" + "\n".join(errors)


# --------------------------------------------------------------------------- rendering


def test_required_overlays_present():
    found = discovered_overlays()
    missing = [o for o in REQUIRED_OVERLAYS if o not in found]
    assert not missing, (f"overlays missing under {_rel(OVERLAYS_DIR)} (a directory with a kustomization.yaml): "
                         f"{missing}; found {found}")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kustomize_renders(overlay: str):
    assert Manifest.from_yaml(render(OVERLAYS_DIR / overlay)).docs, f"overlay {overlay} renders no objects"


def test_kustomize_renders_base():
    assert Manifest.from_yaml(render(DEPLOY / "base")).docs


# --------------------------------------------------------------------------- kubernetes-validate

_NO_SCHEMA = re.compile(r"Couldn't find schema for kind (\S+) with api version (\S+)")


def is_builtin_api(api_version: str) -> bool:
    """Core and `*.k8s.io` / dotless groups ship with Kubernetes; others are CRDs."""
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    return "." not in group or group.endswith(".k8s.io")


def kubernetes_validate(path: Path, version: str) -> list[str]:
    """Problems kubernetes-validate --strict reports for a file; a missing schema counts as a
    problem for built-in API groups (a removed apiVersion such as policy/v1beta1 only WARNs)."""
    exe = tool("kubernetes-validate", "pip install kubernetes-validate (see tests/requirements.txt)")
    proc = subprocess.run([exe, "--strict", "--quiet", "-k", version, str(path)],
                          capture_output=True, text=True, timeout=60)
    out = (proc.stdout + proc.stderr).splitlines()
    problems = [line for line in out if line.startswith("ERROR")]
    for line in out:
        mt = _NO_SCHEMA.search(line)
        if line.startswith("WARN") and mt and is_builtin_api(mt.group(2)):
            problems.append(f"{line} (a built-in API group: is this apiVersion removed or misspelt?)")
    if proc.returncode != 0 and not problems:
        problems.append(f"kubernetes-validate exited {proc.returncode}: {' / '.join(out)}")
    return problems


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kubernetes_validate_strict(overlay: str, version: str, tmp_path: Path):
    path = tmp_path / f"{overlay}.yaml"
    path.write_text(render(OVERLAYS_DIR / overlay))
    problems = kubernetes_validate(path, version)
    assert not problems, f"overlay {overlay}, Kubernetes {version}:\n" + "\n".join(problems)


# --------------------------------------------------------------------------- invariants


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_invariant(overlay: str, check):
    problems = check(Manifest.from_yaml(render(OVERLAYS_DIR / overlay)))
    assert not problems, f"overlay {overlay}, {check.__name__} ({check.__doc__.strip()}):\n- " + "\n- ".join(problems)


def test_static_prefix_overlay_runs_under_mlflow():
    servers = find_servers(Manifest.from_yaml(render(OVERLAYS_DIR / "static-prefix")))
    assert servers, "static-prefix overlay has no mlflowd server"
    assert [s.static_prefix for s in servers] == ["/mlflow"] * len(servers)


def test_onprem_overlay_uses_local_persistent_volumes():
    m = Manifest.from_yaml(render(OVERLAYS_DIR / "onprem-local-pv"))
    pvs = m.of_kind("PersistentVolume")
    assert pvs, "onprem-local-pv renders no PersistentVolume"
    assert all("local" in (pv.get("spec") or {}) or "hostPath" in (pv.get("spec") or {}) for pv in pvs)
