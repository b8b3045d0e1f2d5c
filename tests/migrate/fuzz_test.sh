#!/usr/bin/env bash
# Seeded fuzz of corrente migrate's inputs (generators and oracles in fuzz.py):
#  1. CSV round trip: files of awkward text (quotes, commas, CR/LF/CRLF, tabs, backslashes,
#     edge spaces, emoji and combining marks, NULL vs ""), integers, long decimals, dates and
#     timestamps, written by Python's csv module (BOM or not; LF, CRLF or CR line ends);
#     copy --verify, then every value compared with what Python wrote.
#  2. Mutation fuzz: a valid file with random quotes, bytes (invalid UTF-8, NUL), cuts,
#     duplicated lines, extra fields, CR line ends. copy never crashes and either refuses a
#     malformed header in one line or loads; then verify passes and the rows and rejects are
#     exactly the records Python's csv reader finds (nothing lost without a reject).
#  3. SQLite dynamic typing: doubles (subnormals, -0.0, 1e308, inf), integers at +-2^63, keys
#     over the whole int64 range (loaded in key ranges), random blobs, unicode text; compared
#     bit for bit; values PostgreSQL cannot hold rejected by key.
#  And the defects it found, as fixed inputs: CR line ends, a file cut inside quotes,
#  decimals past numeric's range, clock times PostgreSQL refuses or rounds, bad names.
# CORRENTE_FUZZ_SEED=N runs another seed; CORRENTE_FUZZ_MUTANTS=N sets the mutant count.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/common.sh"
trap cleanup_db EXIT
export CORRENTE_LOG_FORMAT=json
seed="${CORRENTE_FUZZ_SEED:-20261122}"
mutants="${CORRENTE_FUZZ_MUTANTS:-40}"
fuzz() { python3 "$here/fuzz.py" "$@"; }
echo "# seed $seed (CORRENTE_FUZZ_SEED=$seed reproduces this run)"
# A crash is a signal or an abort message; a refusal is one line that is not a JSON log line.
no_crash() { [ "$1" -lt 128 ] && lacks "$2" 'terminate called|Segmentation|Aborted|core dumped|Sanitizer'; }
one_line_error() { local plain; plain=$(grep -v '^{' <<<"$1"); [ -n "$plain" ] && [ "$(wc -l <<<"$plain")" -eq 1 ]; }

# 1. CSV property round trip.
mkdir -p "$work/csv"
fuzz csv-gen "$work/csv" "$seed" "$work/csv.json"
out=$("$corrente" migrate copy "csv://$work/csv" --schema fz_csv --verify --accept-rejects 2>&1); rc=$?
check "csv: copy --verify exits 0" [ $rc -eq 0 ] || echo "$out" | tail -5
check "csv: verify matches all 4 files" contains "$out" "verify: all 4 tables match"
check "csv: every value and type as written (seed $seed)" fuzz csv-check fz_csv "$work/csv.json"
out=$("$corrente" migrate diff "csv://$work/csv" --schema fz_csv --table "Ñandú crlf bom" 2>&1)
check "csv: diff by whole rows finds them equal" [ $? -eq 0 ]

# 2. Mutation fuzz.
fuzz mutants "$work/mut" "$seed" "$mutants" >"$work/mutants.txt"
for m in "$work"/mut/m*/; do
  k=$(basename "$m")
  what="$(grep "^$k " "$work/mutants.txt")"
  out=$("$corrente" migrate copy "csv://$m" --schema "fz_$k" 2>&1); rc=$?
  if ! no_crash $rc "$out"; then
    not_ok "$what: copy crashed (exit $rc)"
    tail -3 <<<"$out"
    continue
  fi
  if [ $rc -ne 0 ]; then
    check "$what: copy refuses in one line" one_line_error "$out"
    check "$k: only a malformed header stops the copy" fuzz header-problem "$m/t.csv"
    continue
  fi
  "$corrente" migrate verify "csv://$m" --schema "fz_$k" --accept-rejects >"$work/verify.txt" 2>&1
  check "$what: verify passes" [ $? -eq 0 ]
  check "$k: rows and rejects are the records Python reads" fuzz mutant-check "fz_$k" "$m/t.csv"
