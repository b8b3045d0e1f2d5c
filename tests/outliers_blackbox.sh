#!/usr/bin/env bash
# `corrente forecast FILE` and `corrente simulate --demand FILE` read a relative outlier of
# demand (decide/outliers.h) as missing, as the pipeline does: one typo of 1e6 on an M4 Weekly
# series gives exactly the output of the same file with that value missing (forecast: an empty
# field; simulate: 0), says so on stderr, and --keep-outliers gives back the typo's output.
# On clean M4 Weekly series nothing is flagged and nothing changes. No database.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/lib.sh"
m4="$here/fixtures/m4-weekly/Weekly-train.csv"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
differ() { ! cmp -s "$1" "$2"; }
line='demand outliers 1 \(over 10x their series. 90% quantile, alone\) in 1 series; read as missing'

# W1 with its 5th-last value (inside the forecaster's window and the replayed half) replaced.
w1() {  # w1 VALUE OUT
  python3 - "$m4" "$1" "$2" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
head, w1 = rows[0], rows[1]
vals = [v for v in w1[1:] if v != ""]
vals[-5] = sys.argv[2]
with open(sys.argv[3], "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(head[:len(vals) + 1])
    w.writerow([w1[0]] + vals)
PY
}
w1 1000000 "$work/typo.csv"
w1 "" "$work/gap.csv"
w1 0 "$work/zero.csv"

# forecast
f() { "$corrente" forecast "$1" -H 13 -m 52 "${@:2}"; }
f "$work/typo.csv" -o "$work/typo.out" 2>"$work/typo.err"; rc=$?
check "forecast: a file with a typo exits 0" [ $rc -eq 0 ]
check "forecast: it says what it read as missing" grep -qE "^$line\$" "$work/typo.err"
f "$work/gap.csv" -o "$work/gap.out" 2>"$work/gap.err"
check "forecast: the typo read as missing forecasts exactly what the empty field forecasts" \
  cmp -s "$work/typo.out" "$work/gap.out"
check "forecast: the empty field flags nothing" lacks "$(cat "$work/gap.err")" "outliers"
f "$work/typo.csv" --keep-outliers -o "$work/kept.out" 2>"$work/kept.err"
check "forecast --keep-outliers: the typo changes the forecast (as before)" \
  differ "$work/kept.out" "$work/gap.out"
check "forecast --keep-outliers: nothing said" lacks "$(cat "$work/kept.err")" "outliers"
# A series with a negative value is not demand: left as it is.
python3 - "$work/typo.csv" "$work/neg.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
rows[1][10] = "-1"
csv.writer(open(sys.argv[2], "w", newline="")).writerows(rows)
PY
f "$work/neg.csv" -o "$work/neg.out" 2>"$work/neg.err"
f "$work/neg.csv" --keep-outliers -o "$work/negk.out" 2>/dev/null
check "forecast: a series with a negative value keeps its outliers" cmp -s "$work/neg.out" "$work/negk.out"
also lacks "$(cat "$work/neg.err")" "outliers"
# Clean series: nothing flagged, the same output byte for byte (the global model included).
head -41 "$m4" >"$work/m4.csv"
f "$work/m4.csv" -o "$work/m4.out" 2>"$work/m4.err"
f "$work/m4.csv" --keep-outliers -o "$work/m4k.out" 2>/dev/null
check "forecast: 40 M4 Weekly series, nothing flagged" lacks "$(cat "$work/m4.err")" "outliers"
check "forecast: 40 M4 Weekly series, the same forecasts as --keep-outliers" cmp -s "$work/m4.out" "$work/m4k.out"

# simulate --demand
s() { "$corrente" simulate --demand "$1" --lead-time 2 "${@:2}"; }
s "$work/typo.csv" >"$work/s_typo.out" 2>"$work/s_typo.err"; rc=$?
check "simulate: a file with a typo exits 0" [ $rc -eq 0 ]
check "simulate: it says what it read as missing" grep -qE "^$line\$" "$work/s_typo.err"
s "$work/zero.csv" >"$work/s_zero.out" 2>"$work/s_zero.err"
check "simulate: the typo read as zero replays exactly what a zero replays" \
  cmp -s "$work/s_typo.out" "$work/s_zero.out"
check "simulate: the zero flags nothing" lacks "$(cat "$work/s_zero.err")" "outliers"
s "$work/typo.csv" --keep-outliers >"$work/s_kept.out" 2>"$work/s_kept.err"
check "simulate --keep-outliers: the typo changes the replay (as before)" \
  differ "$work/s_kept.out" "$work/s_zero.out"
check "simulate --keep-outliers: nothing said" lacks "$(cat "$work/s_kept.err")" "outliers"
head -31 "$m4" >"$work/m4s.csv"
s "$work/m4s.csv" >"$work/s_m4.out" 2>"$work/s_m4.err"
s "$work/m4s.csv" --keep-outliers >"$work/s_m4k.out" 2>/dev/null
check "simulate: 30 M4 Weekly series, nothing flagged" lacks "$(cat "$work/s_m4.err")" "outliers"
check "simulate: 30 M4 Weekly series, the same table as --keep-outliers" cmp -s "$work/s_m4.out" "$work/s_m4k.out"
also [ -s "$work/s_m4.out" ]
finish
