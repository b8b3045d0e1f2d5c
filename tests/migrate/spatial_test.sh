#!/usr/bin/env bash
# MySQL/MariaDB spatial columns (issue #11 §1): PostGIS geometry (its subtype and declared
# SRID; each value keeps its own SRID) when the target has the postgis extension, else bytea
# holding the WKB, the plan saying which. Verify compares the WKB of both sides (PostGIS's
# EWKB less its SRID; MySQL's value less its 4-byte SRID prefix); sync carries geometry.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/common.sh"
. "$here/mariadb_env.sh"

if [ -z "$(q "select 1 from pg_available_extensions where name = 'postgis'")" ]; then
  echo "not ok - PostGIS is not installed for this PostgreSQL (scripts/deps.sh test: postgresql-15-postgis-3)"
  exit 1
fi
my_sql <<'SQL'
CREATE DATABASE geo;
CREATE TABLE geo.lugar (id INT PRIMARY KEY, punto POINT REF_SYSTEM_ID=4326, zona POLYGON,
  forma GEOMETRY, nombre VARCHAR(20));
INSERT INTO geo.lugar VALUES
 (1, ST_GeomFromText('POINT(-3.7038 40.4168)', 4326),
  ST_GeomFromText('POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,2 1,2 2,1 1))'),
  ST_GeomFromText('LINESTRING(0 0,1 1,2 0)'), 'Madrid'),
 (2, NULL, NULL, ST_GeomFromText('GEOMETRYCOLLECTION(POINT(1 1),LINESTRING(0 0,1 1))'), NULL),
 (3, ST_GeomFromText('POINT(2.1734 41.3851)', 4326), ST_GeomFromText('POLYGON((0 0,1 0,0 1,0 0))'),
  ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,0 1,0 0)),((5 5,6 5,5 6,5 5)))', 3857), 'Barcelona');
CREATE TABLE geo.sitio (id INT PRIMARY KEY, pos POINT REF_SYSTEM_ID=4326 NOT NULL,
  SPATIAL INDEX sitio_pos (pos));
INSERT INTO geo.sitio SELECT seq, ST_GeomFromText(CONCAT('POINT(', seq MOD 100, ' ', seq DIV 100, ')'), 4326)
  FROM geo.seq_1_to_2000;
SQL
check "MariaDB fixture loaded" [ $? -eq 0 ]
src="mysql://corrente:corrente@127.0.0.1:$port/geo"
my_wkb() { my_sql -N -e "select group_concat(concat_ws(':', id, lower(hex(ST_AsWKB(punto))), lower(hex(ST_AsWKB(zona))), lower(hex(ST_AsWKB(forma)))) order by id separator ';') from geo.lugar"; }

# Without PostGIS in the target: bytea holding the WKB, and the plan says why.
out=$("$corrente" migrate plan "$src" 2>&1); check "plan exits 0" [ $? -eq 0 ]
check "no postgis: POINT -> bytea, and the plan says why" contains "$out" "punto: point -> bytea \(spatial: its WKB; the SRID prefix is dropped\); bytea, not geometry: the target has no postgis extension"
check "  the SPATIAL index is not built on bytea, and the plan says why" contains "$out" "WARNING sitio: SPATIAL index sitio_pos not built: column pos is bytea holding WKB \(the target has no postgis extension\), on which no index answers a spatial query"
check "  (no btree on the WKB either)" lacks "$out" "INDEX \"sitio_pos\""
out=$("$corrente" migrate copy "$src" --verify 2>&1); check "copy --verify (bytea) exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "  all match" contains "$out" "verify: all 2 tables match$"
check "  no index on the bytea column" [ "$(q "select count(*) from pg_indexes where schemaname = 'geo' and tablename = 'sitio'")" = "1" ]
check "  the columns are bytea" [ "$(q "select string_agg(data_type, ',' order by ordinal_position) from information_schema.columns where table_schema = 'geo' and table_name = 'lugar'")" = "integer,bytea,bytea,bytea,character varying" ]
check "  holding MariaDB's WKB" [ "$(q "select string_agg(concat_ws(':', id, encode(punto, 'hex'), encode(zona, 'hex'), encode(forma, 'hex')), ';' order by id) from geo.lugar")" = "$(my_wkb)" ]

