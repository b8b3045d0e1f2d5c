#!/usr/bin/env python3
"""Scores forecast CSVs (id,model,F1..Fh) against the M4 test set.

MASE: mean |actual - forecast| over the horizon, scaled by the in-sample mean absolute one-step
naive error (m = 1, as M4 does for weekly data). sMAPE: M4 definition, percent. Both are
averaged over series. Usage: score.py TRAIN TEST TIMINGS.csv NAME=FILE...
TIMINGS.csv has columns method,seconds,series; the first NAME is the reference for the speed
ratio (its seconds divided into each method's seconds).
"""
import csv
import sys


def read_rows(path, skip_header=True):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[1:] if skip_header else rows


def values(fields):
    return [float(v) for v in fields if v.strip() not in ("", "NA")]


def main():
    train_path, test_path, timings_path = sys.argv[1:4]
    named = [arg.split("=", 1) for arg in sys.argv[4:]]
    train = {r[0]: values(r[1:]) for r in read_rows(train_path)}
    test = {r[0]: values(r[1:]) for r in read_rows(test_path)}
    timings = {r[0]: (float(r[1]), int(r[2])) for r in read_rows(timings_path)}
    ref_name = named[0][0]
    ref_per_series = timings[ref_name][0] / timings[ref_name][1]
    print(f"{'method':<28}{'series':>7}{'MASE':>9}{'sMAPE':>9}{'seconds':>11}"
          f"{'s/series':>11}{'x slower':>10}")
    for name, path in named:
        mase_sum = smape_sum = 0.0
        count = 0
        for row in read_rows(path):
            sid = row[0]
            forecast = [float(v) for v in row[2:]]
            actual = test[sid][: len(forecast)]
            insample = train[sid]
            scale = sum(abs(insample[i] - insample[i - 1]) for i in range(1, len(insample)))
            scale /= len(insample) - 1
            mae = sum(abs(a - f) for a, f in zip(actual, forecast)) / len(actual)
            mase_sum += mae / scale
            smape_sum += sum(200 * abs(a - f) / (abs(a) + abs(f)) if abs(a) + abs(f) > 0 else 0
                             for a, f in zip(actual, forecast)) / len(actual)
            count += 1
        seconds, series = timings.get(name, (float("nan"), count))
        per_series = seconds / series
        ratio = per_series / ref_per_series if ref_per_series > 0 else float("nan")
        print(f"{name:<28}{count:>7}{mase_sum / count:>9.3f}{smape_sum / count:>9.3f}"
              f"{seconds:>11.2f}{per_series:>11.5f}{ratio:>10.1f}")


if __name__ == "__main__":
    main()
