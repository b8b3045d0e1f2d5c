#!/usr/bin/env python3
"""Seeded inputs and oracles for tests/migrate/fuzz_test.sh. Every generator takes the seed
and draws from random.Random(seed), so a seed reproduces the same files byte for byte.
PostgreSQL is read with psql (COPY ... TO STDOUT, text format) from $DATABASE_URL.

  fuzz.py csv-gen DIR SEED EXPECT.json     CSV files of awkward values (part 1)
  fuzz.py csv-check SCHEMA EXPECT.json     every value in PostgreSQL against what was written
  fuzz.py mutants DIR SEED N               N mutated copies of a valid file: DIR/mNN/t.csv
  fuzz.py mutant-check SCHEMA FILE         rows and rejects against Python's csv reader
  fuzz.py header-problem FILE              exit 0 when the header is malformed (names no table)
  fuzz.py sqlite-gen DB SEED               a dynamically typed SQLite table (part 3)
  fuzz.py sqlite-check SCHEMA DB           every value bit for bit; the refused rows rejected
"""
import csv
import datetime
import io
import json
import math
import os
import random
import re
import sqlite3
import string
import struct
import subprocess
import sys
from decimal import Decimal

# ---- PostgreSQL side ----


def pg_copy(sql):
    """Rows of `sql` as lists of str (None for NULL), read as COPY's text format."""
    out = subprocess.run(["psql", "-X", "-q", os.environ["DATABASE_URL"], "-c",
                          f"COPY ({sql}) TO STDOUT"], capture_output=True, check=True,
                         env=dict(os.environ, PGCLIENTENCODING="UTF8")).stdout
    esc = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
    rows = []
    for line in out.decode("utf-8").split("\n")[:-1]:
        row = []
        for f in line.split("\t"):
            if f == "\\N":
                row.append(None)
                continue
            r, i = [], 0
            while i < len(f):
                if f[i] == "\\":
                    r.append(esc[f[i + 1]])
                    i += 2
                else:
                    r.append(f[i])
                    i += 1
            row.append("".join(r))
        rows.append(row)
    return rows


def qi(name):
    return '"' + name.replace('"', '""') + '"'


def ql(text):
    return "'" + text.replace("'", "''") + "'"


def column_types(schema, table):
    return pg_copy("SELECT column_name, data_type FROM information_schema.columns WHERE "
                   f"table_schema = {ql(schema)} AND table_name = {ql(table)} ORDER BY ordinal_position")


def rejects(schema, table):
    return pg_copy("SELECT source_key, coalesce(column_name, ''), reason FROM staging.migration_rejects "
                   f"WHERE target_schema = {ql(schema)} AND table_name = {ql(table)} ORDER BY id")


class Report:
    def __init__(self):
        self.bad = 0

    def fail(self, msg):
        self.bad += 1
        if self.bad <= 12:
            print("  " + msg)

    def done(self, what):
        if self.bad:
            print(f"  {what}: {self.bad} mismatches")
        return 1 if self.bad else 0


# ---- part 1: CSV property round trip ----

PIECES = [",", '"', '""', "\r", "\n", "\r\n", "\n\r", "\t", "\\", "\\N", "\\\\", " ", "  ", "NULL",
          "'", ";", "é", "e\u0301", "n\u0303\u0323", "ß", "中文", "😀", "👩\u200d👩\u200d👧", "🇪🇸",
          "\u202e", "\ufeff", "\u2028", "\x0b", "\x0c", "\x01", "\x7f", "\u00a0", "𝄞", "Café"]
ALNUM = string.ascii_letters + string.digits


def rand_text(r, allow_empty):
    if allow_empty and r.random() < 0.08:
        return ""
    s = "".join(r.choice(PIECES) if r.random() < 0.6 else r.choice(ALNUM)
                for _ in range(r.randint(1, 9)))
    if r.random() < 0.15:
        s = " " + s
    if r.random() < 0.15:
        s += " "
    return s


def rand_int(r):
    k = r.random()
    if k < 0.1:
        return r.choice([0, 1, -1, 10**18 - 1, -(10**18 - 1)])
    return r.randint(-(10**r.randint(1, 18) - 1), 10**r.randint(1, 18) - 1)


def rand_big(r):
    # Integers past 18 digits: the CSV source infers numeric for them, never bigint.
    v = r.randint(10**18, 10**r.randint(19, 40))
    return str(-v if r.random() < 0.5 else v)


