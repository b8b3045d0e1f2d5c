#!/usr/bin/env bash
# corrente migrate map with examples/mappings/spanish_retail.json on the whole store of seed
# 003: 19 stores + 4 warehouses and all nine tables. Beyond map_test.sh: the day's last
# inventory snapshot (inventario_historico), target levels (nivel_objetivo) as approved POLICY
# overrides, suggested orders (pedidos_sugeridos) as REORDER recommendations, and users
# (usuarios) with their bcrypt hashes; an invalid username rejected; a second run that changes
# nothing and keeps a hash the server has since upgraded.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
mapping="$here/../../examples/mappings/spanish_retail.json"
. "$here/common.sh"
trap cleanup_db EXIT

db="$work/fluxion.db"
python3 "$here/make_spanish_retail.py" "$db" --stores 19 --warehouses 4 --products 12 --days 30 \
  --sales-per-day 4 --full --snapshot-days 3 >/dev/null
check "fixture generated" [ -f "$db" ]
sq() { python3 -c "import sqlite3,sys; print('|'.join('' if v is None else str(v) for v in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()))" "$db" "$1"; }

out=$("$corrente" migrate map "sqlite://$db" --mapping "$mapping" 2>&1); rc=$?
check "map exits 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || tail -5 <<<"$out"
check "23 sites: 19 stores + 4 warehouses" [ "$(q "select count(*) filter (where site_type = 'STORE') || '+' || count(*) filter (where site_type = 'DISTRIBUTION_CENTER') from core.dim_site")" = "19+4" ]
check "warehouses by code" [ "$(q "select string_agg(code, ',' order by code) from core.dim_site where site_type = 'DISTRIBUTION_CENTER'")" = "CEDI01,CEDI02,CEDI03,CEDI04" ]

# inventario_historico: one row per holder, product and snapshot day; the last day is
# inventario_actual's (it maps after the snapshots and wins).
check "inventory rows = holders x products x snapshot days" [ "$(q 'select count(*) from core.fact_inventory_daily')" = "$(sq "select count(*) from (select distinct ubicacion_id, producto_id, date(fecha_snapshot) from inventario_historico)")" ]
first_day=$(sq "select min(date(fecha_snapshot)) from inventario_historico")
read -r h_last h_first < <(sq "select (select cantidad from inventario_historico where ubicacion_id = 'cedi_03' and producto_id = 'P00007' and date(fecha_snapshot) = '$first_day' order by fecha_snapshot desc limit 1), (select cantidad from inventario_historico where ubicacion_id = 'cedi_03' and producto_id = 'P00007' and date(fecha_snapshot) = '$first_day' order by fecha_snapshot limit 1)" | tr '|' ' ')
check "an earlier day holds that day's last snapshot (23:30)" [ "$(q "select current_stock::int from core.fact_inventory_daily f join core.dim_site s using (site_id) join core.dim_item i using (item_id) where s.code = 'CEDI03' and i.sku = 'P00007' and f.full_date = date '$first_day'")" = "$h_last" ]
check "  which is not the day's first ($h_first)" [ "$h_last" != "$h_first" ]
check "the last day is inventario_actual's, with its minimum as safety stock" [ "$(q "select current_stock::int || ' ' || safety_stock::int from core.fact_inventory_daily f join core.dim_site s using (site_id) join core.dim_item i using (item_id) where s.code = 'SUC019' and i.sku = 'P00012' and f.full_date = (select max(full_date) from core.fact_inventory_daily)")" = "$(sq "select cantidad || ' ' || stock_minimo from inventario_actual where ubicacion_id = 'tienda_19' and producto_id = 'P00012'")" ]

