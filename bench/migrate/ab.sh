#!/usr/bin/env bash
# A/B of `corrente migrate copy` variants on run.sh's store (generate it with run.sh first).
# Variants run in turn, RUNS rounds, each into a fresh database; prints per run wall time,
# client CPU, server CPU (exited backends and the live background processes: WAL writer,
# checkpointer, archiver with its pgBackRest children), peak RSS and the load average.
# Usage: [RUNS=3] bench/migrate/ab.sh 'LABEL|BINARY|ENV|COPY ARGS|SERVER SQL' ...
#   ENV: assignments for the copy (PGOPTIONS=-cmax_parallel_maintenance_workers=0);
#   SERVER SQL: statements (;-separated) run before the variant, then a reload
#   (ALTER SYSTEM SET wal_init_zero = off). Settings that need a restart are not reloaded.
# Example: bench/migrate/ab.sh "a|build/release/corrente||--verify|" "b|build/release/corrente||--verify --manifest /tmp/m|"
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/bench/out/migrate"
corrente="$root/build/release/corrente"
[ -f "$out/tienda.db" ] || { echo "no store: run bench/migrate/run.sh first" >&2; exit 1; }
. "$root/bench/migrate/lib.sh"
pm=$(head -1 "$pidfile")
tck=$(getconf CLK_TCK)
server_ticks() {
  local t c
  t=$(awk '{print $16 + $17}' "/proc/$pm/stat")
  for c in $(pgrep -P "$pm"); do
    t=$((t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$c/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
for run in $(seq 1 "${RUNS:-3}"); do
  for v in "$@"; do
    IFS='|' read -r label bin envs args sql <<<"$v"
    psql "$base/postgres" -qc "DROP DATABASE IF EXISTS bench_ab WITH (FORCE)" -c "CREATE DATABASE bench_ab" >/dev/null
    if [ -n "$sql" ]; then
      IFS=';' read -ra stmts <<<"$sql"
      for st in "${stmts[@]}"; do psql "$base/postgres" -qc "$st" >/dev/null; done
      psql "$base/postgres" -qc "SELECT pg_reload_conf()" >/dev/null
    fi
    DATABASE_URL="$base/bench_ab" "$bin" db upgrade >/dev/null 2>&1
    t0=$(server_ticks)
    load=$(cut -d' ' -f1 /proc/loadavg)
    # shellcheck disable=SC2086  # ENV and COPY ARGS are word lists
    DATABASE_URL="$(sock_url bench_ab)" env $envs /usr/bin/time -f "%e %U %S %M" -o "$out/ab.time" \
      "$bin" migrate copy "sqlite://$out/tienda.db" --schema tienda --jobs 2 $args >"$out/ab.log" 2>&1 ||
      echo "$label: copy failed, see $out/ab.log" >&2
    sleep 1  # let the backends exit
    case "$args" in *--verify*) grep -q "all 6 tables match" "$out/ab.log" || echo "$label: verify did not pass" >&2 ;; esac
    read -r wall user sys rss <"$out/ab.time"
    printf '%s %-24s wall %6.2f  client CPU %5.2f  server CPU %5.2f  RSS %3d MB  load %s\n' "$run" "$label" \
      "$wall" "$(echo "$user + $sys" | bc)" "$(echo "($(server_ticks) - $t0) / $tck" | bc -l)" \
      "$((rss / 1024))" "$load"
  done
done