# With PostGIS: geometry of the declared subtype and SRID.
q "create extension postgis" >/dev/null; check "postgis created in the target" [ $? -eq 0 ]
out=$("$corrente" migrate plan "$src" 2>&1); check "plan exits 0" [ $? -eq 0 ]
check "postgis: POINT with SRID 4326 -> geometry(Point,4326)" contains "$out" "\"punto\" geometry\(Point,4326\), \"zona\" geometry\(Polygon\), \"forma\" geometry,"
check "  and the plan says why" contains "$out" "punto: point -> geometry\(Point,4326\) \(PostGIS: the target has the postgis extension; each value keeps its SRID\)"
check "  the SPATIAL index becomes GiST" contains "$out" "CREATE INDEX \"sitio_pos\" ON \"geo\".\"sitio\" USING gist \(\"pos\"\);"
check "  and the plan says so" contains "$out" "WARNING sitio: SPATIAL index sitio_pos -> GiST index on geometry"
out=$("$corrente" migrate copy "$src" --schema geo_gis --verify 2>&1); check "copy --verify (geometry) exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "  all match" contains "$out" "verify: all 2 tables match$"
check "  the GiST index is built" [ "$(q "select indexdef from pg_indexes where schemaname = 'geo_gis' and indexname = 'sitio_pos'")" = "CREATE INDEX sitio_pos ON geo_gis.sitio USING gist (pos)" ]
plan=$(q "set enable_seqscan = off; explain (costs off) select count(*) from geo_gis.sitio where pos && ST_MakeEnvelope(10, 10, 12, 12, 4326)")
check "  and a bounding-box query uses it" contains "$plan" "sitio_pos"
check "  (it finds the 9 points MariaDB finds)" [ "$(q "select count(*) from geo_gis.sitio where pos && ST_MakeEnvelope(10, 10, 12, 12, 4326)")" = "$(my_sql -N -e "select count(*) from geo.sitio where MBRIntersects(pos, ST_GeomFromText('POLYGON((10 10,12 10,12 12,10 12,10 10))', 4326))")" ]
check "  the columns are geometry" [ "$(q "select string_agg(udt_name, ',' order by ordinal_position) from information_schema.columns where table_schema = 'geo_gis' and table_name = 'lugar'")" = "int4,geometry,geometry,geometry,varchar" ]
check "  their WKB (ST_AsBinary) is MariaDB's (ST_AsWKB)" [ "$(q "select string_agg(concat_ws(':', id, encode(ST_AsBinary(punto), 'hex'), encode(ST_AsBinary(zona), 'hex'), encode(ST_AsBinary(forma), 'hex')), ';' order by id) from geo_gis.lugar")" = "$(my_wkb)" ]
check "  each value keeps its SRID" [ "$(q "select string_agg(concat_ws(':', id, ST_SRID(punto), ST_SRID(forma)), ';' order by id) from geo_gis.lugar")" = "$(my_sql -N -e "select group_concat(concat_ws(':', id, ST_SRID(punto), ST_SRID(forma)) order by id separator ';') from geo.lugar")" ]
check "  PostGIS works on them" [ "$(q "select round(ST_Area(zona)::numeric, 1) from geo_gis.lugar where id = 1")" = "15.5" ]
check "the bytea copy still verifies: it keeps the type it was copied with" [ "$("$corrente" migrate verify "$src" >/dev/null 2>&1; echo $?)" = "0" ]

