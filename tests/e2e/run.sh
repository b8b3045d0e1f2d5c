#!/usr/bin/env bash
# End-to-end tests of the dashboard against a real `corrente serve`.
#   tests/e2e/run.sh CORRENTE_BIN [playwright test options, e.g. specs/overrides.spec.mjs or -g 'login']
# Starts a throwaway managed cluster in CORRENTE_HOME=$(mktemp -d), seeds it, runs the pipeline
# (`corrente pipeline run`; CORRENTE_PIPELINE_BIN may name another binary that has it; without one,
# minimal analytics rows are inserted with psql), serves web/dist on a free port, and runs the
# @playwright/test specs in tests/e2e/specs/ (one file per page) in Debian's chromium.
# Screenshots of the pages: tests/artifacts/e2e/. Traces and screenshots of failed tests:
# tests/e2e/results/ (`web/node_modules/.bin/playwright show-trace tests/e2e/results/*/trace.zip`).
# Needs: web/dist built (web/scripts/web.sh build) and web/node_modules (@playwright/test).
set -euo pipefail
BIN="$(readlink -f "${1:?usage: tests/e2e/run.sh CORRENTE_BIN [playwright options]}")"
shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
web_root="${CORRENTE_WEB_ROOT:-$repo/web/dist}"
artifacts="${E2E_ARTIFACTS:-$repo/tests/artifacts/e2e}"
chromium="${CHROMIUM:-/usr/bin/chromium}"

[ -x "$BIN" ] || { echo "e2e: $BIN is not executable" >&2; exit 2; }
[ -f "$web_root/index.html" ] || { echo "e2e: $web_root/index.html is missing: run web/scripts/web.sh build" >&2; exit 2; }
if [ ! -x "$chromium" ]; then
  echo "e2e: installing Debian's chromium" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q chromium >/dev/null; else sudo apt-get install -y -q chromium >/dev/null; fi
fi
[ -f "$repo/web/node_modules/@playwright/test/package.json" ] || "$repo/web/scripts/web.sh" deps
# The specs import @playwright/test: resolve it from web/node_modules (one install, one version).
ln -sfn ../../web/node_modules "$here/node_modules"

source "$here/start-server.sh"

rm -rf "$artifacts"; mkdir -p "$artifacts"
export E2E_DSN="$("$BIN" db url)" E2E_BASE="http://127.0.0.1:$port" E2E_USERS="$users" E2E_ARTIFACTS="$artifacts" \
  E2E_AUTH_DIR="$CORRENTE_HOME/e2e-auth" CHROMIUM="$chromium" PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
node "$repo/web/node_modules/@playwright/test/cli.js" test --config "$here/playwright.config.mjs" "$@"
# The planner's guide's screenshots come from a demo instead: web/scripts/guide-shots.mjs.
