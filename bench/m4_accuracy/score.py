#!/usr/bin/env python3
"""Scores forecast CSVs (id,model,F1..Fh) against the M4 test set.

MASE: mean |actual - forecast| over the horizon, scaled by the in-sample mean absolute one-step
naive error (m = 1, as M4 does for weekly data). sMAPE: M4 definition, percent. Both are
averaged over series. Usage: score.py TRAIN TEST TIMINGS.csv NAME=FILE...
TIMINGS.csv has columns method,seconds,series. The first NAME is the reference: the last
column is each method's seconds per series divided by the reference's. A method scored on
fewer series than the reference (e.g. auto.arima on a subset) is followed by the reference's
scores on the same series.
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
    train_path, test_path, timings_path = sys.argv[1:4]
    named = [arg.split("=", 1) for arg in sys.argv[4:]]
    train = {r[0]: values(r[1:]) for r in read_rows(train_path)}
    test = {r[0]: values(r[1:]) for r in read_rows(test_path)}
    timings = {r[0]: (float(r[1]), int(r[2])) for r in read_rows(timings_path)}
    ref_name = named[0][0]
    ref_per_series = timings[ref_name][0] / timings[ref_name][1]
    scores = {name: per_series(path, train, test) for name, path in named}
    ref_scores = scores[ref_name]

    def line(label, subset, seconds, count):
        mase = sum(subset[s][0] for s in subset) / len(subset)
        smape = sum(subset[s][1] for s in subset) / len(subset)
        if seconds is None:
            timing = f"{'':>11}{'':>11}{'':>10}"
        else:
            per = seconds / count
            timing = f"{seconds:>11.2f}{per:>11.5f}{per / ref_per_series:>10.1f}"
        print(f"{label:<30}{len(subset):>7}{mase:>8.3f}{smape:>8.3f}{timing}")

    print(f"{'method':<30}{'series':>7}{'MASE':>8}{'sMAPE':>8}{'seconds':>11}"
          f"{'s/series':>11}{'x ref':>10}")
    for name, _ in named:
        seconds, count = timings.get(name, (float("nan"), len(scores[name])))
        line(name, scores[name], seconds, count)
        if len(scores[name]) < len(ref_scores):
            same = {s: ref_scores[s] for s in scores[name]}
            line(f"  {ref_name}, same series", same, None, None)


if __name__ == "__main__":
    main()
