#!/usr/bin/env python3
"""Scores forecast CSVs (id,model,F1..Fh) against the M4 test set.

MASE: mean |actual - forecast| over the horizon, scaled by the in-sample mean absolute one-step
naive error (m = 1, as M4 does for weekly data). sMAPE: M4 definition, percent. Both are
averaged over series. Usage: score.py TRAIN TEST TIMINGS.csv WALL_REF NAME=FILE...
TIMINGS.csv has columns method,seconds,series,cpu_seconds (seconds = wall clock). The first
NAME is the CPU reference: 'cpu x' is each method's CPU seconds per series over the
reference's. WALL_REF names the timing row for 'wall x' (wall seconds per series over
WALL_REF's, i.e. against corrente on all cores). A method scored on fewer series than the
reference (e.g. auto.arima on a subset) is followed by the reference's scores on the same
series.
"""
import csv
import sys


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))[1:]


def values(fields):
    return [float(v) for v in fields if v.strip() not in ("", "NA")]


def per_series(path, train, test):
    scores = {}
    for row in read_rows(path):
        sid = row[0]
        forecast = [float(v) for v in row[2:]]
        actual = test[sid][: len(forecast)]
        insample = train[sid]
        scale = sum(abs(insample[i] - insample[i - 1]) for i in range(1, len(insample)))
        scale /= len(insample) - 1
        mae = sum(abs(a - f) for a, f in zip(actual, forecast)) / len(actual)
        smape = sum(200 * abs(a - f) / (abs(a) + abs(f)) if abs(a) + abs(f) > 0 else 0
                    for a, f in zip(actual, forecast)) / len(actual)
        scores[sid] = (mae / scale, smape)
    return scores


def main():
    train_path, test_path, timings_path, wall_ref = sys.argv[1:5]
    named = [arg.split("=", 1) for arg in sys.argv[5:]]
    train = {r[0]: values(r[1:]) for r in read_rows(train_path)}
    test = {r[0]: values(r[1:]) for r in read_rows(test_path)}
    timings = {r[0]: (float(r[1]), int(r[2]), float(r[3])) for r in read_rows(timings_path)}
    ref_name = named[0][0]
    ref_cpu = timings[ref_name][2] / timings[ref_name][1]
    ref_wall = timings[wall_ref][0] / timings[wall_ref][1]
    scores = {name: per_series(path, train, test) for name, path in named}
    ref_scores = scores[ref_name]

    def line(label, subset, timing):
        mase = sum(subset[s][0] for s in subset) / len(subset)
        smape = sum(subset[s][1] for s in subset) / len(subset)
        text = f"{label:<31}{len(subset):>6}{mase:>7.3f}{smape:>7.3f}"
        if timing is not None:
            wall, count, cpu = timing
            text += (f"{wall:>9.2f}{cpu:>9.2f}{1000 * cpu / count:>9.2f}"
                     f"{cpu / count / ref_cpu:>8.1f}{wall / count / ref_wall:>8.1f}")
        print(text)

    print(f"{'method':<31}{'series':>6}{'MASE':>7}{'sMAPE':>7}{'wall s':>9}{'cpu s':>9}"
          f"{'cpu ms/s':>9}{'cpu x':>8}{'wall x':>8}")
    for name, _ in named:
        line(name, scores[name], timings.get(name))
        if len(scores[name]) < len(ref_scores):
            same = {s: ref_scores[s] for s in scores[name]}
            line(f"  {ref_name}, same series", same, None)


if __name__ == "__main__":
    main()
