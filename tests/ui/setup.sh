#!/usr/bin/env bash
# Installs what the browser tests (tests/e2e/test_ui_browser.py) need, idempotently:
#   1. Debian's Chromium at /usr/bin/chromium (apt-get, only when it is missing; sudo when not root),
#   2. playwright-core at the exact version of package-lock.json into tests/ui/node_modules
#      (npm ci, only when the lock file changed since the last install).
# Playwright never downloads a browser here: the driver launches the system Chromium
# (/usr/bin/chromium; tests/ui/driver.mjs takes another path from MLFLOWD_CHROMIUM).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

CHROMIUM=/usr/bin/chromium
if [[ ! -x $CHROMIUM ]]; then
  echo "tests/ui/setup.sh: installing Debian's chromium" >&2
  sudo=()
  if [[ $(id -u) != 0 ]]; then sudo=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q --no-install-recommends chromium
fi
echo "tests/ui/setup.sh: $("$CHROMIUM" --version 2>/dev/null)" >&2

command -v node >/dev/null || { echo "tests/ui/setup.sh: node (>= 20) is required" >&2; exit 1; }
want=$(sha256sum package-lock.json | cut -d' ' -f1)
have=$(cat node_modules/.package-lock.sha256 2>/dev/null || true)
if [[ ! -d node_modules/playwright-core || $want != "$have" ]]; then
  echo "tests/ui/setup.sh: npm ci (playwright-core)" >&2
  # Never fetch Playwright's own browsers, whatever a later version's install script does.
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >node_modules/.package-lock.sha256
fi
