"""TAP lines for the Python tests: check() prints "ok - ..." or "not ok - ... [extra]" and
counts; finish() prints the counts and exits 1 on any failure."""
counts = {"pass": 0, "fail": 0}


def check(desc, cond, extra=""):
    counts["pass" if cond else "fail"] += 1
    print(("ok - " if cond else "not ok - ") + desc + ("" if cond or extra == "" else "  [%s]" % (str(extra)[:400],)))


def finish():
    print("# %d passed, %d failed" % (counts["pass"], counts["fail"]))
    raise SystemExit(1 if counts["fail"] else 0)
