#!/usr/bin/env python3
"""Interval calibration and quantile loss on M4 Weekly: for each forecast file in the layout of
`corrente forecast --intervals` (id,model,F1..Fh,LO80_*,HI80_*,LO95_*,HI95_*), the empirical
coverage of the 80% and 95% intervals over every test point (nominal 80 and 95; the issue's
aim is within 3 points), and the mean scaled pinball loss at the quantiles the bounds stand
for (0.025, 0.1, 0.9, 0.975) and at the point forecast taken as the median, each divided by
the series' in-sample mean absolute one-step difference (as MASE is). Lower loss is better.
Usage: intervals.py TRAIN TEST NAME=FILE...
"""
import csv
import sys


def rows(path):
    with open(path, newline="") as f:
        return list(csv.reader(f))[1:]


def values(fields):
    return [float(v) for v in fields if v.strip() not in ("", "NA")]


def main():
    train = {r[0]: values(r[1:]) for r in rows(sys.argv[1])}
    test = {r[0]: values(r[1:]) for r in rows(sys.argv[2])}
    print(f"{'method':24s} {'series':>6s} {'cov80':>6s} {'cov95':>6s} {'pinball':>8s}  (nominal 80 / 95)")
    for arg in sys.argv[3:]:
        name, path = arg.split("=", 1)
        in80 = in95 = n = 0
        loss = 0.0
        series = 0
        for r in rows(path):
            sid = r[0]
            v = [float(x) for x in r[2:]]
            h = len(v) // 5
            mean, lo80, hi80, lo95, hi95 = (v[k * h:(k + 1) * h] for k in range(5))
            y = train[sid]
            scale = sum(abs(y[i] - y[i - 1]) for i in range(1, len(y))) / (len(y) - 1) or 1.0
            actual = test[sid][:h]
            series += 1
            for t, a in enumerate(actual):
                n += 1
                in80 += lo80[t] <= a <= hi80[t]
                in95 += lo95[t] <= a <= hi95[t]
                for q, f in ((0.025, lo95[t]), (0.1, lo80[t]), (0.5, mean[t]), (0.9, hi80[t]), (0.975, hi95[t])):
                    loss += (q * (a - f) if a >= f else (1 - q) * (f - a)) / scale / 5
        print(f"{name:24s} {series:6d} {100 * in80 / n:6.1f} {100 * in95 / n:6.1f} {loss / n:8.4f}")


if __name__ == "__main__":
    main()