# The SRID is compared too: the same coordinates in another SRID are not the same value.
"$corrente" migrate copy "$src" --schema geo_m --manifest "$work/geo.manifest" >/dev/null 2>&1
check "copy --manifest (geometry) exits 0" [ $? -eq 0 ]
for s in geo_gis geo_m; do q "update $s.lugar set forma = ST_SetSRID(forma, 4326) where id = 3" >/dev/null; done
check "  a geometry's SRID changed in the target, coordinates kept" [ "$(q "select ST_SRID(forma) || ' ' || (ST_AsBinary(forma) = (select ST_AsBinary(forma) from geo_m.lugar where id = 3)) from geo_gis.lugar where id = 3")" = "4326 true" ]
out=$("$corrente" migrate verify "$src" --schema geo_gis 2>&1); check "verify fails on the changed SRID" [ $? -eq 2 ] || echo "$out" | tail -3
out=$("$corrente" migrate diff "$src" --schema geo_gis --table lugar 2>&1)
check "  diff names the row" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "changed id=3" ]
"$corrente" migrate verify "$src" --schema geo_m --manifest "$work/geo.manifest" --manifest-side target >/dev/null 2>&1
check "  the manifest's target side fails on it" [ $? -eq 2 ]
"$corrente" migrate verify "$src" --schema geo_m --manifest "$work/geo.manifest" --manifest-side source >/dev/null 2>&1
check "  its source side still passes" [ $? -eq 0 ]
out=$("$corrente" migrate sync "$src" --schema geo_gis 2>&1); check "  sync puts the SRID back" contains "$out" "sync lugar: 0 inserted, 1 updated, 0 deleted"
check "  (3857, as in MariaDB)" [ "$(q "select ST_SRID(forma) from geo_gis.lugar where id = 3")" = "3857" ]

# A changed geometry in the target: verify sees it, sync puts MariaDB's back.
q "update geo_gis.lugar set punto = ST_SetSRID(ST_MakePoint(0, 0), 4326) where id = 1" >/dev/null
"$corrente" migrate verify "$src" --schema geo_gis >/dev/null 2>&1; check "verify fails after a geometry changed" [ $? -eq 2 ]
out=$("$corrente" migrate diff "$src" --schema geo_gis --table lugar 2>&1)
check "diff names the row" [ "$(grep -E '^(missing|extra|changed) ' <<<"$out")" = "changed id=1" ]
my_sql geo -e "INSERT INTO lugar VALUES (4, ST_GeomFromText('POINT(1 1)', 4326), NULL, ST_GeomFromText('POINT(7 7)', 25830), 'Nuevo')"
out=$("$corrente" migrate sync "$src" --schema geo_gis 2>&1); check "sync exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "sync: 1 inserted, 1 updated" contains "$out" "sync lugar: 1 inserted, 1 updated, 0 deleted"
check "  the synced geometries are MariaDB's" [ "$(q "select string_agg(concat_ws(':', id, encode(ST_AsBinary(punto), 'hex'), encode(ST_AsBinary(zona), 'hex'), encode(ST_AsBinary(forma), 'hex')), ';' order by id) from geo_gis.lugar")" = "$(my_wkb)" ]
check "  with their SRIDs" [ "$(q "select ST_SRID(forma) from geo_gis.lugar where id = 4")" = "25830" ]
"$corrente" migrate verify "$src" --schema geo_gis >/dev/null 2>&1; check "verify after sync passes" [ $? -eq 0 ]

# A value whose SRID is not the column's declared one: PostGIS refuses that row, and only it.
my_sql -e "CREATE DATABASE geo2; CREATE TABLE geo2.p (id INT PRIMARY KEY, p POINT REF_SYSTEM_ID=4326);
  INSERT INTO geo2.p VALUES (1, ST_GeomFromText('POINT(1 2)', 4326)), (2, ST_GeomFromText('POINT(3 4)', 3857)), (3, ST_GeomFromText('POINT(5 6)', 0));"
src2="mysql://corrente:corrente@127.0.0.1:$port/geo2"
out=$("$corrente" migrate copy "$src2" 2>&1); check "copy with a wrong-SRID value exits 0" [ $? -eq 0 ] || echo "$out" | tail -5
check "  that row refused, the others copied" contains "$out" "2 rows, 1 rejected"
check "  a value without an SRID (0) takes the column's, as PostGIS does" [ "$(q "select ST_SRID(p) from geo2.p where id = 3")" = "4326" ]
check "  the reject names the row and PostGIS's reason" contains "$(q "select source_key || ' ' || reason from staging.migration_rejects where target_schema = 'geo2'")" "^id=2 refused by PostgreSQL \(22023\): .*SRID"
out=$("$corrente" migrate verify "$src2" 2>&1); check "verify fails on it (exit 2), naming it" [ $? -eq 2 ] && also contains "$out" "keys id=2"

finish
