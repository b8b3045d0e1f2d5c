#!/usr/bin/env bash
# Types that cannot drift: every JSON route of the real `corrente serve` is called and its body
# validated against the OpenAPI document the server publishes (closed objects, enums from
# common/vocabulary.h), the enums are checked against the database's CHECK constraints
# (schema_tour.py), and the dashboard's generated types (web/src/api/schema.gen.ts) must equal
# what openapi-typescript makes of that document today.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
. "$here/../lib.sh"
api_scratch api_schemas

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 12 --sites 3 --days 200 --seed 5
"$corrente" pipeline run --horizon 30 >"$work/run.log" 2>&1; check "pipeline run" [ $? -eq 0 ] || tail -5 "$work/run.log"
# The tour reads, marks, resolves and bulk-reads three alerts: top the run's up to three.
psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "INSERT INTO analytics.alerts (run_id, item_id, site_id, level, category, message)
  SELECT (SELECT max(run_id) FROM analytics.pipeline_runs), i.item_id, 1, 'WARNING', 'FORECAST_DRIFT', 'schema tour'
  FROM core.dim_item i WHERE NOT EXISTS (SELECT 1 FROM analytics.alerts a WHERE a.item_id = i.item_id AND a.site_id = 1
    AND a.category = 'FORECAST_DRIFT' AND a.resolved_at IS NULL)
  ORDER BY i.item_id LIMIT greatest(0, 3 - (SELECT count(*) FROM analytics.alerts WHERE resolved_at IS NULL))"
check "three open alerts for the tour" [ "$(psql "$DATABASE_URL" -qAtX -c "select count(*) >= 3 from analytics.alerts where resolved_at is null")" = t ]

check "serve answers" api_serve || tail -5 "$work/serve.log"

python3 "$here/schema_tour.py" "http://127.0.0.1:$port" "$(demo_pw admin)" "$(demo_pw analyst)" "$DATABASE_URL" >"$work/tour.log" 2>&1
status=$?
grep -E "^(FAIL|[0-9]+ routes)" "$work/tour.log"
check "every JSON route's body matches its schema; enums match the CHECKs ($(grep -c '^ok' "$work/tour.log") calls)" [ $status -eq 0 ]
[ $status -eq 0 ] || grep -v "^ok" "$work/tour.log" | head -20

# The generated TypeScript types are those of today's document.
curl -s "http://127.0.0.1:$port/api/v1/openapi.json" >"$work/openapi.json"
if [ -x "$root/web/node_modules/.bin/openapi-typescript" ]; then
  (cd "$root/web" && node_modules/.bin/openapi-typescript "$work/openapi.json" -o "$work/schema.gen.ts" >/dev/null 2>&1)
  check "openapi-typescript ran" [ -s "$work/schema.gen.ts" ]
  if diff -q "$work/schema.gen.ts" "$root/web/src/api/schema.gen.ts" >/dev/null; then
    ok "web/src/api/schema.gen.ts is up to date"
  else
    not_ok "web/src/api/schema.gen.ts is stale: run web/scripts/web.sh types"
    diff "$work/schema.gen.ts" "$root/web/src/api/schema.gen.ts" | head -20
  fi
else
  not_ok "web/node_modules/.bin/openapi-typescript missing: run web/scripts/web.sh deps"
fi
finish
