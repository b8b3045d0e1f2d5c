#!/usr/bin/env bash
# SQLite column DEFAULTs written as hex (0x10, -0x1F, 64-bit two's complement), exponents
# (1e3, -2.5E-3), blobs (x'00ff'), +5, TRUE/FALSE, parenthesised, signed and || forms: carried
# as the value SQLite stores under the column's affinity (0x10 is 16.0 in a REAL column, '16'
# in a TEXT one; before, each was warned about and left out). For every such column, a row
# inserted without it in SQLite and copied equals a row inserted without it in PostgreSQL.
# What cannot be carried exactly stays left out, with the reason in the plan.
set -uo pipefail
corrente="$1"
. "$(dirname "$0")/common.sh"
trap cleanup_db EXIT
export CORRENTE_LOG_FORMAT=json

python3 - "$work/defs.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript("""
create table d (id integer primary key,
  r_hex real default 0x10, t_hex text default 0x10, i_hex integer default 0x10,
  n_hex numeric default -0x1F, t_neg_hex text default (-0x1F), i_all_ones integer default 0xFFFFFFFFFFFFFFFF,
  r_all_ones real default 0xffffffffffffffff, r_max_hex real default 0x7FFFFFFFFFFFFFFF,
  i_e integer default 1e3, t_e text default 1e3, r_e real default -2.5E-3, t_e2 text default -2.5E-3,
  n_e numeric default 1e3, dec_e decimal(10,4) default -2.5E-3, t_e20 text default 1e20, r_inf real default 1e400,
  b_blob blob default x'00ff', b_empty blob default x'', t_blob text default x'41',
  i_plus int default +5, t_plus text default +5, r_plus real default +5,
  b_true boolean default TRUE, b_false boolean default FALSE, i_true int default true, t_false text default FALSE,
  p_int int default (5), p_hex text default (-(0x10)), p_signs real default (- -5), p_cat text default ('a' || 'b'),
  p_third text default (1.0/3), t_150 text default 1.50, i_text_e int default '1e3', t_quote text default 'it''s',
  v_hex varchar(10) default 0x10, day date default '2024-02-29', b_one boolean default 1);
create table fuera (id integer primary key, at datetime default 0, at2 datetime default (1e3),
  n integer default 'abc', v varchar(2) default 0x100, b boolean default 2, t text default x'ff');
""")
c.execute("insert into d (id) values (1)")
# The values the column types are chosen from: a timestamp, an integer, text, a boolean.
c.execute("insert into fuera values (1, '2024-01-05 10:00:00', '2024-01-05 10:00:00', 7, 'ab', 0, 'x')")
c.commit()
PY
check "fixture created" [ $? -eq 0 ]
src="sqlite://$work/defs.db"
sq() { sqlite3 "$work/defs.db" "$1"; }

out=$("$corrente" migrate plan "$src" 2>&1); check "plan exits 0" [ $? -eq 0 ]
check "no DEFAULT of table d left out" lacks "$out" "WARNING d: column .*DEFAULT"
check "0x10: 16 in a REAL column, '16' in a TEXT one" contains "$out" '"r_hex" double precision DEFAULT '"'16'"', "t_hex" text COLLATE "C" DEFAULT '"'16'"
check "a number in a DATETIME: left out, and why" contains "$out" "WARNING fuera: column at: DEFAULT 0 is not a timestamp without time zone value PostgreSQL can take as written; left out \(a number in a timestamp without time zone column \(SQLite's date functions read it as a julian day, the copy as Unix time\)\)"
also contains "$out" "WARNING fuera: column at2: DEFAULT 1e3 is not a timestamp"
check "text in an INTEGER: left out, and why" contains "$out" "WARNING fuera: column n: DEFAULT 'abc' is not a bigint value .*left out \(not an integer: abc\)"
check "256 in a varchar\(2\): left out" contains "$out" "WARNING fuera: column v: DEFAULT 0x100 is not a varchar\(2\) .*left out \(value longer than varchar\(2\)"
check "2 in a boolean: left out" contains "$out" "WARNING fuera: column b: DEFAULT 2 is not a boolean .*left out \(boolean column holds 2\)"
check "a blob that is not UTF-8 in a text column: left out" contains "$out" "WARNING fuera: column t: DEFAULT x'ff' is not a text .*left out \(invalid UTF-8 in column t\)"

out=$("$corrente" migrate copy "$src" 2>&1); check "copy exits 0" [ $? -eq 0 ]
cols=$(q "select count(*) || '/' || count(column_default) from information_schema.columns where table_schema = 'defs' and table_name = 'd' and column_name <> 'id'")
check "every column of d has its DEFAULT" [ "$cols" = "37/37" ]
# The SQLite row inserted without the columns, copied, against one inserted in PostgreSQL.
q "insert into defs.d (id) values (2)" >/dev/null
differ=$(q "select coalesce(string_agg(k, ','), '') from defs.d a, defs.d b, jsonb_each(to_jsonb(a) - 'id') x(k, v) where a.id = 1 and b.id = 2 and x.v is distinct from to_jsonb(b) -> x.k")
check "an INSERT without the columns: the same values in SQLite (copied) and PostgreSQL" [ "$differ" = "" ]
got=$(q "select concat_ws('|', r_hex, t_hex, i_hex, n_hex, t_neg_hex, i_all_ones, r_all_ones, r_max_hex, i_e, t_e, r_e, t_e2, n_e, dec_e, t_e20, r_inf) from defs.d where id = 2")
want=$(sq "select printf('%.16g|%s|%s|%s|%s|%s|%.16g|%.16g|%s|%s|%s|%s|%s|%s|%s|Infinity', r_hex, t_hex, i_hex, n_hex, t_neg_hex, i_all_ones, r_all_ones, r_max_hex, i_e, t_e, r_e, t_e2, n_e, dec_e, t_e20) from d")
check "numbers as SQLite stores them ($got)" [ "$got" = "16|16|16|-31|-31|-1|-1|9.223372036854776e+18|1000|1000.0|-0.0025|-0.0025|1000|-0.0025|1.0e+20|Infinity" ]
also [ "$got" = "$want" ]
got=$(q "select concat_ws('|', encode(b_blob, 'hex'), length(b_empty), t_blob, i_plus, t_plus, r_plus, b_true, b_false, i_true, t_false, p_int, p_hex, p_signs, p_cat, p_third, t_150, i_text_e, t_quote, v_hex, day, b_one) from defs.d where id = 2")
want=$(sq "select printf('%s|%s|%s|%s|%s|%g|t|f|%s|%s|%s|%s|%g|%s|%s|%s|%s|%s|%s|%s|t', lower(hex(b_blob)), length(b_empty), cast(t_blob as text), i_plus, t_plus, r_plus, i_true, t_false, p_int, p_hex, p_signs, p_cat, p_third, t_150, i_text_e, t_quote, v_hex, day) from d")
check "blobs, signs, booleans, parentheses, || ($got)" [ "$got" = "00ff|0|A|5|5|5|t|f|1|0|5|-16|5|ab|0.333333333333333|1.5|1000|it's|16|2024-02-29|t" ]
also [ "$got" = "$want" ]
check "fuera: the left-out columns have no DEFAULT" [ "$(q "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_schema = 'defs' and table_name = 'fuera' and column_default is null")" = "id,at,at2,n,v,b,t" ]
q "delete from defs.d where id = 2" >/dev/null
"$corrente" migrate verify "$src" >/dev/null 2>&1; check "verify: every table matches" [ $? -eq 0 ]
finish
