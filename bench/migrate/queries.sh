#!/usr/bin/env bash
# Benchmark (not a test): the dashboard's main queries (bench/migrate/queries.sql) on the legacy
# store, as SQLite and as DuckDB, and on PostgreSQL after `corrente migrate copy`, side by
# side: the same data and the same query text, each engine in-process on one warm connection
# (query_timer), every value read as text; medians of RUNS runs after one warm-up. A last
# column runs the API's own shapes (queries_core.sql) on PostgreSQL after `corrente migrate
# map` into the star schema, where sales are already summed per day, store and item.
# Usage: bench/migrate/queries.sh [CORRENTE_BINARY] [SALES_PER_DAY] [RUNS]
#   (defaults: build/release/corrente; 100: 19 stores x 365 days x 100 = 694k sales; 9 runs)
# Needs a release build with DuckDB (scripts/deps_duckdb.sh): query_timer and duckdb_exec.
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,10s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
root="$(cd "$(dirname "$0")/../.." && pwd)"
corrente="$root/build/release/corrente"
if [ -n "${1:-}" ] && [ -x "$1" ] && [ ! -d "$1" ]; then corrente="$(realpath "$1")"; shift; fi
bin="$(dirname "$corrente")/src/migrate"
spd="${1:-100}"
runs="${2:-9}"
[[ "$spd" =~ ^[0-9]+$ && "$runs" =~ ^[0-9]+$ ]] || { echo "usage: $0 [CORRENTE_BINARY] [SALES_PER_DAY] [RUNS] (numbers)" >&2; exit 2; }
out="$root/bench/out/queries"
mkdir -p "$out"
for b in "$corrente" "$bin/query_timer" "$bin/duckdb_exec"; do
  [ -x "$b" ] || { echo "missing $b: scripts/deps_duckdb.sh, then cmake --preset release && cmake --build build/release" >&2; exit 1; }
done
export CORRENTE_HOME="${CORRENTE_HOME:-$root/bench/out/migrate/home}"
export CORRENTE_LOG_FORMAT=json
unset DATABASE_URL
"$corrente" db start >/dev/null 2>&1
export PGSSLMODE=verify-full PGSSLROOTCERT="$CORRENTE_HOME/pg/tls/ca.crt"
base=$("$corrente" db url)
base="${base%%\?*}"
base="${base%/*}"

# 1. The legacy store as SQLite (the generator of tests/migrate).
db="$out/tienda.db"
if [ ! -f "$db" ] || [ "$(cat "$out/tienda.spd" 2>/dev/null)" != "$spd full" ]; then
  echo "generating the SQLite store ($spd sales per store-day)..." >&2
  rm -f "$out/tienda.duckdb"
  python3 "$root/tests/migrate/make_spanish_retail.py" "$db" --stores 19 --products 4000 --days 365 \
    --sales-per-day "$spd" --seed 42 --full --snapshot-days 0 >/dev/null
  echo "$spd full" >"$out/tienda.spd"
fi

# 2. The same store as DuckDB: each table with its declared types, loaded from a CSV export.
if [ ! -f "$out/tienda.duckdb" ]; then
  echo "building the DuckDB store..." >&2
  mkdir -p "$out/csv"
  python3 - "$db" "$out/csv" >"$out/duckdb.sql" <<'PY'
import csv, re, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
def duck(t):
    t = t.upper()
    if t.startswith("INT"): return "BIGINT"
    if t.startswith("NUMERIC"): return t.replace("NUMERIC", "DECIMAL")
    if t in ("REAL", "DOUBLE", "FLOAT"): return "DOUBLE"
    if t == "BOOLEAN": return "BOOLEAN"
    if t == "DATETIME": return "TIMESTAMP"
    if t == "DATE": return "DATE"
    return "VARCHAR"
