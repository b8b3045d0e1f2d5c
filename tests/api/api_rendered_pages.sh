#!/usr/bin/env bash
# Lists written from rows PostgreSQL keeps rendered, on the real `corrente serve`, against the
# column statement of the same server: byte for byte, hostile values too, and the fallbacks.
# Usage: api_rendered_pages.sh CORRENTE SCRIPT, where SCRIPT is
#   item_pages.py  the items list (core.dim_item.api_json, V067): every filter, sort and page;
#                  a row with a control character, and a schema below V067, answer from columns;
#   kpi_pages.py   the KPIs (analytics.mv_kpis_latest.api_json, V070): windows and pages, the view
#                  refreshed under other settings; a day outside years 1-9999, and a schema below
#                  V070, answer from columns.
set -uo pipefail
corrente="$1" script="$2"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch "api_${script%.py}"

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 40 --sites 2 --days 30 --seed 9
admin_pw=$(demo_pw admin)

check "serve answers" api_serve

OUT="$work" check "$script" api_py "$script" "$admin_pw"
check "the server logged no error" log_clean
finish
