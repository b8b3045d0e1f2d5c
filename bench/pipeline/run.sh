#!/usr/bin/env bash
# Pipeline end-to-end benchmark (not a test). Seeds demo data into a throwaway managed cluster,
# runs `corrente pipeline run`, and prints total and per-stage seconds and series/s.
# Usage: bench/pipeline/run.sh [CORRENTE_BIN] [--x10] [--jobs N]
#   default data: 500 items x 10 sites x 3 years = 5,000 series; --x10: 5,000 items (50,000).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
corrente="${1:-$here/../../build/release/corrente}"
shift || true
items=500
jobs=0
while [ $# -gt 0 ]; do
  case "$1" in
    --x10) items=5000 ;;
    --jobs) jobs="$2"; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
unset DATABASE_URL
export CORRENTE_HOME
CORRENTE_HOME=$(mktemp -d /tmp/corrente-bench.XXXXXX)
chmod o+x "$CORRENTE_HOME"  # the cluster runs as an unprivileged user when we are root
trap '"$corrente" db stop >/dev/null 2>&1 || true; rm -rf "$CORRENTE_HOME"' EXIT
# Retry: another cluster on this machine may grab the chosen port between pick and bind.
for attempt in 1 2 3; do
  "$corrente" db start >/dev/null && break
  [ "$attempt" -eq 3 ] && exit 1
  sleep 2
done
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$(date +%s.%N)
seed_out=$("$corrente" seed --items "$items" --sites 10 --days 1095 --no-demo-users 2>&1) || {
  echo "seed failed:" >&2; tail -5 <<<"$seed_out" >&2; exit 1; }
grep -E '^seeded' <<<"$seed_out"
t1=$(date +%s.%N)
printf 'seed: %.1f s\n' "$(echo "$t1 - $t0" | bc)"
out=$("$corrente" pipeline run --jobs "$jobs" 2>/dev/null)
echo "$out"
# A second run on the same data (retention deletes, upserts in place).
out2=$("$corrente" pipeline run --jobs "$jobs" 2>/dev/null)
echo "second run: $(head -1 <<<"$out2")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
