#!/usr/bin/env bash
# The attack15 review on the real binary: a NaN forecast accuracy is written as null, not as a
# bare NaN, by the page and by the statement; an account past its share of the response cache
# still has its hot URLs stored (attack15.py); `db dump` writes into no FIFO or symlink of
# another local user, and `db load` loads no file of theirs (as root only: they need a second
# user), while /dev/stdout and /dev/stdin still work; a dump through a symlink replaces the file
# it leads to, not the link.
set -uo pipefail
corrente="$1"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/../lib.sh"
api_scratch api_attack15

check "db upgrade" quietly "$corrente" db upgrade
api_seed --items 6 --sites 2 --days 200 --seed 15
admin_pw=$(demo_pw admin)
add_users "$admin_pw" a15_viewer:VIEWER a15_other:VIEWER
"$corrente" pipeline run --horizon 30 >"$work/run.log" 2>&1; check "pipeline run" [ $? -eq 0 ] || tail -5 "$work/run.log"
check "serve answers" api_serve
check "attack15.py" api_py attack15.py "$admin_pw"
check "SIGTERM: exits 0" api_stop
check "the server logged no error" log_clean

# A DATABASE_URL whose password libpq cannot decode: libpq quotes the token, and it was printed.
for sub in "db grant" "db dump $work/x.dump" "user list"; do
  out=$(DATABASE_URL='postgresql://x:Sekrit%ZZword@127.0.0.1:1/x' "$corrente" $sub 2>&1); rc=$?
  check "an undecodable password in DATABASE_URL: '$sub' exits 1 without printing it" [ "$rc" -eq 1 ] &&
    also lacks "$out" 'Sekrit' && also contains "$out" 'invalid database URL'
done

# db dump and db load with another local user's files in a shared, sticky directory.
users=$(psql "$DATABASE_URL" -qAtX -c "SELECT count(*) FROM support.users")
"$corrente" db dump /dev/stdout 2>/dev/null | cat >"$work/own.dump"
check "db dump /dev/stdout (a pipe) still writes the dump" [ -s "$work/own.dump" ]
# Through a symlink of one's own the file it leads to gets the dump; the rename replaced the link
# itself (as root, 'db dump /dev/stdout >F' made the system's /dev/stdout a file).
ln -s "$work/linked.dump" "$work/link.dump"
quietly "$corrente" db dump "$work/link.dump"; check "db dump through a symlink of one's own" [ $? -eq 0 ]
check "  the link is still a link" [ -L "$work/link.dump" ] && also [ -s "$work/linked.dump" ]
quietly "$corrente" db dump "$work/link.dump"; check "  again, over the file it leads to" [ -L "$work/link.dump" ]
check "  no partial file left" [ -z "$(ls "$work" | grep partial)" ]
"$corrente" db load /dev/stdin <"$work/own.dump" >/dev/null 2>&1
check "db load /dev/stdin still loads it" [ $? -eq 0 ]
if [ "$(id -u)" = 0 ]; then
  shared=$(mktemp -d /tmp/corrente-a15-shared.XXXXXX)
  chmod 1777 "$shared"
  as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"; }
  as_nobody mkfifo -m 622 "$shared/planted.fifo"
  as_nobody sh -c "timeout 20 cat '$shared/planted.fifo' > '$shared/stolen'" &
  reader=$!
  out=$("$corrente" db dump "$shared/planted.fifo" 2>&1); rc=$?
  check "db dump into another user's FIFO: exit 1 ($rc)" [ "$rc" -eq 1 ] && also contains "$out" "belongs to another user \(uid 65534\)"
  timeout 3 sh -c ": >'$shared/planted.fifo'" 2>/dev/null  # ends a reader still waiting
  wait "$reader" 2>/dev/null
  check "  the FIFO's reader got nothing ($(stat -c %s "$shared/stolen") bytes)" [ ! -s "$shared/stolen" ]
  as_nobody ln -s /dev/null "$shared/planted.link"
  out=$("$corrente" db dump "$shared/planted.link" 2>&1); rc=$?
  check "db dump through another user's symlink: exit 1 ($rc)" [ "$rc" -eq 1 ] && also contains "$out" "belongs to another user"
  cp "$work/own.dump" "$shared/planted.dump"; chown 65534:65534 "$shared/planted.dump"
  out=$("$corrente" db load "$shared/planted.dump" 2>&1); rc=$?
  check "db load of another user's file: exit 1 ($rc)" [ "$rc" -eq 1 ] && also contains "$out" "belongs to another user"
  after=$(psql "$DATABASE_URL" -qAtX -c "SELECT count(*) FROM support.users")
  check "  nothing changed ($users users)" [ "$after" = "$users" ]
  rm -rf "$shared"
else
  echo "# not root: the other-user cases of db dump and db load need a second user; skipped"
fi
finish
