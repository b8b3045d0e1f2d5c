#!/usr/bin/env bash
# The Debian package end to end on this machine: build it with CPack, install it with apt,
# serve from the installed paths as the corrente user (managed PostgreSQL under
# /var/lib/corrente), check /health and the dashboard, verify the systemd units offline
# (systemd-analyze verify: no systemd runs here), purge, and check nothing is left.
# Usage: tests/package_test.sh BUILD_DIR     (as root; exit 77 = skipped)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
build="$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)"
source "$here/lib.sh"

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "skipped: installs a package, so it needs root and apt-get"
  exit 77
fi
# One package test per machine at a time (other checkouts may run theirs).
exec 9>/tmp/corrente-package-test.lock
flock -w 600 9
if dpkg-query -W -f='${db:Status-Status}' corrente 2>/dev/null | grep -q installed \
  || getent passwd corrente >/dev/null; then
  echo "a corrente package or user is already on this machine; this test installs and purges its own"
  exit 1
fi

tmp=$(mktemp -d)
server_pid=""
installed=0
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  if [ "$installed" = 1 ]; then
    dpkg --purge corrente >/dev/null 2>&1 || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM

# 1. Build: the dashboard first (it travels in the package), then cpack.
"$root/web/scripts/web.sh" build >"$tmp/web.log" 2>&1 || { cat "$tmp/web.log"; exit 1; }  # quick when up to date
start=$(date +%s)
(cd "$build" && cpack -G DEB -B "$tmp/pkg") >"$tmp/cpack.log" 2>&1 || { cat "$tmp/cpack.log"; exit 1; }
deb=$(ls "$tmp"/pkg/corrente_*_amd64.deb)
echo "built $(basename "$deb") ($(du -h "$deb" | cut -f1)) in $(($(date +%s) - start)) s"

fields=$(dpkg-deb -f "$deb" Package Depends Recommends)
check "Depends lists the linked Debian libraries (dpkg-shlibdeps)" contains "$fields" 'libpq5.*libsodium23|libsodium23.*libpq5'
check "Recommends postgresql-15, openssl and pgbackrest (the managed cluster's server, TLS CA, backups)" contains "$fields" 'Recommends: postgresql-15, openssl, pgbackrest'
listing=$(dpkg-deb -c "$deb")
for p in ./usr/bin/corrente ./usr/share/corrente/web/index.html ./usr/share/corrente/sql/ \
  ./etc/corrente/corrente.env ./lib/systemd/system/corrente.service \
  ./lib/systemd/system/corrente-pipeline.service ./lib/systemd/system/corrente-pipeline.timer \
  ./lib/systemd/system/corrente-sync@.service ./lib/systemd/system/corrente-sync@.timer \
  ./lib/systemd/system/corrente-sync-follow@.service \
  ./usr/share/corrente/examples/corrente.rules.yml ./usr/share/corrente/examples/prometheus.yml \
  ./usr/share/corrente/examples/corrente.json ./usr/share/corrente/examples/corrente.conf; do
  check "package holds $p" contains "$listing" " ${p//./\\.}\$"
done
check "package holds every migration" test "$(grep -c '/usr/share/corrente/sql/V.*\.sql$' <<<"$listing")" \
  -eq "$(ls "$root"/sql/V*.sql | wc -l)"

# 2. The Dockerfile and compose file agree with this package.
check "Dockerfile and compose.yaml match the package" "$here/deploy_files_test.sh" "$deb"

# 3. Install, then install again (maintainer scripts are idempotent).
apt-get install -y -qq --no-install-recommends "$deb" >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; exit 1; }
installed=1
uid=$(id -u corrente)
secret_sum=$(sha256sum /var/lib/corrente/jwt_secret)
dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; exit 1; }
check "reinstall keeps the user" test "$(id -u corrente)" = "$uid"
check "reinstall keeps the JWT secret" test "$(sha256sum /var/lib/corrente/jwt_secret)" = "$secret_sum"
check "corrente is a system user without a login shell" test "$uid" -lt 1000 -a "$(getent passwd corrente | cut -d: -f7)" = /usr/sbin/nologin
check "/var/lib/corrente is corrente's, mode 750" test "$(stat -c '%U %a' /var/lib/corrente)" = "corrente 750"
check "the JWT secret is corrente's, mode 600, 64 hex digits" \
  test "$(stat -c '%U %a' /var/lib/corrente/jwt_secret) $(tr -d '\n' </var/lib/corrente/jwt_secret | wc -c)" = "corrente 600 64"
