#!/usr/bin/env bash
# The one command that runs every test of mlflowd:
#   1. sets up .venv (repo root) from tests/requirements.txt (skipped while the file is unchanged),
#   2. cargo build --locked && cargo test --locked,
#   3. finds PostgreSQL (127.0.0.1:5432, or a throwaway cluster from the local PG binaries),
#   4. checks deploy/ and the Dockerfile offline: pytest tests/deploy,
#   5. installs chromium and playwright-core for the browser tests (tests/ui/setup.sh) and runs
#      the Python end-to-end suites: pytest tests/e2e (on SQLite and PostgreSQL).
#
# Usage: tests/run.sh [extra pytest args, e.g. -k differential]
# Environment:
#   MLFLOWD_TEST_PG   use this PostgreSQL base URI (postgresql://user@host:port) instead of probing
#   PYTHON            interpreter used to create .venv (default: python3.11, else python3)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

log() { printf '\n=== %s ===\n' "$*"; }

# --------------------------------------------------------------------------- 1. Python venv
VENV=$ROOT/.venv
REQ=$ROOT/tests/requirements.txt
STAMP=$VENV/.requirements.sha256
if [[ -z ${PYTHON:-} ]]; then
  if command -v python3.11 >/dev/null 2>&1; then PYTHON=python3.11; else PYTHON=python3; fi
fi
want=$(sha256sum "$REQ" | cut -d' ' -f1)
have=$(cat "$STAMP" 2>/dev/null || true)
if [[ ! -x $VENV/bin/python || $want != "$have" ]]; then
  log "Python venv: installing tests/requirements.txt into .venv"
  [[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQ"
  echo "$want" >"$STAMP"
else
  log "Python venv: up to date"
fi
export PATH="$VENV/bin:$PATH"

# --------------------------------------------------------------------------- 2. Rust
log "cargo build --locked"
cargo build --locked
log "cargo test --locked"
cargo test --locked

# --------------------------------------------------------------------------- 3. PostgreSQL
PG_TMP=""
PG_BIN=""
PG_USER=""
cleanup() {
  if [[ -n $PG_TMP ]]; then
    if [[ -n $PG_USER ]]; then
      runuser -u "$PG_USER" -- "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
    else
      "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$PG_TMP"
  fi
}
trap cleanup EXIT

if [[ -n ${MLFLOWD_TEST_PG:-} ]]; then
  log "PostgreSQL: using MLFLOWD_TEST_PG=$MLFLOWD_TEST_PG"
elif command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  export MLFLOWD_TEST_PG=postgresql://postgres@127.0.0.1:5432
  log "PostgreSQL: using the server on 127.0.0.1:5432"
else
  initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z $initdb ]]; then
    echo "error: no PostgreSQL on 127.0.0.1:5432 and no PostgreSQL binaries to start one;" >&2
    echo "       set MLFLOWD_TEST_PG=postgresql://user@host:port" >&2
    exit 1
  fi
  PG_BIN=$(dirname "$initdb")
  PG_TMP=$(mktemp -d -t mlflowd-pg.XXXXXX)
  port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  run_pg=()
  if [[ $(id -u) == 0 ]]; then
    # PostgreSQL refuses to run as root.
    if id postgres >/dev/null 2>&1; then PG_USER=postgres; else PG_USER=nobody; fi
    chown "$PG_USER" "$PG_TMP"
    chmod 755 "$PG_TMP"
    run_pg=(runuser -u "$PG_USER" --)
  fi
  log "PostgreSQL: starting a throwaway cluster on 127.0.0.1:$port ($PG_BIN)"
  "${run_pg[@]}" "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 --no-sync >"$PG_TMP/initdb.log" 2>&1 \
    || { cat "$PG_TMP/initdb.log" >&2; exit 1; }
  "${run_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
    -o "-h 127.0.0.1 -p $port -k $PG_TMP -F" start >/dev/null \
    || { cat "$PG_TMP/server.log" >&2; exit 1; }
  export MLFLOWD_TEST_PG=postgresql://postgres@127.0.0.1:$port
fi

# --------------------------------------------------------------------------- 4. deploy/ and Dockerfile
# Offline: yamllint, kubectl kustomize, kubernetes-validate, the manifests' invariants, hadolint,
# and the Dockerfile's build steps run outside Docker. Extra arguments go to the e2e run only.
log "pytest tests/deploy"
set +e
"$VENV/bin/python" -m pytest tests/deploy -ra
deploy_rc=$?
set -e

# --------------------------------------------------------------------------- 5. end-to-end
# The browser tests (tests/e2e/test_ui_browser.py) need Debian's chromium and playwright-core.
log "browser test tools: tests/ui/setup.sh"
bash tests/ui/setup.sh
export MLFLOWD_BIN=$ROOT/target/debug/mlflowd
log "pytest tests/e2e (mlflowd: $MLFLOWD_BIN)"
start=$(date +%s)
set +e
"$VENV/bin/python" -m pytest tests/e2e --timeout=300 -ra "$@"
rc=$?
set -e
log "pytest finished in $(( $(date +%s) - start ))s with exit code $rc (tests/deploy: $deploy_rc)"
if [[ $rc -eq 0 ]]; then rc=$deploy_rc; fi
exit $rc
