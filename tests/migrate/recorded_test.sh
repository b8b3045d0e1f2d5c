#!/usr/bin/env bash
# The copy's type choices are recorded (issue #11 §1, staging.migration_columns, V063):
# after the source gains a row that would change the value scan's choice, verify, diff,
# sync and a resumed copy keep converting as the copy did and name the row the recorded
# type cannot hold, instead of silently retyping; plan --show-state lists the choices.
set -uo pipefail
corrente="$1"
. "$(dirname "$0")/common.sh"
trap cleanup_db EXIT
export CORRENTE_LOG_FORMAT=json

python3 - "$work/rec.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
create table evento (id integer primary key, n integer, cuando datetime, nota text);
create table otra (id integer primary key, x real);
""")
c.executemany("insert into evento values (?,?,?,?)", [
    (1, 5, '2024-01-05 10:00:00', 'a'), (2, None, '2024-02-01 00:00:00', 'b'), (3, 7, None, None)])
c.executemany("insert into otra values (?,?)", [(1, 1.5), (2, 2.5)])
c.commit()
PY
src="sqlite://$work/rec.db"
out=$("$corrente" migrate copy "$src" --verify 2>&1); check "copy --verify exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "the choices are recorded" [ "$(q "select string_agg(table_name || '.' || column_name || ' ' || sql_type, ',' order by table_name, position) from staging.migration_columns where target_schema = 'rec'")" = "evento.id bigint,evento.n bigint,evento.cuando timestamp without time zone,evento.nota text,otra.id bigint,otra.x double precision" ]
out=$("$corrente" migrate plan "$src" --show-state 2>&1); check "plan --show-state exits 0" [ $? -eq 0 ]
check "plan --show-state lists them with their reasons" contains "$out" "^-- rec.evento.n: bigint -- INTEGER -> bigint \(SQLite integers are 64-bit\)$"

# The source gains a row the recorded types cannot hold: text in the INTEGER column and a
# bare number beside the timestamps of the DATETIME column.
python3 - "$work/rec.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("insert into evento values (4, 'muchos', 2024, 'd')")
c.execute("insert into evento values (5, 'pocos', '2024-03-01 00:00:00', 'e')")
c.execute("update evento set nota = 'B' where id = 2")
c.commit()
PY
out=$("$corrente" migrate plan "$src" 2>&1)
check "a plan made now would retype both columns" contains "$out" "\"n\" text COLLATE \"C\", \"cuando\" text COLLATE \"C\""
out=$("$corrente" migrate verify "$src" 2>&1); rc=$?
check "verify fails (exit 2)" [ $rc -eq 2 ]
check "verify keeps the recorded type and says what a plan now would give" contains "$out" "column n: the copy chose bigint; a plan made now would give text"
check "verify names the row the recorded type cannot hold, and why" contains "$out" "rejects: source has 2 unconvertible rows, 0 recorded in staging.migration_rejects \(id=4: "
check "  the column's type in the target is unchanged" [ "$(q "select data_type from information_schema.columns where table_schema = 'rec' and table_name = 'evento' and column_name = 'n'")" = "bigint" ]
check "  the other table matches" contains "$out" "otra +2 +2 "
out=$("$corrente" migrate diff "$src" --table evento 2>&1)
check "diff names the row it cannot carry" contains "$out" "table evento: source row id=4 cannot be carried \("
check "  and the changed row" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "changed id=2" ]
rejects() { q "select string_agg(source_key || ' ' || coalesce(column_name, '-'), ',' order by source_key) from staging.migration_rejects where target_schema = 'rec' and table_name = 'evento'"; }
check "  diff records the rows in staging.migration_rejects, as copy does" [ "$(rejects)" = "id=4 n,id=5 n" ]
check "  with the conversion's reason" contains "$(q "select reason from staging.migration_rejects where target_schema = 'rec' and source_key = 'id=5'")" "pocos"
out=$("$corrente" migrate sync "$src" 2>&1); check "sync exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "sync carries the changed row" contains "$out" "sync evento: 0 inserted, 1 updated, 0 deleted"
check "  no second record of the rows diff recorded" [ "$(rejects)" = "id=4 n,id=5 n" ]
check "  the synced value" [ "$(q "select nota from rec.evento where id = 2")" = "B" ]
check "  still bigint" [ "$(q "select pg_typeof(n) from rec.evento where id = 1")" = "bigint" ]
out=$("$corrente" migrate verify "$src" 2>&1); check "verify still fails: those rows are not in the target" [ $? -eq 2 ]
check "  it counts them as refused rows, recorded (the reject accounting matches)" contains "$out" "2 source rows refused at copy, not in the target \(keys id=4, id=5 in staging.migration_rejects\)"
check "  (no unaccounted rejects)" lacks "$out" "unconvertible rows"
"$corrente" migrate verify "$src" --accept-rejects >/dev/null 2>&1; check "  verify --accept-rejects passes" [ $? -eq 0 ]

# A source fix: the row converts again; sync carries it and drops its reject record.
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("update evento set n = 9 where id = 5"); c.commit()' "$work/rec.db"
out=$("$corrente" migrate sync "$src" 2>&1); check "sync after the fix exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "  it inserts the fixed row" contains "$out" "sync evento: 1 inserted, 0 updated, 0 deleted"
check "  and its reject record is gone" [ "$(rejects)" = "id=4 n" ]
out=$("$corrente" migrate verify "$src" --accept-rejects 2>&1); check "  verify --accept-rejects passes with the one row left" [ $? -eq 0 ] && also contains "$out" "keys id=4 in"

# A resumed copy (no --fresh) keeps the recorded choices; --fresh plans anew.
"$corrente" migrate copy "$src" >/dev/null 2>&1; check "copy again (resumed) exits 0" [ $? -eq 0 ]
check "  the recorded choice is kept" [ "$(q "select sql_type from staging.migration_columns where target_schema = 'rec' and table_name = 'evento' and column_name = 'n'")" = "bigint" ]
out=$("$corrente" migrate copy "$src" --fresh --verify 2>&1); check "copy --fresh --verify exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "  all match" contains "$out" "verify: all 2 tables match$"
check "  the new choices are recorded" [ "$(q "select string_agg(column_name || ' ' || sql_type, ',' order by position) from staging.migration_columns where target_schema = 'rec' and table_name = 'evento'")" = "id bigint,n text,cuando text,nota text" ]
check "  and every value is there" [ "$(q "select string_agg(concat_ws('|', id, n, cuando), ';' order by id) from rec.evento")" = "1|5|2024-01-05 10:00:00;2|2024-02-01 00:00:00;3|7;4|muchos|2024;5|9|2024-03-01 00:00:00" ]

finish
