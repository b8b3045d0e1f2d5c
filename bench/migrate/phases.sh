#!/usr/bin/env bash
# The server's share of a `migrate copy --verify`, phase by phase (bench, not a test): replays
# on the bench cluster, one psql session per phase, what the copy asks of PostgreSQL, with the
# rows of a finished copy (run.sh's schema `tienda`), and prints each phase's server CPU
# seconds (the postmaster's exited children: backends and parallel workers) and wall time.
# Phases: COPY FROM (binary, as the copy sends; ventas as in its key ranges, not FREEZE,
# and once more as one COPY FREEZE), the read-back of verify (text COPY TO, as verify reads),
# each index build (maintenance_work_mem 256MB, as the copy sets), the primary keys on their
# indexes, ANALYZE. The client's share is in the copy's own log (`copy CPU:` line).
# Usage: bench/migrate/phases.sh [BINARY]   (after run.sh or ab.sh, with bench_corrente.tienda)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/bench/out/migrate"
corrente="${1:-$root/build/release/corrente}"
. "$root/bench/migrate/lib.sh"
db="${DB:-bench_corrente}"
url=$(sock_url "$db")
pm=$(head -1 "$pidfile")
tck=$(getconf CLK_TCK)
ticks() { awk '{print $16 + $17}' "/proc/$pm/stat"; }
total=0
phase() {  # phase LABEL SQL... : one psql session; prints its server CPU and wall time
  local label="$1"; shift
  local args=() s
  for s in "$@"; do args+=(-c "$s"); done
  local t0 w0 cpu wall
  t0=$(ticks); w0=$(date +%s.%N)
  psql "$url" -qAt -v ON_ERROR_STOP=1 "${args[@]}" >/dev/null
  wall=$(echo "$(date +%s.%N) - $w0" | bc -l)
  sleep 0.3  # the backend's exit
  cpu=$(echo "($(ticks) - $t0) / $tck" | bc -l)
  total=$(echo "$total + $cpu" | bc -l)
  printf '  %-44s server %5.2f CPU-s  wall %5.2f s  load %s\n' "$label" "$cpu" "$wall" \
    "$(cut -d' ' -f1 /proc/loadavg)"
}
tables=$(psql "$url" -Atc "SELECT relname FROM pg_class WHERE relnamespace = 'tienda'::regnamespace AND relkind = 'r' ORDER BY relpages DESC")
psql "$url" -qc "DROP SCHEMA IF EXISTS phases CASCADE" -c "CREATE SCHEMA phases"
for t in $tables; do
  [ -f "$out/phases.$t.bin" ] || psql "$url" -qc "\\copy tienda.$t TO '$out/phases.$t.bin' (FORMAT binary)"
  psql "$url" -qc "CREATE TABLE phases.$t (LIKE tienda.$t INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
done
echo "server CPU per phase (database $db, load average $(cut -d' ' -f1-3 /proc/loadavg)):"
# ventas as its key ranges load it: into a table created by an earlier transaction (no FREEZE)
phase "COPY FROM ventas (binary, no FREEZE)" "\\copy phases.ventas FROM '$out/phases.ventas.bin' (FORMAT binary)"
others=()
for t in $tables; do
  [ "$t" = ventas ] && continue
  others+=("BEGIN" "TRUNCATE phases.$t" "\\copy phases.$t FROM '$out/phases.$t.bin' (FORMAT binary, FREEZE)" "COMMIT")
done
phase "COPY FROM the 5 other tables (FREEZE)" "${others[@]}"
reads=()
for t in $tables; do reads+=("\\copy (SELECT * FROM phases.$t) TO '/dev/null'"); done
phase "verify read-back (text COPY TO, all tables)" "${reads[@]}"
while IFS='|' read -r name def; do
  phase "index $name" "SET maintenance_work_mem = '256MB'" "${def//tienda./phases.}"
done < <(psql "$url" -At -F'|' -c "SELECT indexname, replace(replace(indexdef, 'CREATE UNIQUE INDEX ' || indexname, 'CREATE UNIQUE INDEX'), 'CREATE INDEX ' || indexname, 'CREATE INDEX') FROM pg_indexes WHERE schemaname = 'tienda' ORDER BY indexname")
an=()
for t in $tables; do an+=("ANALYZE phases.$t"); done
phase "ANALYZE (all tables)" "${an[@]}"
printf '  %-44s server %5.2f CPU-s\n' "sum" "$total"
# For comparison: ventas as one COPY FREEZE in the transaction that creates it.
psql "$url" -qc "DROP TABLE phases.ventas"
phase "(ventas as one COPY FREEZE, created in it)" "BEGIN" \
  "CREATE TABLE phases.ventas (LIKE tienda.ventas INCLUDING DEFAULTS INCLUDING CONSTRAINTS)" \
  "\\copy phases.ventas FROM '$out/phases.ventas.bin' (FORMAT binary, FREEZE)" "COMMIT"
phase "(its verify read-back, frozen pages)" "\\copy (SELECT * FROM phases.ventas) TO '/dev/null'"
psql "$url" -qc "DROP SCHEMA phases CASCADE"
