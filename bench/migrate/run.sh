#!/usr/bin/env bash
# Benchmark (not a test): corrente migrate copy + verify vs pgloader vs a raw \copy, on a
# generated SQLite store shaped like the Spanish retail database (>= 1.5M rows).
# Usage: [RUNS=N] bench/migrate/run.sh [CORRENTE_BINARY] [SALES_PER_DAY]
#   (defaults: build/release/corrente; 220: 19 stores x 365 days x 220 = 1.53M sales; RUNS=1:
#   with more, every run in turn, then the medians and each run's speed-up)
# Needs a release build and pgloader (installed with apt when missing).
# Prints wall time, rows/s and peak RSS side by side, plus what each tool kept of the schema.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
corrente="$root/build/release/corrente"
if [ -n "${1:-}" ] && [ -x "$1" ] && [ ! -d "$1" ]; then corrente="$(realpath "$1")"; shift; fi
out="$root/bench/out/migrate"
spd="${1:-220}"
jobs="${JOBS:-2}"
mkdir -p "$out"
[ -x "$corrente" ] || { echo "build first: cmake --preset release && cmake --build build/release" >&2; exit 1; }
if ! command -v pgloader >/dev/null; then
  echo "installing pgloader (apt)..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y pgloader >/dev/null
fi
. "$root/bench/migrate/lib.sh"
db="$out/tienda.db"
if [ ! -f "$db" ] || [ "$(cat "$out/tienda.spd" 2>/dev/null)" != "$spd" ]; then
  echo "generating the SQLite store ($spd sales per store-day)..." >&2
  python3 "$root/tests/migrate/make_spanish_retail.py" "$db" --stores 19 --products 4000 --days 365 \
    --sales-per-day "$spd" --seed 42 >"$out/tienda.rows"
  echo "$spd" >"$out/tienda.spd"
fi
count() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(sum(c.execute('select count(*) from \"%s\"' % t).fetchone()[0] for t in sys.argv[2:]))" "$db" "$@"; }
rows=$(count productos ubicaciones ventas inventario_actual clasificacion_abc usuarios)
ventas=$(count ventas)
echo "source: $db, $rows rows ($ventas in ventas), $(du -h "$db" | cut -f1)" >&2

# CPU time, as well as wall time: on a shared machine the wall clock depends on everyone
# else's load, the CPU seconds a run costs much less. The server's share is what the
# postmaster's exited children (the backends of the run) used: /proc cutime + cstime.
pm_pid=$(head -1 "$CORRENTE_HOME/pg/data/postmaster.pid")
tck=$(getconf CLK_TCK)
server_ticks() { awk '{print $16 + $17}' "/proc/$pm_pid/stat"; }
measure() {  # measure NAME command... -> appends "NAME wall rss_kb client_cpu server_cpu" to $out/results
  local name="$1"; shift
  local t0; t0=$(server_ticks)
  /usr/bin/time -v -o "$out/$name.time" "$@" >"$out/$name.log" 2>&1 || { echo "$name failed, see $out/$name.log" >&2; tail -5 "$out/$name.log" >&2; }
  sleep 0.5  # let the backends exit
  local wall rss ccpu scpu
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out/$name.time" | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/$name.time")
  ccpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$out/$name.time")
  scpu=$(echo "($(server_ticks) - $t0) / $tck" | bc -l)
  echo "$name $wall $rss $ccpu $scpu" >>"$out/results"
}
runs="${RUNS:-1}"
rm -f "$out/results" "$out/results.all"
python3 - "$db" "$out/ventas.csv" <<'PY'
import csv, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
with open(sys.argv[2], "w", newline="") as f:
    csv.writer(f).writerows(c.execute("select * from ventas"))
PY
for run in $(seq 1 "$runs"); do
for d in bench_corrente bench_pgloader bench_raw; do
  psql "$base/postgres" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" -c "CREATE DATABASE $d" >/dev/null
done
rm -f "$out/results"
echo "run $run of $runs, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# 1. corrente: copy (schema, data, keys, indexes, FKs, ANALYZE) then verify (both sides read in full).
DATABASE_URL="$base/bench_corrente" "$corrente" db upgrade >/dev/null 2>&1
DATABASE_URL="$(sock_url bench_corrente)" measure corrente_copy "$corrente" migrate copy "sqlite://$db" --schema tienda --jobs "$jobs"
DATABASE_URL="$(sock_url bench_corrente)" measure corrente_verify "$corrente" migrate verify "sqlite://$db" --schema tienda --jobs "$jobs"
grep -q "all 6 tables match" "$out/corrente_verify.log" && verify_ok=yes || verify_ok=NO
# The same in one command: verify starts when the data is loaded, while the indexes build.
DATABASE_URL="$(sock_url bench_corrente)" measure corrente_copy_verify "$corrente" migrate copy "sqlite://$db" --schema tienda1 --jobs "$jobs" --verify
grep -q "all 6 tables match" "$out/corrente_copy_verify.log" && verify1_ok=yes || verify1_ok=NO