check "corrente.env is a conffile" grep -qx /etc/corrente/corrente.env /var/lib/dpkg/info/corrente.conffiles
check "the installed binary finds all its libraries" bash -c '! ldd /usr/bin/corrente | grep -q "not found"'

# 4. The units, checked offline against the installed binary and user.
units=(corrente.service corrente-pipeline.service corrente-pipeline.timer corrente-sync@check.service corrente-sync@check.timer
       corrente-sync-follow@check.service)
command -v systemd-analyze >/dev/null \
  || apt-get install -y -qq --no-install-recommends systemd >"$tmp/apt-systemd.log" 2>&1 || cat "$tmp/apt-systemd.log"
if command -v systemd-analyze >/dev/null; then
  (cd /lib/systemd/system && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "${units[@]}") >"$tmp/verify.log" 2>&1 \
    && ok "systemd-analyze verify ${units[*]}" || { cat "$tmp/verify.log"; not_ok "systemd-analyze verify"; }
  check "systemd-analyze verify says nothing about corrente's units" bash -c "! grep -i corrente '$tmp/verify.log'"
else
  not_ok "systemd-analyze is missing and apt-get could not install systemd"
fi

# 5. Serve from the installed paths as corrente: corrente.service's own ExecStart= with its
# EnvironmentFile (only the port moved to a free one), expanded as systemd would.
mapfile -t envs < <(grep -Ev '^\s*(#|$)' /etc/corrente/corrente.env)
exec_start() { sed -n 's/^ExecStart=//p' "/lib/systemd/system/$1"; }
unit_cmd() {  # unit_cmd UNIT [VAR=value...]: sets cmd to run its ExecStart= as corrente (setpriv execs)
  local unit="$1"; shift
  cmd=(setpriv --reuid=corrente --regid=corrente --init-groups env -i PATH=/usr/bin:/bin CORRENTE_PG_FAST=1
       "${envs[@]}" "$@" bash -c "exec $(exec_start "$unit")")
}
port=$(free_port)
cd /
unit_cmd corrente.service CORRENTE_PORT="$port"
"${cmd[@]}" >"$tmp/serve.log" 2>&1 &
server_pid=$!
if wait_http "http://127.0.0.1:$port/health" 90; then ok "serve answers"; else cat "$tmp/serve.log"; not_ok "serve answers"; fi
health=$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/health")
check "/health is healthy with the managed database" contains "$health" '"status":"healthy".*"database":"connected".* 200$'
curl -s "http://127.0.0.1:$port/" >"$tmp/index.html"
check "/ serves the installed dashboard's index.html" cmp -s "$tmp/index.html" /usr/share/corrente/web/index.html
asset=$(grep -oE '/assets/[^"]+\.js' /usr/share/corrente/web/index.html | head -1)
check "the dashboard's script $asset is served" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$asset")" = 200
check "serve logs the installed web root" grep -q 'dashboard files: /usr/share/corrente/web' "$tmp/serve.log"
check "the server runs as corrente" test "$(ps -o user=,args= -p "$server_pid")" = "corrente /usr/bin/corrente serve --host 127.0.0.1 --port $port"
check "the managed PostgreSQL lives in /var/lib/corrente and runs as corrente" \
  test "$(stat -c %U /var/lib/corrente/pg/data/PG_VERSION) $(ps -o user= -p "$(head -1 /var/lib/corrente/pg/data/postmaster.pid)" | tr -d ' ')" = "corrente corrente"
# docs/operations.md's command-line work as the service user, then a login with the result.
as_corrente() { runuser -u corrente -- sh -c "set -a; . /etc/corrente/corrente.env; exec corrente $1"; }
check "db status as corrente with the service's environment" contains "$(cd / && as_corrente 'db status' 2>&1)" 'running on 127\.0\.0\.1:[0-9]+ .*data /var/lib/corrente/pg/data'
password="pkg-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$password" | (cd / && as_corrente 'user add admin --role ADMIN --password-stdin') >"$tmp/useradd.log" 2>&1 \
  && ok "user add admin as corrente" || { cat "$tmp/useradd.log"; not_ok "user add admin as corrente"; }
login=$(curl -s -w ' %{http_code}' -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$password\"}" "http://127.0.0.1:$port/api/v1/auth/login")
check "the new admin logs in (JWT signed with the packaged secret)" contains "$login" '"access_token":.* 200$'
# corrente-sync@check.service's ExecStart= with /etc/corrente/sync/check.env, on a SQLite store.
sqlite3 "$tmp/legacy.db" 'CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO item VALUES (1, '"'a'"');'
chmod 755 "$tmp" && chmod 644 "$tmp/legacy.db"
printf 'CORRENTE_SYNC_SOURCE=sqlite://%s\nCORRENTE_SYNC_ARGS=--schema legacy --tables item\n' "$tmp/legacy.db" \
  | install -m 640 -g corrente /dev/stdin /etc/corrente/sync/check.env
