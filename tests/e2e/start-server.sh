# Sourced by tests/e2e/run.sh and bench/web/run.sh: a throwaway cluster in CORRENTE_HOME, seeded,
# with a pipeline run, and `corrente serve` on a free port serving $web_root.
# Needs BIN, here, web_root set; leaves $port, $users ("name:pw:ROLE,..."), $server_pid, and an EXIT trap.
e2e_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# SEED_ARGS overrides the seed size (default: --items 30 --sites 3 --days 400).
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
step "seed (${SEED_ARGS:---items 30 --sites 3 --days 400})"
"$BIN" seed ${SEED_ARGS:---items 30 --sites 3 --days 400} >"$CORRENTE_HOME/seed.out" 2>>"$log"
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
  psql "$("$BIN" db url)" -v ON_ERROR_STOP=1 -q -f "$e2e_dir/minimal-analytics.sql" >>"$log" 2>&1
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

