#!/usr/bin/env bash
# Dashboard benchmark (not a test): First Contentful Paint, time until all data of the dashboard,
# an item page and the inventory page is drawn, and gzipped JavaScript size, in headless Debian chromium.
#   bench/web/run.sh CORRENTE_BIN            throwaway cluster, demo-size seed, pipeline, serve (like the e2e)
#   bench/web/run.sh --base URL USER PASSWORD  against a running demo server (e.g. `make demo`)
# BENCH_RUNS (default 5) cold runs per page; SEED_ARGS (default: the demo's 500 items x 10 sites x 3 years).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
web_root="${CORRENTE_WEB_ROOT:-$repo/web/dist}"
[ -f "$repo/web/node_modules/@playwright/test/package.json" ] || "$repo/web/scripts/web.sh" deps
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "bench: install Debian's chromium (apt-get install -y chromium)" >&2; exit 2; }

if [ "${1:-}" = "--base" ]; then
  BENCH_BASE="$2" BENCH_USER="$3" BENCH_PASSWORD="$4" exec node "$here/bench.mjs"
fi
BIN="$(readlink -f "${1:?usage: bench/web/run.sh CORRENTE_BIN | --base URL USER PASSWORD}")"
[ -f "$web_root/index.html" ] || { echo "bench: build the dashboard first (web/scripts/web.sh build)" >&2; exit 2; }
export SEED_ARGS="${SEED_ARGS:---items 500 --sites 10 --days 1095}"
source "$repo/tests/e2e/start-server.sh"
admin="$(tr ',' '\n' <<<"$users" | grep ':ADMIN$' | head -1)"
BENCH_BASE="http://127.0.0.1:$port" BENCH_USER="${admin%%:*}" BENCH_PASSWORD="$(cut -d: -f2 <<<"$admin")" node "$here/bench.mjs"