done

# 3. SQLite dynamic typing.
fuzz sqlite-gen "$work/dyn.db" "$seed"
# --strict: the declared types, so the values they cannot hold are refused by key (without
# it the plan would widen those columns; faithful_test.sh covers that).
out=$("$corrente" migrate copy "sqlite://$work/dyn.db" --schema fz_sqlite --strict --verify --accept-rejects --range-rows 64 --jobs 2 2>&1); rc=$?
check "sqlite: copy --verify exits 0" [ $rc -eq 0 ]
check "sqlite: loaded in key ranges over the whole int64 span" [ "$(q "select count(*) from staging.migration_ranges where target_schema = 'fz_sqlite'")" -ge 4 ]
check "sqlite: every value bit for bit, refused values rejected by key" fuzz sqlite-check fz_sqlite "$work/dyn.db"
CORRENTE_MIGRATE_TEST_SPLIT_ROWS=1 "$corrente" migrate verify "sqlite://$work/dyn.db" --schema fz_sqlite --strict --jobs 3 --accept-rejects >/dev/null 2>&1
check "sqlite: verify split in key and page ranges passes" [ $? -eq 0 ]

# What this fuzz found, kept as fixed inputs.
mk() { mkdir -p "$work/$1"; printf "$3" >"$work/$1/$2"; }
# CR-only line ends (classic Mac exports) were read as one header of every line: 0 rows, OK.
mk reg mac.csv 'id,name\r1,a\r2,"b\rc"\r3,x,y\r4,d\r'
# A lone CR in an LF file stays data (Python 3.11's csv module writes such fields unquoted).
mk reg lone_cr.csv 'id,name\n1,a\rb\n'
# A file cut inside quotes had its last record loaded cut short, as if whole.
mk reg cut.csv 'id,name\n1,a\n2,"cut sho'
# Decimals past PostgreSQL's numeric range (131072 digits before the point) were stored as 0.
python3 -c "print('id,v'); print('1,' + '9' * 131073); print('2,-' + '4' * 131072 + '.5')
print('3,0.' + '1' * 16384); print('4,0.' + '2' * 16383)" >"$work/reg/huge.csv"
# Clock times PostgreSQL refuses (24:30, a negative minute) were read as times of the next
# or previous day; fractions past microseconds were cut, then rounded as PostgreSQL rounds
# (a change verify cannot see): now a column holding them is text, as written.
mk reg ts.csv 'id,at\n1,2024-01-01 23:59:59.999999\n2,2024-01-01 10:00:00.1234560\n'
# 24:00:00 PostgreSQL reads as the next midnight and a leap second :60 as the next minute:
# another value than written (they were stored so, verify agreeing). Now text, as written.
mk reg ts24.csv 'id,at\n1,2024-01-01 24:00:00\n2,2016-12-31 23:59:60\n3,2024-01-01 10:00:00\n'
mk reg ts_ns.csv 'id,at\n1,2024-01-01 24:00:00\n2,2024-01-01 10:00:00.9999996\n3,2024-01-01 10:00:00.12345649\n'
mk reg ts_bad.csv 'id,at\n1,2024-01-01 24:30:00\n2,2024-01-01 10:-5:00\n'
out=$("$corrente" migrate copy "csv://$work/reg" --schema fz_reg --verify --accept-rejects 2>&1)
check "regressions: copy --verify exits 0" [ $? -eq 0 ]
rej() { q "select string_agg(source_key || ': ' || reason, '; ') from staging.migration_rejects where target_schema = 'fz_reg' and table_name = '$1'"; }
check "CR line ends: a record per CR, a quoted CR kept" [ "$(q "select string_agg(id || '=' || replace(name, E'\r', '<CR>'), ',' order by id) from fz_reg.mac")" = "1=a,2=b<CR>c,4=d" ]
check "CR line ends: lines counted by CR" [ "$(rej mac)" = "line 5: line 5: expected 2 fields, found 3" ]
check "a lone CR in an LF file is data" [ "$(q "select name = E'a\\rb' from fz_reg.lone_cr")" = "t" ]
check "a file cut inside quotes: the cut record rejected" [ "$(q 'select string_agg(id::text, $$,$$) from fz_reg.cut')/$(rej cut)" = "1/line 3: line 3: unterminated quoted field (the file ends inside quotes)" ]
check "numeric: 131072 digits before the point, 16383 after, kept exactly" [ "$(q "select string_agg((v::text = case id when 2 then '-' || repeat('4', 131072) || '.5' else '0.' || repeat('2', 16383) end)::text, ',' order by id) from fz_reg.huge")" = "true,true" ]
out_of_range="numeric value out of range (PostgreSQL holds 131072 digits before the point, 16383 after) in column v"
check "numeric: one digit more, rejected" [ "$(rej huge)" = "line 2: $out_of_range; line 4: $out_of_range" ]
check "timestamps (zeros past microseconds)" [ "$(q "select string_agg(at::text, ',' order by id) from fz_reg.ts")" = "2024-01-01 23:59:59.999999,2024-01-01 10:00:00.123456" ]
check "24:00:00 and a leap second: a text column, as written" [ "$(q "select data_type from information_schema.columns where table_schema = 'fz_reg' and table_name = 'ts24' and column_name = 'at'")/$(q "select string_agg(at, ',' order by id) from fz_reg.ts24")" = "text/2024-01-01 24:00:00,2016-12-31 23:59:60,2024-01-01 10:00:00" ]
check "digits past microseconds: a text column, as written, not rounded" [ "$(q "select data_type from information_schema.columns where table_schema = 'fz_reg' and table_name = 'ts_ns' and column_name = 'at'")/$(q "select string_agg(at, ',' order by id) from fz_reg.ts_ns")" = "text/2024-01-01 24:00:00,2024-01-01 10:00:00.9999996,2024-01-01 10:00:00.12345649" ]
check "clock times PostgreSQL refuses: a text column, as written" [ "$(q "select data_type from information_schema.columns where table_schema = 'fz_reg' and table_name = 'ts_bad' and column_name = 'at'")/$(q "select string_agg(at, ',' order by id) from fz_reg.ts_bad")" = "text/2024-01-01 24:30:00,2024-01-01 10:-5:00" ]
# Names PostgreSQL cannot take were multi-line SQL errors; two file names equal in their
# first 63 bytes were loaded into one table (the second replaced the first) and copy said OK.
long=$(printf 'x%.0s' {1..63})
mk n_long "${long}1.csv" 'a\n1\n2\n'
mk n_long "${long}2.csv" 'a\n3\n'
mk n_empty t.csv 'a,\n1,2\n'
mk n_dup t.csv 'a,a\n1,2\n'
mk n_nul t.csv 'a,b\0c\n1,2\n'
mk n_latin1 t.csv 'a,d\xeda\n1,2\n'
mk n_quote t.csv 'a,"b\n1,2\n'
for c in "n_empty|table t: column 2's name is empty" "n_dup|table t: columns: two named a" \
         "n_nul|table t: column 2's name b\\x00c is not UTF-8 text (or holds NUL)" \
         "n_latin1|table t: column 2's name d\\xeda is not UTF-8 text (or holds NUL)" \
         "n_quote|csv: t.csv: the header ends inside quotes"; do
  out=$("$corrente" migrate copy "csv://$work/${c%%|*}" --schema fz_names 2>&1); rc=$?
  check "${c%%|*}: refused (exit 1) in one line: ${c#*|}" [ $rc -eq 1 -a "$out" = "corrente: ${c#*|}" ]
done
check "names: nothing created" [ "$(q "select count(*) from pg_tables where schemaname = 'fz_names'")" = "0" ]
# Since issue #11, two names equal within 63 bytes each get a cut name and a short hash.
out=$("$corrente" migrate copy "csv://$work/n_long" --schema fz_long --verify 2>&1)
check "n_long: both files loaded" contains "$out" "3 rows, 0 rejected"
check "n_long: verified" contains "$out" "verify: all 2 tables match"
check "n_long: each file its own table" [ "$(q "select count(*) from pg_tables where schemaname = 'fz_long' and tablename ~ '^x{54}_[0-9a-f]{8}$'")" = "2" ]

echo "# seed $seed, ${SECONDS}s"
finish