def rand_decimal(r):
    k = r.random()
    fp = "".join(r.choice(string.digits) for _ in range(r.randint(1, 20)))
    if k < 0.03:
        s = "0." + "0" * r.randint(1, 8)  # zero with a scale ("-0.000" too)
    elif k < 0.08:
        s = "." + fp  # no integer digit
    elif k < 0.12:
        s = str(r.randint(0, 10**6)) + "."  # a point without digits after it
    else:
        s = str(r.randint(0, 10**r.randint(0, 30))) + ("." + fp if r.random() < 0.9 else "")
        if r.random() < 0.05:
            s = "0" * r.randint(1, 3) + s  # leading zeros
    return ("-" if r.random() < 0.4 else "+" if r.random() < 0.05 else "") + s


def rand_date(r):
    return datetime.date.fromordinal(r.randint(1, datetime.date(9999, 12, 31).toordinal()))


def rand_ts(r):
    d = datetime.date.fromordinal(r.randint(1, datetime.date(9998, 12, 31).toordinal()))
    # No 24:00:00 or :60: PostgreSQL would change them, so they make the column text
    # (fuzz_test.sh's ts24.csv).
    t = datetime.datetime(d.year, d.month, d.day, r.randint(0, 23), r.randint(0, 59), r.randint(0, 59))
    digits = r.choice([0, 0, 1, 3, 6, 6, 7, 9])  # past 6 only zeros: others make the column text
    s = t.isoformat(sep=r.choice([" ", " ", "T"]))
    if digits:
        s += "." + "".join(r.choice("09" if r.random() < 0.3 else string.digits) for _ in range(min(digits, 6)))
        s += "0" * max(digits - 6, 0)
    return s


def pg_timestamp(s):
    """What PostgreSQL's input makes of a timestamp (past microseconds only zeros, which the
    copy takes; other digits there make the column text)."""
    day, _, clock = s.replace("T", " ").partition(" ")
    hms, _, frac = clock.partition(".")
    h, m, sec = map(int, hms.split(":"))
    micro = round(float("0." + frac) * 1e6) if frac else 0
    return datetime.datetime.fromisoformat(day) + datetime.timedelta(
        hours=h, minutes=m, seconds=sec, microseconds=micro)


class Bare:
    """Written unquoted by csv.QUOTE_NONNUMERIC (it counts as a number): NULL and numbers."""

    def __init__(self, text):
        self.text = text

    def __str__(self):
        return self.text

    def __float__(self):
        return 0.0


# name, style, line end, BOM, rows. minimal: '' is NULL (no empty strings are written);
# nonnumeric: strings quoted ("" = empty string), Bare values unquoted (NULL, numbers);
# all: every field quoted, no NULL. With "\n" line ends Python 3.11 leaves a field that holds
# a lone CR unquoted: a CR not followed by LF is data in such a file. "mac cr" has the CR-only
# line ends of classic Mac exports (its fields are all quoted: Python would not quote "\n").
FILES = [("plain", "minimal", "\n", False, 300),
         ("Ñandú crlf bom", "nonnumeric", "\r\n", True, 250),
         ("quoted", "all", "\n", True, 200),
         ("mac cr", "all", "\r", False, 150)]
COLUMNS = [("seq", "bigint"), ("txt", "text"), ('tëxt "b", c', "text"), ("n_int", "bigint"),
           ("n_big", "numeric"), ("dec", "numeric"), ("day", "date"),
           ("at", "timestamp without time zone"), ("flag", "boolean")]


def csv_gen(d, seed, expect_path):
    r = random.Random(seed)
    expect = {}
    for name, style, eol, bom, n in FILES:
        rows = []
        for i in range(1, n + 1):
            vals = [str(i), rand_text(r, style != "minimal"), rand_text(r, style != "minimal"),
                    str(rand_int(r)), rand_big(r), rand_decimal(r), rand_date(r).isoformat(),
                    rand_ts(r), r.choice(["true", "false"])]
            if style == "minimal" and r.random() < 0.1 and len(vals[3]) < 16:
                vals[3] = r.choice(["+", "00", "-0"]) + vals[3].lstrip("-")  # still bigint
            if i == 1:  # every column gets its type from a clear value
                vals[1], vals[5], vals[7] = "text, first", "-1.50", "2024-02-29 23:59:59.999999"
            if style != "all":
                for c in range(1, len(vals)):
                    if r.random() < 0.1:
                        vals[c] = None
            rows.append(vals)
        buf = io.StringIO(newline="")
        quoting = {"minimal": csv.QUOTE_MINIMAL, "nonnumeric": csv.QUOTE_NONNUMERIC,
                   "all": csv.QUOTE_ALL}[style]
        w = csv.writer(buf, quoting=quoting, lineterminator=eol)
        w.writerow([c for c, _ in COLUMNS])
        for vals in rows:
            if style == "nonnumeric":
                out = [Bare("") if v is None else Bare(v) if c in (0, 3, 4, 5) else v
                       for c, v in enumerate(vals)]
            else:
                out = vals
            w.writerow(out)
        with open(os.path.join(d, name + ".csv"), "wb") as f:
            f.write((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))
        expect[name] = rows
    with open(expect_path, "w") as f:
        json.dump(expect, f)