# 2. pgloader, defaults, into another database on the same server.
# (over the socket there is no TLS; pgloader refuses the libpq sslmode it would inherit)
PGSSLMODE=disable measure pgloader pgloader "sqlite://$db" "$(pgl_url bench_pgloader)"

# 3. The physical limit: \copy of the largest table from CSV into an empty table.
psql "$base/bench_raw" -qc "CREATE TABLE ventas (id bigint, fecha timestamp, ubicacion_id varchar(20), producto_id varchar(20), cantidad numeric(12,3), precio_unitario numeric(12,2), venta_total numeric(14,2))"
measure raw_copy psql "$(sock_url bench_raw)" -qc "\\copy ventas FROM '$out/ventas.csv' (FORMAT csv)"
sed "s/^/$run /" "$out/results" >>"$out/results.all"
done

echo
printf '%-24s %8s %10s %9s %10s %10s %10s\n' "run" "wall s" "rows/s" "RSS MB" "client CPU" "server CPU" "total CPU"
while read -r name wall rss ccpu scpu; do
  n=$rows
  [ "$name" = raw_copy ] && n=$ventas
  printf '%-24s %8.2f %10.0f %9.1f %10.2f %10.2f %10.2f\n' "$name" "$wall" "$(echo "$n / $wall" | bc -l)" \
    "$(echo "$rss / 1024" | bc -l)" "$ccpu" "$scpu" "$(echo "$ccpu + $scpu" | bc -l)"
done <"$out/results"
get() { awk -v n="$1" -v f="$2" '$1 == n {print $f}' "$out/results"; }
cw=$(echo "$(get corrente_copy 2) + $(get corrente_verify 2)" | bc -l)
cc=$(echo "$(get corrente_copy 4) + $(get corrente_copy 5) + $(get corrente_verify 4) + $(get corrente_verify 5)" | bc -l)
printf '%-24s %8.2f %10.0f %9s %10s %10s %10.2f\n' "corrente copy + verify" "$cw" "$(echo "$rows / $cw" | bc -l)" "-" "-" "-" "$cc"
pw=$(get pgloader 2); pc=$(echo "$(get pgloader 4) + $(get pgloader 5)" | bc -l)
vw=$(get corrente_copy_verify 2); vc=$(echo "$(get corrente_copy_verify 4) + $(get corrente_copy_verify 5)" | bc -l)
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "speed-up over pgloader, wall: copy then verify $(echo "scale=2; $pw / $cw" | bc -l)x," \
  "copy --verify $(echo "scale=2; $pw / $vw" | bc -l)x (verify passed: $verify_ok, $verify1_ok)"
echo "speed-up over pgloader, CPU seconds: copy then verify $(echo "scale=2; $pc / $cc" | bc -l)x," \
  "copy --verify $(echo "scale=2; $pc / $vc" | bc -l)x"

if [ "$runs" -gt 1 ]; then
  echo
  echo "medians of $runs runs (each run's figures in brackets):"
  python3 - "$out/results.all" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    r, name, wall, rss, ccpu, scpu = line.split()
    runs.setdefault(int(r), {})[name] = (float(wall), float(rss) / 1024, float(ccpu) + float(scpu))
def med(xs): return statistics.median(xs)
def show(label, xs, fmt="%.2f"): print("  %-34s %s (%s)" % (label, fmt % med(xs), ", ".join(fmt % x for x in xs)))
for name in ["corrente_copy", "corrente_verify", "corrente_copy_verify", "pgloader", "raw_copy"]:
    show(name + " wall s", [runs[r][name][0] for r in sorted(runs)])
    show(name + " CPU s", [runs[r][name][2] for r in sorted(runs)])
    show(name + " RSS MB", [runs[r][name][1] for r in sorted(runs)], "%.1f")
rs = sorted(runs)
show("copy --verify speed-up, wall", [runs[r]["pgloader"][0] / runs[r]["corrente_copy_verify"][0] for r in rs])
show("copy --verify speed-up, CPU", [runs[r]["pgloader"][2] / runs[r]["corrente_copy_verify"][2] for r in rs])
show("copy then verify speed-up, wall", [runs[r]["pgloader"][0] / (runs[r]["corrente_copy"][0] + runs[r]["corrente_verify"][0]) for r in rs])
PY
fi

echo
echo "what each kept of the source schema (ventas / productos):"
for d in corrente:tienda pgloader:public; do
  dbn="bench_${d%%:*}"; sch="${d##*:}"
  psql "$base/$dbn" -At <<SQL | sed "s/^/  ${d%%:*}: /"
select 'productos.peso_kg type: ' || data_type from information_schema.columns where table_schema = '$sch' and table_name = 'productos' and column_name = 'peso_kg';
select 'NOT NULL columns: ' || count(*) from information_schema.columns where table_schema = '$sch' and is_nullable = 'NO';
select 'CHECK constraints: ' || count(*) from pg_constraint where connamespace = '$sch'::regnamespace and contype = 'c';
select 'index names kept (idx_ventas_fecha): ' || count(*) from pg_indexes where schemaname = '$sch' and indexname = 'idx_ventas_fecha';
select 'ventas rows: ' || count(*) from "$sch".ventas;
SQL
done