for (t,) in c.execute("select name from sqlite_master where type = 'table' order by name").fetchall():
    cols = c.execute('pragma table_info("%s")' % t).fetchall()
    pk = [r[1] for r in sorted(cols, key=lambda r: r[5]) if r[5]]
    ddl = ", ".join('"%s" %s%s' % (r[1], duck(r[2]), " NOT NULL" if r[3] else "") for r in cols)
    if pk: ddl += ", PRIMARY KEY (%s)" % ", ".join('"%s"' % k for k in pk)
    path = "%s/%s.csv" % (sys.argv[2], t)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([r[1] for r in cols])
        w.writerows(c.execute('select * from "%s"' % t))
    print('CREATE TABLE "%s" (%s);' % (t, ddl))
    print("COPY \"%s\" FROM '%s' (HEADER, NULLSTR '');" % (t, path))
PY
  "$bin/duckdb_exec" "$out/tienda.duckdb" <"$out/duckdb.sql"
  rm -rf "$out/csv"
fi

# 3. PostgreSQL after the migration: schema, data, keys, indexes, ANALYZE.
psql "$base/postgres" -qc "DROP DATABASE IF EXISTS bench_queries WITH (FORCE)" -c "CREATE DATABASE bench_queries" >/dev/null
export DATABASE_URL="$base/bench_queries"
"$corrente" db upgrade >/dev/null 2>&1
echo "migrating to PostgreSQL..." >&2
"$corrente" migrate copy "sqlite://$db" --schema tienda >"$out/copy.log" 2>&1
"$corrente" migrate map "sqlite://$db" --mapping "$root/examples/mappings/spanish_retail.json" >"$out/map.log" 2>&1
psql "$DATABASE_URL" -qc "ANALYZE" >/dev/null
pg="$DATABASE_URL?sslmode=verify-full&options=-csearch_path%3Dtienda"

echo "running the queries ($runs runs each)..." >&2
"$bin/query_timer" sqlite "$db" "$runs" "$root/bench/migrate/queries.sql" >"$out/sqlite.txt"
"$bin/query_timer" duckdb "$out/tienda.duckdb" "$runs" "$root/bench/migrate/queries.sql" >"$out/duckdb.txt"
"$bin/query_timer" pg "$pg" "$runs" "$root/bench/migrate/queries.sql" >"$out/pg.txt"
"$bin/query_timer" pg "$DATABASE_URL?sslmode=verify-full" "$runs" "$root/bench/migrate/queries_core.sql" >"$out/core.txt"

ventas=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from ventas').fetchone()[0])" "$db")
core=$(psql "$DATABASE_URL" -Atc "select count(*) from core.fact_demand_daily")
echo "store: $ventas sales ($core store-item-days in core.fact_demand_daily), 4000 items, 19 stores + 1 warehouse;" \
  "SQLite $(du -h "$db" | cut -f1), DuckDB $(du -h "$out/tienda.duckdb" | cut -f1)," \
  "PostgreSQL $(psql "$DATABASE_URL" -Atc "select pg_size_pretty(sum(pg_total_relation_size(c.oid))) from pg_class c where c.relnamespace = 'tienda'::regnamespace and c.relkind = 'r'") (with indexes)"
echo "load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %10s %10s %10s %6s  %-10s | %9s %6s\n' "query (median ms)" SQLite DuckDB PostgreSQL rows fastest "PG core" rows
paste -d' ' "$out/sqlite.txt" "$out/duckdb.txt" "$out/pg.txt" "$out/core.txt" |
  while read -r n s _ sr _ d _ dr _ p _ pr _ c _ cr; do
    rows="$sr"
    [ "$sr" = "$dr" ] && [ "$sr" = "$pr" ] || rows="$sr/$dr/$pr!"
    fastest=$(printf 'SQLite %s\nDuckDB %s\nPostgreSQL %s\n' "$s" "$d" "$p" | sort -k2 -g | head -1 | cut -d' ' -f1)
    printf '%-22s %10s %10s %10s %6s  %-10s | %9s %6s\n' "$n" "$s" "$d" "$p" "$rows" "$fastest" "$c" "$cr"
  done