def same_value(typ, written, got):
    if written is None or got is None:
        return written is got
    if typ == "bigint":
        return int(written) == int(got)
    if typ == "numeric":  # equal value and the same scale, as PostgreSQL keeps it
        a, b = Decimal(written), Decimal(got)
        return a == b and a.as_tuple().exponent == b.as_tuple().exponent
    if typ == "timestamp without time zone":
        return pg_timestamp(written) == datetime.datetime.fromisoformat(got)
    if typ == "boolean":
        return {"true": "t", "false": "f"}[written] == got
    return written == got  # text, date: exactly as written


def csv_check(schema, expect_path):
    rep = Report()
    with open(expect_path) as f:
        expect = json.load(f)
    values = 0
    for table, rows in expect.items():
        types = column_types(schema, table)
        want = [[c, t] for c, t in COLUMNS]
        if types != want:
            rep.fail(f"{table}: columns {types}, expected {want}")
            continue
        got = pg_copy("SELECT * FROM " + qi(schema) + "." + qi(table) + " ORDER BY seq")
        if len(got) != len(rows):
            rep.fail(f"{table}: {len(got)} rows in PostgreSQL, {len(rows)} written")
        for w, g in zip(rows, got):
            for (col, typ), a, b in zip(COLUMNS, w, g):
                values += 1
                if not same_value(typ, a, b):
                    rep.fail(f"{table} seq {w[0]} {col}: wrote {a!r}, PostgreSQL has {b!r}")
        rj = rejects(schema, table)
        if rj:
            rep.fail(f"{table}: unexpected rejects {rj[:3]}")
    print(f"  compared {values} values in {len(expect)} tables")
    return rep.done("csv round trip")


# ---- part 2: mutation fuzz ----


def base_file(r):
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["seq", "txt", "amount", "day"])
    for i in range(1, 31):
        w.writerow([i, rand_text(r, False), f"{r.randint(-99999, 99999) / 100:.2f}",
                    rand_date(r).isoformat()])
    return buf.getvalue().encode("utf-8")


JUNK = [b"\xff", b"\xfe", b"\xc3", b"\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf",
        b"\x00", b"\x00\x00", b",", b'"', b'""', b"\n", b"\r", b"\r\n", b"\\", b" "]


def mutate(r, data):
    """Applies 1-3 random mutations; returns (bytes, descriptions, first offset touched).
    Each mutation changes bytes at or after its offset only, so the bytes before the least
    offset are the original's."""
    notes, first = [], len(data)
    for _ in range(r.randint(1, 3)):
        kind = r.choice(["quote+", "quote-", "bytes", "bytes", "cut", "dupline", "field+", "cr-eol"])
        if kind == "quote+":
            at = r.randint(0, len(data))
            data = data[:at] + b'"' + data[at:]
        elif kind == "quote-":
            quotes = [i for i, c in enumerate(data) if c == 34]
            if not quotes:
                continue
            at = r.choice(quotes)
            data = data[:at] + data[at + 1:]
        elif kind == "bytes":
            at = r.randint(0, len(data))
            junk = b"".join(r.choice(JUNK) if r.random() < 0.7 else bytes([r.randrange(256)])
                            for _ in range(r.randint(1, 4)))
            data = data[:at] + junk + data[at:]
            kind += " " + junk.hex()
        elif kind == "cut":
            if len(data) < 2:
                continue
            at = r.randint(1, len(data) - 1)
            data = data[:at]
        elif kind == "dupline":
            lines = data.split(b"\n")
            k = r.randrange(len(lines))
            at = sum(len(x) + 1 for x in lines[:k])
            lines.insert(k, lines[k])
            data = b"\n".join(lines)
        elif kind == "field+":  # one more field at the end of a physical line
            lines = data.split(b"\n")
            k = r.randrange(len(lines))
            at = sum(len(x) + 1 for x in lines[:k]) + len(lines[k])
            lines[k] += b"," + r.choice([b"x", b"", b'"y,z"', b"1"])
            data = b"\n".join(lines)
        else:  # cr-eol: the whole file with CR line ends, as classic Mac exports
            at = data.find(b"\n") if b"\n" in data else len(data)
            at -= at > 0 and data[at - 1] == 13  # a CRLF's CR goes too
            data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r")
        first = min(first, at)
        notes.append(f"{kind}@{at}")
    return data, notes, first