# nivel_objetivo -> approved POLICY overrides, valid for a year from their last update.
check "one POLICY override per target level" [ "$(q "select count(*) from analytics.overrides where kind = 'POLICY' and state = 'APPROVED' and author = 'migrate:nivel_objetivo'")" = "$(sq 'select count(*) from nivel_objetivo')" ]
want=$(sq "select stock_minimo, stock_maximo, coalesce(nivel_servicio, ''), coalesce(dias_reposicion, ''), date(actualizado_en), date(actualizado_en, '+365 days') from nivel_objetivo where ubicacion_id = 'tienda_05' and producto_id = 'P00003'")
check "a target level carried exactly" [ "$(q "select min_stock::int || '|' || max_stock::int || '|' || coalesce(service_level::float8::text, '') || '|' || coalesce(lead_time_days::int::text, '') || '|' || valid_from || '|' || valid_to from analytics.overrides o join core.dim_site s using (site_id) join core.dim_item i using (item_id) where s.code = 'SUC005' and i.sku = 'P00003'")" = "$want" ]

# pedidos_sugeridos -> REORDER recommendations; reviewed ones are acknowledged.
check "one recommendation per suggested order" [ "$(q "select count(*) from analytics.recommendations where type = 'REORDER' and details->>'source' = 'pedidos_sugeridos'")" = "$(sq 'select count(*) from pedidos_sugeridos')" ]
check "pending ones open, reviewed ones acknowledged" [ "$(q "select count(*) filter (where acknowledged_at is null) || ' ' || count(*) filter (where acknowledged_by = 'ana') from analytics.recommendations")" = "$(sq "select sum(estado = 'pendiente') || ' ' || sum(estado != 'pendiente') from pedidos_sugeridos")" ]
read -r p_id p_qty p_prio < <(sq "select id, cast(cantidad_sugerida as int), prioridad from pedidos_sugeridos where prioridad = 'urgente' order by id limit 1" | tr '|' ' ')
check "an urgent order: CRITICAL, its quantity and its id kept" [ "$(q "select priority || ' ' || quantity_recommended::int from analytics.recommendations where details->>'pedido_id' = '$p_id'")" = "CRITICAL $p_qty" ]

# usuarios -> support.users with their bcrypt hashes (they log in: tests/api/api_legacy_login.sh).
check "4 users mapped, the invalid username rejected" [ "$(q 'select count(*) from support.users')" = 4 ]
check "  with the reason" contains "$(q "select source_key || ': ' || reason from staging.migration_rejects where table_name = 'support.users'")" '^usuario=José Ñúñez.*: username: .* does not match'
check "hashes carried byte for byte" [ "$(q "select string_agg(username || '=' || password_hash, ',' order by username) from support.users")" = "$(sq "select group_concat(usuario || '=' || password_hash, ',') from (select * from usuarios where id != 5 order by usuario)")" ]
check "roles and activity mapped" [ "$(q "select string_agg(username || ':' || role || ':' || active, ',' order by username) from support.users")" = "admin:ADMIN:true,ana:ANALYST:true,luis.gerente:ANALYST:true,marta:VIEWER:false" ]

# A second run changes nothing, and keeps a hash the server upgraded to argon2id since.
q "update support.users set password_hash = '\$argon2id\$v=19\$m=65536,t=2,p=1\$upgraded' where username = 'ana'" >/dev/null
snap() { q "select (select count(*) from core.fact_inventory_daily), (select sum(current_stock) from core.fact_inventory_daily), (select count(*) from analytics.overrides), (select count(*) from analytics.recommendations), (select count(*) from support.users), (select count(*) from staging.migration_rejects)"; }
before=$(snap)
out=$("$corrente" migrate map "sqlite://$db" --mapping "$mapping" 2>&1); check "second map exits 0" [ $? -eq 0 ]
check "second map: the same rows (no duplicates)" [ "$(snap)" = "$before" ]
check "  the upgraded hash is kept" [ "$(q "select password_hash from support.users where username = 'ana'")" = '$argon2id$v=19$m=65536,t=2,p=1$upgraded' ]
check "  the others are still the app's" [ "$(q "select count(*) from support.users where password_hash like '\$2%'")" = 3 ]

finish
