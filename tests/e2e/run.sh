#!/usr/bin/env bash
# End-to-end tests of the dashboard against a real `corrente serve`.
#   tests/e2e/run.sh CORRENTE_BIN
# Starts a throwaway managed cluster in CORRENTE_HOME=$(mktemp -d), seeds it, runs the pipeline
# (`corrente pipeline run`; CORRENTE_PIPELINE_BIN may name another binary that has it; without one,
# minimal analytics rows are inserted with psql), serves web/dist on a free port, drives Debian's
# chromium with playwright-core, and prints "N passed, N failed". Screenshots: tests/artifacts/e2e/.
# Needs: web/dist built (web/scripts/web.sh build) and web/node_modules (playwright-core).
set -euo pipefail
BIN="$(readlink -f "${1:?usage: tests/e2e/run.sh CORRENTE_BIN}")"
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
[ -d "$repo/web/node_modules/playwright-core" ] || (cd "$repo/web" && npm ci --no-audit --no-fund --loglevel=error)

export CORRENTE_HOME; CORRENTE_HOME="$(mktemp -d /tmp/corrente-e2e.XXXXXX)"
chmod 755 "$CORRENTE_HOME"
unset DATABASE_URL
log="$CORRENTE_HOME/e2e.log"
server_pid=""
cleanup() {
  local rc=$?
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  "$BIN" db stop >/dev/null 2>&1 || true
  if [ $rc -eq 0 ] && [ -z "${E2E_KEEP:-}" ]; then rm -rf "$CORRENTE_HOME"; else echo "e2e: kept $CORRENTE_HOME (logs in $log)" >&2; fi
  exit $rc
}
trap cleanup EXIT INT TERM

step() { echo "e2e: $*" >&2; }
step "cluster in $CORRENTE_HOME"
"$BIN" db start >>"$log" 2>&1
step "seed (30 items x 3 sites x 400 days)"
"$BIN" seed --items 30 --sites 3 --days 400 >"$CORRENTE_HOME/seed.out" 2>>"$log"
users="$(sed -n 's/.*demo login: *\([^ ]*\) *\/ *\([^ ]*\) *(\([A-Z]*\)).*/\1:\2:\3/p' "$CORRENTE_HOME/seed.out" | paste -sd, -)"
[ -n "$users" ] || { echo "e2e: no demo logins in the seed output:" >&2; cat "$CORRENTE_HOME/seed.out" >&2; exit 1; }

pipeline_bin=""
for b in "$BIN" "${CORRENTE_PIPELINE_BIN:-}"; do
  # CLI11 answers an unknown subcommand with the top-level help: look for it in the list.
  [ -n "$b" ] && "$b" --help 2>&1 | grep -qE '^ +pipeline +' && { pipeline_bin="$b"; break; }
done
if [ -n "$pipeline_bin" ]; then
  step "pipeline run ($pipeline_bin)"
  nice "$pipeline_bin" pipeline run >>"$log" 2>&1
else
  step "no 'pipeline' subcommand: inserting minimal analytics rows with psql"
  psql "$("$BIN" db url)" -v ON_ERROR_STOP=1 -q -f "$here/minimal-analytics.sql" >>"$log" 2>&1
fi

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
step "serve on 127.0.0.1:$port (web root $web_root)"
CORRENTE_WEB_ROOT="$web_root" "$BIN" serve --host 127.0.0.1 --port "$port" >>"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "e2e: the server exited:" >&2; tail -20 "$log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/" | grep -q 'id="root"' || { echo "e2e: / does not serve the dashboard" >&2; exit 1; }

rm -rf "$artifacts"; mkdir -p "$artifacts"
E2E_BASE="http://127.0.0.1:$port" E2E_USERS="$users" E2E_ARTIFACTS="$artifacts" CHROMIUM="$chromium" \
  node "$here/e2e.mjs"