def mutants(d, seed, n):
    r = random.Random(seed)
    base = base_file(r)
    os.makedirs(os.path.join(d, "base"), exist_ok=True)
    with open(os.path.join(d, "base", "t.csv"), "wb") as f:
        f.write(base)
    for k in range(n):
        data, notes, first = mutate(r, base)
        m = os.path.join(d, f"m{k:02d}")
        os.makedirs(m, exist_ok=True)
        with open(os.path.join(m, "t.csv"), "wb") as f:
            f.write(data)
        with open(os.path.join(m, "mutation.json"), "w") as f:
            json.dump({"notes": notes, "first": first}, f)
        print(f"m{k:02d} {' '.join(notes)}")


def header_ends_with_cr(data):
    """True when the header record ends with a lone CR (outside quotes): the file's records
    then end at CR, LF or CRLF. Otherwise at LF or CRLF, and a lone CR is data."""
    i, in_quotes, field_start = 0, False, True
    while i < len(data):
        c = data[i]
        nxt = data[i + 1] if i + 1 < len(data) else None
        i += 1
        if in_quotes:
            if c == 34 and nxt == 34:
                i += 1
            elif c == 34:
                in_quotes = False
            continue
        if c == 34 and field_start:
            in_quotes = True
        elif c == 10:
            return False
        elif c == 13:
            return nxt != 10
        field_start = c == 44
    return False


def parse_records(data):
    """Python's csv reader (not strict: `"a"b` reads as `ab`, as corrente reads it) on the
    raw bytes, with corrente's line-end rule (see header_ends_with_cr), the BOM skipped and
    bytes that are not UTF-8 kept as surrogates; blank lines left out. Returns the records
    and whether the file ends inside quotes."""
    data = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    text = data.decode("utf-8", "surrogateescape")
    lone_cr = not header_ends_with_cr(data)
    if lone_cr:  # Python's reader ends a record at a lone CR: hide them from it
        text = re.sub("\r(?!\n)", "\ue000", text)

    def read(t):
        recs = [rec for rec in csv.reader(io.StringIO(t, newline="")) if rec]
        return [[f.replace("\ue000", "\r") for f in rec] for rec in recs] if lone_cr else recs
    recs = read(text)
    # One more line end changes the last record only when it is still inside quotes.
    return recs, read(text + "\n") != recs


def loadable(s):
    return "\x00" not in s and not any("\udc80" <= c <= "\udcff" for c in s)


def pg_text_of(typ, s):
    """PostgreSQL's text output of the field `s` loaded into a column of type `typ`."""
    if s == "":
        return ""
    if typ == "bigint":
        return str(int(s))
    if typ == "numeric":
        v = Decimal(s)
        return format(abs(v) if v == 0 else v, "f")
    return s


def header_problem(path):
    """Why the mutant's header cannot name a table's columns, or None."""
    recs, open_quote = parse_records(open(path, "rb").read())
    if not recs:
        return "no header"
    if open_quote and len(recs) == 1:
        return "the header ends inside quotes"
    header = recs[0]
    for name in header:
        if not name:
            return "an empty column name"
        if not loadable(name):
            return f"a name that is not UTF-8 text: {name!r}"
    if len({n.encode("utf-8", "surrogateescape")[:63] for n in header}) != len(header):
        return "duplicate column names"
    return None


