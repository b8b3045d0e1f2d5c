#!/usr/bin/env python3
"""Prints, one a line, the metric names that deploy/'s Grafana dashboard and Prometheus rules
query and that a scrape of /metrics (the file given last) does not export. Prometheus' own
`up` is left aside. --only PREFIX,... / --except PREFIX,... narrow the names checked."""
import argparse, json, re

WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset"}


def queried(dashboard, rules):
    exprs = [t["expr"] for p in json.load(open(dashboard))["panels"] for t in p.get("targets", [])]
    exprs += re.findall(r"^\s*expr:\s*(.+)$", open(rules).read(), re.M)
    used = set()
    for e in exprs:
        e = re.sub(r'"[^"]*"', "", e)
        e = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", e)
        e = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", e)
        for m in re.finditer(r"(?<![\w.])[a-zA-Z_:][\w:]*", e):
            if e[m.end():].lstrip().startswith("("):
                continue  # a function
            if m.group() not in WORDS:
                used.add(m.group())
    used.discard("up")
    return used


ap = argparse.ArgumentParser()
ap.add_argument("dashboard")
ap.add_argument("rules")
ap.add_argument("scrape")
ap.add_argument("--only", default="")
ap.add_argument("--except", dest="exclude", default="")
a = ap.parse_args()
used = queried(a.dashboard, a.rules)
if a.only:
    used = {n for n in used if n.startswith(tuple(a.only.split(",")))}
if a.exclude:
    used = {n for n in used if not n.startswith(tuple(a.exclude.split(",")))}
exported = {re.split(r"[{ ]", l)[0] for l in open(a.scrape) if l.strip() and not l.startswith("#")}
print(len(used))
for n in sorted(used - exported):
    print(n)
