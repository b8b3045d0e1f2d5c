#!/usr/bin/env bash
# Policy-simulation benchmark (not a test): a throwaway managed cluster with the default demo
# data (500 items x 10 sites x 3 years, unchanged generator), then `corrente simulate` over the
# last 365 days with weekly refits: the specification's rule (`spec`, the peer) next to
# Corrente's `normal` and `empirical` policies on the same demand and lead-time draws, and the
# service-level sweep that traces each policy's stockouts-against-stock curve. Prints the table,
# the wall time, and writes simulate.csv and simulate.svg to BENCH_OUT (default ./bench-out).
#
# Usage: bench/simulate/run.sh [path/to/corrente]   (default build/release/corrente)
# Env: BENCH_SAMPLE (0 = every series), BENCH_SWEEP (0.9,0.95,0.98,0.995), BENCH_OUT
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
corrente="$(realpath "${1:-$root/build/release/corrente}")"
sample=${BENCH_SAMPLE:-0} sweep=${BENCH_SWEEP:-0.9,0.95,0.98,0.995} out=${BENCH_OUT:-$PWD/bench-out}
mkdir -p "$out"
unset DATABASE_URL
export CORRENTE_HOME=$(mktemp -d /tmp/corrente-sim.XXXXXX) CORRENTE_PG_FAST=1
chmod 755 "$CORRENTE_HOME"
trap '"$corrente" db stop >/dev/null 2>&1; rm -rf "$CORRENTE_HOME"' EXIT
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$corrente" db start >/dev/null 2>&1
"$corrente" db upgrade >/dev/null 2>&1
"$corrente" seed 2>&1 | grep '^seeded' || true
t0=$(date +%s.%N)
"$corrente" simulate --sample "$sample" --no-store --output "$out/simulate.csv" --svg "$out/simulate.svg" \
  2>/dev/null
t1=$(date +%s.%N)
echo "default service levels: $(python3 -c "print(f'{$t1-$t0:.1f}')") s wall for 3 policies"
"$corrente" simulate --sample "$sample" --no-store --service-levels "$sweep" \
  --output "$out/simulate-sweep.csv" --svg "$out/simulate-sweep.svg" 2>/dev/null
python3 - "$out/simulate-sweep.csv" <<'PY'
# At equal stock: at each stock level the spec rule reaches (its class levels and its sweep),
# every other policy's stockout rate interpolated on its own sweep curve.
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["class"] == "all"]
curves = {}
for r in rows:
    if r["service_level"] != "class":
        curves.setdefault(r["policy"], []).append((float(r["avg_on_hand_units"]), float(r["stockout_rate"])))
spec = sorted((float(r["avg_on_hand_units"]), float(r["stockout_rate"]), r["service_level"]) for r in rows if r["policy"] == "spec")
print("at equal stock (interpolated on each policy's sweep): unfilled demand, and change against spec")
for x0, y0, lvl in spec:
    line = f"  spec@{lvl:6s} {x0:6.1f} units: spec {y0 * 100:5.2f}%"
    for name, pts in sorted(curves.items()):
        if name == "spec":
            continue
        pts.sort()
        y = None
        for (xa, ya), (xb, yb) in zip(pts, pts[1:]):
            if xa <= x0 <= xb:
                y = ya + (yb - ya) * (x0 - xa) / (xb - xa)
        line += f" | {name} " + (f"{y * 100:5.2f}% ({(y / y0 - 1) * 100:+.0f}%)" if y is not None else "outside its curve")
    print(line)
PY