def mutant_check(schema, path):
    """The table holds exactly the well-formed records Python's csv reader finds in the
    mutant, and the rejects count the others (a last record still inside quotes at the end
    of the file is one of them). And, independently of Python's reader, the records before
    the first mutated byte arrived unchanged."""
    rep = Report()
    data = open(path, "rb").read()
    meta = json.load(open(os.path.join(os.path.dirname(path), "mutation.json")))
    base = open(os.path.join(os.path.dirname(os.path.dirname(path)), "base", "t.csv"), "rb").read()
    types = column_types(schema, "t")
    names = [c for c, _ in types]
    got = pg_copy("SELECT * FROM " + qi(schema) + ".t")
    got_rows = sorted(tuple("" if v is None else v for v in row) for row in got)
    rj = rejects(schema, "t")
    recs, open_quote = parse_records(data)
    header, body = recs[0], recs[1:]
    if header != names:
        rep.fail(f"columns {names}, Python reads the header as {header}")
    complete = body[:-1] if open_quote else body
    good = [rec for rec in complete if len(rec) == len(header) and all(map(loadable, rec))]
    want = sorted(tuple(pg_text_of(t, v) for (_, t), v in zip(types, rec)) for rec in good)
    if got_rows != want:
        missing = [x for x in want if x not in got_rows][:3]
        extra = [x for x in got_rows if x not in want][:3]
        rep.fail(f"{len(got_rows)} rows, Python reads {len(want)} good records; "
                 f"missing {missing}, extra {extra}")
    if len(rj) != len(body) - len(good):
        rep.fail(f"{len(rj)} rejects, Python reads {len(body) - len(good)} bad records: {rj[:3]}")
    if open_quote and not any("unterminated quoted field" in x[2] for x in rj):
        rep.fail(f"the file ends inside quotes, but no reject says so: {rj[:3]}")
    # The last record read from the prefix may be cut short, so it is left out.
    for rec in parse_records(base[:meta["first"]])[0][1:-1]:
        if tuple(pg_text_of(ty, v) for (_, ty), v in zip(types, rec)) not in got_rows:
            rep.fail(f"a record before the first mutation is missing: {rec}")
    print(f"  {len(got_rows)} rows, {len(rj)} rejects" + (", ends inside quotes" if open_quote else ""))
    return rep.done(os.path.basename(os.path.dirname(path)))


# ---- part 3: SQLite dynamic typing ----

SPECIAL_REALS = [5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, -0.0, 0.0,
                 1e308, -1e308, 1.7976931348623157e308, 0.1, 1 / 3, -2 / 3, math.pi, 1e-300,
                 123456789.12345679, 9007199254740993.0, 2.0**63, -(2.0**63), 1e16, 100000.0,
                 float("inf"), float("-inf"), 4.9406564584124654e-324 * 3]
SPECIAL_INTS = [2**63 - 1, -2**63, 2**63 - 2, -2**63 + 1, 0, -1, 1, 2**53 + 1, -(2**31)]


def rand_real(r):
    k = r.random()
    if k < 0.3:
        return r.choice(SPECIAL_REALS)
    if k < 0.45:  # a subnormal
        return struct.unpack("<d", struct.pack("<Q", r.getrandbits(52) | (r.getrandbits(1) << 63)))[0]
    if k < 0.7:  # any finite bit pattern
        while True:
            v = struct.unpack("<d", struct.pack("<Q", r.getrandbits(64)))[0]
            if math.isfinite(v):
                return v
    return r.uniform(-1e6, 1e6)  # rarely exact in decimal


def sqlite_gen(path, seed):
    r = random.Random(seed)
    if os.path.exists(path):
        os.remove(path)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE dyn (id INTEGER PRIMARY KEY, r REAL, i INTEGER, b BLOB, s TEXT, v)")
    ids = set(SPECIAL_INTS[:4])
    while len(ids) < 300:  # keys over the whole int64 range: 128-bit key spans
        ids.add(r.randint(-2**63, 2**63 - 1) if r.random() < 0.5 else r.randint(-1000, 1000))
    ids = sorted(ids)
    bad = {}
    for n, key in enumerate(ids):
        row = [key, rand_real(r),
               r.choice(SPECIAL_INTS) if r.random() < 0.4 else r.randint(-2**63, 2**63 - 1),
               r.randbytes(r.choice([0, 0, 1, 16, 64])), rand_text(r, True),
               r.choice([r.randint(-2**63, 2**63 - 1), rand_real(r), rand_text(r, True),
                         rand_text(r, True).encode(), None])]
        for c in range(1, 6):
            if r.random() < 0.08:
                row[c] = None
        db.execute("INSERT INTO dyn VALUES (?, ?, ?, ?, ?, ?)", row)
    # SQLite's REAL affinity stores a whole double as an integer, so -0.0 comes back from r
    # as 0.0; the untyped column v keeps it (and carries it as text).
    for k, x in enumerate([-0.0, 5e-324, -1e308, 0.1]):
        db.execute("UPDATE dyn SET v = ? WHERE id = ?", (x, ids[70 + k]))
    # Values SQLite keeps but PostgreSQL's types cannot hold: these rows must be rejected.
    for key, sql, why in [
            (ids[10], "UPDATE dyn SET i = 1.5 WHERE id = ?", "not an integer"),
            (ids[20], "UPDATE dyn SET i = '12abc' WHERE id = ?", "not an integer"),
            (ids[30], "UPDATE dyn SET r = 'abc' WHERE id = ?", "not a number"),
            (ids[40], "UPDATE dyn SET s = CAST(x'41fe42' AS TEXT) WHERE id = ?", "invalid UTF-8"),
            (ids[50], "UPDATE dyn SET s = 'nul' || char(0) || 'byte' WHERE id = ?", "invalid UTF-8"),
            (ids[60], "UPDATE dyn SET v = x'c0af' WHERE id = ?", "invalid UTF-8")]:
        db.execute(sql, (key,))
        bad[key] = why
    db.commit()
    db.close()
    with open(path + ".rejects.json", "w") as f:
        json.dump({str(k): v for k, v in bad.items()}, f)