(cd / && as_corrente "migrate copy sqlite://$tmp/legacy.db --schema legacy") >"$tmp/copy.log" 2>&1 \
  && ok "migrate copy as corrente" || { cat "$tmp/copy.log"; not_ok "migrate copy as corrente"; }
sqlite3 "$tmp/legacy.db" "INSERT INTO item VALUES (2, 'b'); UPDATE item SET name = 'A' WHERE id = 1;"
mapfile -t sync_envs < <(grep -Ev '^\s*(#|$)' /etc/corrente/sync/check.env)
unit_cmd corrente-sync@.service "${sync_envs[@]}"
sync_out=$("${cmd[@]}" 2>&1) || true
check "corrente-sync@'s ExecStart= syncs the store" contains "$sync_out" '^sync item: 1 inserted, 1 updated, 0 deleted'
rm /etc/corrente/sync/check.env  # the operator's file; purge keeps those
# corrente-pipeline.service's ExecStart= on a small seeded store; /health then shows the run.
(cd / && as_corrente 'seed --items 4 --sites 2 --days 120 --no-demo-users') >"$tmp/seed.log" 2>&1 \
  && ok "seed as corrente" || { cat "$tmp/seed.log"; not_ok "seed as corrente"; }
unit_cmd corrente-pipeline.service
pipeline_out=$("${cmd[@]}" 2>&1) || true
check "corrente-pipeline.service's ExecStart= publishes a run of 8 series" contains "$pipeline_out" '^run [0-9]+ published .*: 8 series'
check "/health shows the pipeline run" contains "$(curl -s "http://127.0.0.1:$port/health")" '"latest_pipeline_run":"[0-9]{4}-'
kill -TERM "$server_pid"
wait "$server_pid" && ok "serve stops cleanly on SIGTERM" || not_ok "serve stops cleanly on SIGTERM"
server_pid=""

left() { ps -eo uid=,pid=,args= | awk -v u="$uid" '$1 == u'; }
no_process_left() {
  for _ in $(seq 50); do [ -z "$(left)" ] && break; sleep 0.1; done
  [ -z "$(left)" ] && ok "no process of the corrente user is left $1" || { left; not_ok "no process of the corrente user is left $1"; }
}

# 6. Remove keeps the data, the edited configuration and the user; prerm stops the cluster.
echo "# edited by package_test" >>/etc/corrente/corrente.env
dpkg -r corrente >"$tmp/remove.log" 2>&1 || { cat "$tmp/remove.log"; exit 1; }
check "remove: the binary is gone" test ! -e /usr/bin/corrente
check "remove: the database, the edited corrente.env and the user stay" \
  bash -c "test -f /var/lib/corrente/pg/data/PG_VERSION && grep -q 'edited by package_test' /etc/corrente/corrente.env && getent passwd corrente >/dev/null"
no_process_left "after remove (prerm stopped the managed cluster)"
dpkg -i "$deb" >"$tmp/dpkg2.log" 2>&1 || { cat "$tmp/dpkg2.log"; exit 1; }
check "reinstall keeps the edited conffile and the JWT secret" \
  bash -c "grep -q 'edited by package_test' /etc/corrente/corrente.env && test \"\$(sha256sum /var/lib/corrente/jwt_secret)\" = '$secret_sum'"

# 7. Purge: postrm removes state, user and unit links.
dpkg --purge corrente >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log"; exit 1; }
installed=0
sed 's/^/# purge: /' "$tmp/purge.log"
check "dpkg no longer knows corrente" bash -c '! dpkg-query -W -f="\${db:Status-Status}" corrente 2>/dev/null | grep -q installed'
for p in /usr/bin/corrente /usr/lib/corrente /usr/share/corrente /usr/share/doc/corrente /etc/corrente \
  /var/lib/corrente /lib/systemd/system/corrente.service /lib/systemd/system/corrente-pipeline.timer \
  /lib/systemd/system/corrente-sync@.service; do
  check "purge removed $p" test ! -e "$p"
done
check "purge removed the user and group" bash -c '! getent passwd corrente && ! getent group corrente'
check "purge removed corrente's socket directory in /tmp" test -z "$(find /tmp -maxdepth 1 -uid "$uid")"
no_process_left "after purge"
finish
