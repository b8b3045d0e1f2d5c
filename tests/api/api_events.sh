#!/usr/bin/env bash
# Live events on the real `corrente serve`: GET /api/v1/events needs a token; a stream gets a
# ready event, heartbeats, a NOTIFY from psql and a mark-read through the API as events with
# ids; a reconnect with Last-Event-ID replays what it missed (an unknown id gets a reset); the
# cap on streams answers 503; dead clients are cleaned up; a logout ends its stream; SIGTERM
# ends open streams cleanly.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_events

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 5 --sites 2 --days 30 --seed 3
sql() { psql "$DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
run=$(sql "INSERT INTO analytics.pipeline_runs (status, finished_at) VALUES ('SUCCEEDED', now()) RETURNING run_id")
sql "INSERT INTO analytics.alerts (run_id, item_id, site_id, level, category, message)
     SELECT $run, 1 + g % 5, 1 + g % 2, (ARRAY['CRITICAL','WARNING'])[1 + g % 2], 'E_' || g, 'alert ' || g
       FROM generate_series(1, 9) g" >/dev/null
critical=$(sql "select count(*) from analytics.alerts where run_id = $run and level = 'CRITICAL'")
rec=$(sql "INSERT INTO analytics.recommendations (item_id, site_id, type, priority, message, quantity_recommended)
           VALUES (1, 1, 'REORDER', 'HIGH', 'order', 10) RETURNING recommendation_id")

check "serve answers" api_serve --event-heartbeat 1 --max-event-streams 3
login() { api_login "$1" "$(demo_pw "$1")"; }
viewer=$(login viewer); analyst=$(login analyst); other=$(login viewer)
check "logins" [ -n "$viewer" ] && also [ -n "$analyst" ] && also [ -n "$other" ]
# wait_for FILE PATTERN: up to 10 s for the pattern to appear in the file.
wait_for() {
  for _ in $(seq 1 100); do grep -qE -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
# stream NAME TOKEN: a background curl reading the stream into $work/NAME; its pid in $!.
stream() {
  curl -sN -D "$work/$1.head" -H "Authorization: Bearer $2" "$base/events" >"$work/$1" 2>/dev/null &
}
# ids_of FILE TYPE: the ids of the events of TYPE in FILE, in order.
ids_of() { awk -v t="$2" '/^id: /{id=$2} $0=="event: "t{print id}' "$1"; }
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1==m{print $2}'; }

check "no token: 401" [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/events")" = 401 ]
check "a bad token: 401" [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer x.y.z' "$base/events")" = 401 ]

stream a "$viewer"; a=$!
check "stream: opens with a ready event carrying an id" wait_for "$work/a" '^event: ready$'
check "  as text/event-stream" grep -qi '^content-type: text/event-stream' "$work/a.head"
check "  not cached, not compressed" [ "$(grep -ci '^etag:\|^content-encoding:' "$work/a.head")" = 0 ]
check "  a heartbeat comment when idle" wait_for "$work/a" '^: heartbeat$'
ready=$(ids_of "$work/a" ready)

sql "NOTIFY corrente_alerts, '{\"action\":\"read\",\"ids\":[1],\"count\":1,\"new_critical\":0}'"
check "NOTIFY corrente_alerts from psql arrives as alerts_changed" wait_for "$work/a" '^event: alerts_changed$'
check "  with its payload" grep -q '^data: {"action":"read","ids":\[1\],"count":1,"new_critical":0}$' "$work/a"
sql "NOTIFY corrente_data, '$run'"
check "NOTIFY corrente_data arrives as run_published" wait_for "$work/a" "^data: \\{\"run_id\":$run,\"new_critical\":$critical\\}$"
check "  counting the run's unread critical alerts ($critical)" [ "$critical" -gt 0 ]
id=$(sql "select min(alert_id) from analytics.alerts where level = 'CRITICAL'")
code=$(curl -s -o /dev/null -w '%{http_code}' -XPATCH -H "Authorization: Bearer $analyst" "$base/alerts/$id/mark-read")
check "mark-read through the API: 200" [ "$code" = 200 ]
check "  arrives on the other stream as alerts_changed naming the alert" \
  wait_for "$work/a" "^data: \\{\"action\":\"read\",\"ids\":\\[$id\\],\"count\":1,\"new_critical\":0\\}$"
curl -s -o /dev/null -XPATCH -H "Authorization: Bearer $analyst" "$base/alerts/$id/mark-read"
# A marker notified after that answer arrives after anything the answer's write notified (one
# listener, commit order), so its arrival, not a fixed wait, says the stream is up to date.
sql "NOTIFY corrente_recommendations, '{\"marker\":1}'"
check "  (a marker notified after it arrives)" wait_for "$work/a" '^data: \{"marker":1\}$'
check "  marking it read again (no change) sends nothing" [ "$(grep -c '^event: alerts_changed$' "$work/a")" = 2 ]
seen="$(ids_of "$work/a" alerts_changed | head -1) $(ids_of "$work/a" run_published) $(ids_of "$work/a" alerts_changed | tail -1)"
check "events carry increasing ids after the ready one" \
  python3 -c "import sys; s=[int(x.split('-')[1]) for x in '$ready $seen'.split()]; sys.exit(0 if s==sorted(set(s)) and len(s)==4 else 1)"

# ---- reconnect ----
# first_chunk LAST-EVENT-ID FILE: a reconnect's stream up to its ready event, which ends what it
# sends at once (a replay or a reset, then ready); a fixed --max-time cut it short under load.
first_chunk() {
  curl -sN --max-time 60 -H "Authorization: Bearer $viewer" -H "Last-Event-ID: $1" "$base/events" |
    sed '/^event: ready$/q' >"$2"
}
first_chunk "$ready" "$work/resume"
got="$(awk '/^id: /{id=$2} /^event: (alerts_changed|run_published)$/{print id}' "$work/resume" | tr '\n' ' ')"
check "reconnect with Last-Event-ID replays the three missed events in order" [ "${got% }" = "$seen" ]
check "  then ready, and no reset" grep -q '^event: ready$' "$work/resume" && ! grep -q 'reset' "$work/resume"
first_chunk 1-999 "$work/foreign"
check "an unknown Last-Event-ID gets a reset event" grep -q '^event: reset$' "$work/foreign"
check "  and no replay" [ "$(grep -c '^event: alerts_changed$' "$work/foreign")" = 0 ]

code=$(curl -s -o /dev/null -w '%{http_code}' -XPATCH -H "Authorization: Bearer $analyst" "$base/recommendations/$rec/acknowledge")
check "acknowledging a recommendation: 200" [ "$code" = 200 ]
check "  arrives as recommendations_changed naming it" \
  wait_for "$work/a" "^data: \\{\"action\":\"acknowledge\",\"ids\":\\[$rec\\],\"count\":1,\"new_critical\":0\\}$"

# ---- dead clients, the cap ----
# wait_streams N: up to 10 s for the server to count N open streams.
wait_streams() {
  for _ in $(seq 1 50); do [ "$(metric sse_streams_open)" = "$1" ] && return 0; sleep 0.2; done
  return 1
}
check "the two clients that hung up are cleaned up (write error on a heartbeat)" wait_streams 1
stream b "$viewer"; b=$!
stream c "$other"; c=$!
wait_for "$work/b" '^event: ready$'; wait_for "$work/c" '^event: ready$'
check "three streams open (metric)" [ "$(metric sse_streams_open)" = 3 ]
check "a fourth past --max-event-streams 3: 503" \
  [ "$(curl -s -o "$work/refused" -D "$work/refused.head" -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $viewer" "$base/events")" = 503 ]
check "  with Retry-After" grep -qi '^retry-after:' "$work/refused.head"
check "  and too_many_streams" grep -q '"too_many_streams"' "$work/refused"
kill -9 "$b"; wait "$b" 2>/dev/null
check "a killed client's stream is cleaned up too" wait_streams 2
check "  and a new stream is admitted again" \
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H "Authorization: Bearer $viewer" "$base/events")" = 200 ]
curl -s -o /dev/null -XPOST -H "Authorization: Bearer $other" "$base/auth/logout"
wait "$c"; rc=$?
check "logout ends that token's stream, cleanly (curl exit 0)" [ $rc -eq 0 ]

# ---- stop with a stream open ----
check "one stream still open" kill -0 "$a"
kill -TERM "$spid"
wait "$a"; rc=$?
check "SIGTERM ends the open stream cleanly (last chunk sent, curl exit 0)" [ $rc -eq 0 ]
wait "$spid"; rc=$?
spid=""
check "the server exits 0" [ $rc -eq 0 ]
check "  and logs that it stopped" grep -q 'server stopped' "$work/serve.log"
check "no unhandled errors in the server log" [ "$(grep -c 'unhandled error\|database error' "$work/serve.log")" = 0 ]
[ "$FAIL" -eq 0 ] || tail -20 "$work/serve.log"
finish
