#!/usr/bin/env bash
# M4 Weekly accuracy and speed: `corrente forecast` against R forecast's ets(), auto.arima()
# and thetaf(), 13 steps ahead, scored with M4's MASE (m = 1) and sMAPE.
#
# Usage: bench/m4_accuracy/run.sh [--limit N] [--methods ets,theta,arima:3] [--no-r]
#   --limit N     only the first N series (quick check)
#   --repeat R    corrente runs per configuration; the median time is reported (default 5)
#   --methods     R methods; "arima:3" runs auto.arima on 3 evenly spaced series only:
#                 seasonal auto.arima at frequency 52 took from 10 s to more than 10 CPU
#                 minutes per series here (hours for all 359); "ets,theta,arima" runs it all
# Env:   CORRENTE_BIN   corrente binary (default build/release/corrente)
#        CORRENTE_ARGS  extra arguments for `corrente forecast` (e.g. "--combine 1")
#        BENCH_OUT      output folder (default bench/out/m4_accuracy)
# Not a test: it prints figures; nothing is asserted.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
limit=0
repeats=5
methods="ets,theta,arima:3"
run_r=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --limit) limit="$2"; shift 2 ;;
    --methods) methods="$2"; shift 2 ;;
    --no-r) run_r=0; shift ;;
    --repeat) repeats="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

bin="${CORRENTE_BIN:-$root/build/release/corrente}"
out="${BENCH_OUT:-$root/bench/out/m4_accuracy}"
horizon=13
season=52
train_full="$root/tests/fixtures/m4-weekly/Weekly-train.csv"
test_csv="$root/tests/fixtures/m4-weekly/Weekly-test.csv"

if [[ ! -x "$bin" ]]; then
  echo "run.sh: corrente binary '$bin' not found (set CORRENTE_BIN)" >&2
  exit 1
fi
mkdir -p "$out"

if [[ $run_r -eq 1 ]] && ! Rscript -e 'suppressPackageStartupMessages(library(forecast))' \
    >/dev/null 2>&1; then
  echo "Installing r-cran-forecast (Debian package)..." >&2
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y \
    --no-install-recommends r-cran-forecast >&2
fi

train="$train_full"
if [[ "$limit" -gt 0 ]]; then
  train="$out/train_head.csv"
  head -n "$((limit + 1))" "$train_full" > "$train"
fi
series=$(($(wc -l < "$train") - 1))

# Runs corrente $repeats times; prints "median_wall median_cpu" in seconds (CPU = user + sys,
# which stays meaningful when other work shares the machine). $1 = jobs, $2 = output file.
# shellcheck disable=SC2086
time_corrente() {
  local walls=() cpus=() timing
  for ((r = 0; r < repeats; r++)); do
    timing=$( { TIMEFORMAT='%R %U %S'; time "$bin" forecast "$train" --horizon "$horizon" \
      --season "$season" --jobs "$1" ${CORRENTE_ARGS:-} --output "$2" 2>"$out/corrente.log"; } 2>&1 )
    walls+=("$(awk '{ print $1 }' <<< "$timing")")
    cpus+=("$(awk '{ print $2 + $3 }' <<< "$timing")")
  done
  local median='{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
  echo "$(printf '%s\n' "${walls[@]}" | sort -g | awk "$median")" \
       "$(printf '%s\n' "${cpus[@]}" | sort -g | awk "$median")"
}

cores=$(nproc)
echo "corrente: $series series, horizon $horizon, season $season (${CORRENTE_ARGS:-defaults})" >&2
read -r c1_wall c1_cpu <<< "$(time_corrente 1 "$out/corrente.csv")"
read -r call_wall call_cpu <<< "$(time_corrente "$cores" "$out/corrente_all.csv")"
cat "$out/corrente.log" >&2
{
  echo "method,seconds,series,cpu_seconds"
  echo "corrente_1thread,$c1_wall,$series,$c1_cpu"
  echo "corrente_${cores}threads,$call_wall,$series,$call_cpu"
} > "$out/timings.csv"

scored=("corrente_1thread=$out/corrente.csv" "corrente_${cores}threads=$out/corrente_all.csv")
if [[ $run_r -eq 1 ]]; then
  echo "R forecast: $methods (one core, sequential)" >&2
  Rscript "$here/r_forecast.R" "$train" "$out" "$horizon" "$limit" "$methods"
  tail -n +2 "$out/r_timings.csv" | sed 's/^/R_/' >> "$out/timings.csv"
  IFS=',' read -r -a method_list <<< "$methods"
  for method in "${method_list[@]}"; do
    method="${method%%:*}"
    scored+=("R_$method=$out/r_$method.csv")
  done
fi

echo
echo "M4 Weekly, h=$horizon, $series series; corrente: median of $repeats runs; R: one run,"
echo "sequential. wall = elapsed seconds, cpu = user+sys seconds. 'cpu x' = CPU per series over"
echo "corrente_1thread's; 'wall x' = wall per series over corrente_${cores}threads' (all cores)."
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$here/score.py" "$train" "$test_csv" "$out/timings.csv" \
  "corrente_${cores}threads" "${scored[@]}" \
  | tee "$out/table.txt"

# Interval calibration and quantile (pinball) loss, next to R ets()'s intervals.
"$bin" forecast "$train" --horizon "$horizon" --season "$season" --intervals ${CORRENTE_ARGS:-} \
  --output "$out/corrente_intervals.csv"
intervals=("corrente=$out/corrente_intervals.csv")
if [[ $run_r -eq 1 ]]; then
  Rscript "$here/r_intervals.R" "$train" "$out/r_ets_intervals.csv" "$horizon" "$limit"
  intervals+=("R_ets=$out/r_ets_intervals.csv")
fi
echo
python3 "$here/intervals.py" "$train" "$test_csv" "${intervals[@]}" | tee -a "$out/table.txt"