def sqlite_check(schema, path):
    rep = Report()
    db = sqlite3.connect(path)
    db.text_factory = bytes
    src = db.execute("SELECT id, r, i, b, s, v, typeof(v) FROM dyn ORDER BY id").fetchall()
    bad = {int(k): v for k, v in json.load(open(path + ".rejects.json")).items()}
    got = {int(row[0]): row for row in pg_copy(
        "SELECT id, encode(float8send(r), 'hex'), i, encode(b, 'hex'), s, v FROM "
        + qi(schema) + ".dyn")}
    values = 0
    for key, rv, iv, bv, sv, vv, vt in src:
        if key in bad:
            if key in got:
                rep.fail(f"id={key} should be rejected ({bad[key]}), but was loaded")
            continue
        g = got.get(key)
        if g is None:
            rep.fail(f"id={key} missing")
            continue
        want_r = None if rv is None else struct.pack(">d", rv).hex()
        want_s = None if sv is None else sv.decode()
        checks = [("r", want_r, g[1]), ("i", None if iv is None else str(iv), g[2]),
                  ("b", None if bv is None else bv.hex(), g[3]), ("s", want_s, g[4])]
        if vt == b"real":  # text of a float: any form that reads back as the same double
            same = g[5] is not None and struct.pack(">d", float(g[5])) == struct.pack(">d", vv)
            checks.append(("v", vv if not same else g[5], g[5]))
        else:
            checks.append(("v", None if vv is None else str(vv) if vt == b"integer" else vv.decode(), g[5]))
        for col, want, have in checks:
            values += 1
            if want != have:
                rep.fail(f"id={key} {col}: SQLite {want!r}, PostgreSQL {have!r}")
    if len(got) != len(src) - len(bad):
        rep.fail(f"{len(got)} rows in PostgreSQL, expected {len(src) - len(bad)}")
    rj = {k: why for k, _, why in rejects(schema, "dyn")}
    want_rj = {f"id={k}": v for k, v in bad.items()}
    for k, why in want_rj.items():
        if why not in rj.get(k, ""):
            rep.fail(f"reject {k}: expected '{why}', got {rj.get(k)!r}")
    if len(rj) != len(want_rj):
        rep.fail(f"{len(rj)} rejects, expected {len(want_rj)}: {sorted(rj)}")
    print(f"  compared {values} values of {len(got)} rows; {len(rj)} rejects")
    return rep.done("sqlite round trip")


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "csv-gen":
        csv_gen(args[0], int(args[1]), args[2])
    elif cmd == "csv-check":
        sys.exit(csv_check(args[0], args[1]))
    elif cmd == "mutants":
        mutants(args[0], int(args[1]), int(args[2]))
    elif cmd == "header-problem":
        why = header_problem(args[0])
        print(f"  header: {why or 'well-formed'}")
        sys.exit(0 if why else 1)
    elif cmd == "mutant-check":
        sys.exit(mutant_check(args[0], args[1]))
    elif cmd == "sqlite-gen":
        sqlite_gen(args[0], int(args[1]))
    elif cmd == "sqlite-check":
        sys.exit(sqlite_check(args[0], args[1]))
    else:
        sys.exit(f"unknown command {cmd}")
