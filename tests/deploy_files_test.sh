#!/usr/bin/env bash
# Docker cannot run on the project's machines, so deploy/Dockerfile and deploy/compose.yaml
# are kept true here: every path, port, command and flag they use is checked against the
# built package (dpkg-deb), its env file and its binary's --help.
# Usage: tests/deploy_files_test.sh CORRENTE_DEB
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
deb="${1:?usage: $0 CORRENTE_DEB}"
source "$here/lib.sh"
dockerfile="$root/deploy/Dockerfile"
compose="$root/deploy/compose.yaml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp/pkg"
bin="$tmp/pkg/usr/bin/corrente"
env_file="$tmp/pkg/etc/corrente/corrente.env"
df=$(cat "$dockerfile")

# The build stage: scripts, presets and commands that exist in this checkout.
for s in scripts/deps.sh scripts/deps_duckdb.sh web/scripts/web.sh; do
  check "Dockerfile runs $s, which exists" bash -c "grep -q '$s' '$dockerfile' && test -x '$root/$s'"
done
check "Dockerfile builds both stages on Debian 12 (bookworm)" test "$(grep -cE '^FROM debian:bookworm(-slim)?( |$)' "$dockerfile")" = 2
preset=$(grep -oE 'cmake --preset [a-z]+' "$dockerfile" | awk '{print $3}')
check "Dockerfile's preset '$preset' is in CMakePresets.json" grep -q "\"name\": \"$preset\"" "$root/CMakePresets.json"
check "Dockerfile's cpack output is in build/$preset" contains "$df" "build/$preset/corrente_\*_amd64\.deb"
check "Dockerfile.dockerignore keeps the host's build/ and .deps/ out of the context" \
  bash -c "grep -qx build '$root/deploy/Dockerfile.dockerignore' && grep -qx .deps '$root/deploy/Dockerfile.dockerignore'"
check "Dockerfile's .deb name pattern matches the built $(basename "$deb")" \
  bash -c "[[ '$(basename "$deb")' == corrente_*_amd64.deb ]]"

# The runtime stage: ENV paths and values agree with the package's env file and layout.
envval() { grep -E "^$1=" "$env_file" | cut -d= -f2-; }
for v in CORRENTE_HOME CORRENTE_ENV CORRENTE_WEB_ROOT CORRENTE_PORT; do
  d=$(grep -oE "$v=[^ ]+" "$dockerfile" | head -1 | cut -d= -f2)
  check "Dockerfile's $v=$d is corrente.env's" test "$d" = "$(envval "$v")"
done
check "CORRENTE_WEB_ROOT holds the packaged index.html" test -f "$tmp/pkg$(envval CORRENTE_WEB_ROOT)/index.html"
port=$(envval CORRENTE_PORT)
cmd=$(grep -E '^CMD ' "$dockerfile")
exe=$(sed -E 's/^CMD \["([^"]+)".*/\1/' <<<"$cmd")
check "Dockerfile's CMD runs $exe, which the package installs" test -x "$tmp/pkg$exe"
check "Dockerfile's CMD listens on 0.0.0.0:$port" contains "$cmd" "\"--host\", \"0\.0\.0\.0\", \"--port\", \"$port\""
help=$("$bin" serve --help)
for flag in $(grep -oE -- '"--[a-z-]+"' <<<"$cmd" | tr -d '"'); do
  check "corrente serve --help knows $flag" contains "$help" "^ *$flag "
done
check "Dockerfile EXPOSEs $port" grep -qx "EXPOSE $port" "$dockerfile"
check "Dockerfile's HEALTHCHECK asks /health on $port" contains "$df" "http://127\.0\.0\.1:$port/health"
dpkg-deb -e "$deb" "$tmp/control"
check "Dockerfile runs as the user the package's postinst creates" \
  bash -c "grep -qx 'USER corrente' '$dockerfile' && grep -q 'adduser .* corrente\$' '$tmp/control/postinst'"
check "Dockerfile drops the image's JWT secret where the package's postinst writes it" \
  bash -c "grep -q '^  secret=/var/lib/corrente/jwt_secret' '$tmp/control/postinst' && grep -q 'rm -f /var/lib/corrente/jwt_secret' '$dockerfile'"

# compose.yaml: PostgreSQL 15 as the spec shows, corrente built from this Dockerfile.
python3 -c 'import yaml' 2>/dev/null || [ "$(id -u)" -ne 0 ] \
  || apt-get install -y -qq --no-install-recommends python3-yaml >/dev/null
y=$(python3 -c 'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' "$compose")
q() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$y" "$1"; }
check "compose: postgres is postgres:15" test "$(q 'd["services"]["postgres"]["image"]')" = postgres:15
check "compose: postgres has a pg_isready health check" contains "$(q 'd["services"]["postgres"]["healthcheck"]["test"]')" 'pg_isready -U corrente -d corrente'
ctx=$(q 'd["services"]["corrente"]["build"]["context"]')
dfile=$(q 'd["services"]["corrente"]["build"]["dockerfile"]')
check "compose builds deploy/Dockerfile from the checkout's root" test "$(cd "$root/deploy/$ctx" && pwd)/$dfile" = "$dockerfile"
url=$(q 'd["services"]["corrente"]["environment"]["DATABASE_URL"]')
check "compose: DATABASE_URL names the postgres service, its user and database" \
  contains "$url" "^postgresql://$(q 'd["services"]["postgres"]["environment"]["POSTGRES_USER"]'):[^@]+@postgres:5432/$(q 'd["services"]["postgres"]["environment"]["POSTGRES_DB"]')$"
check "compose: corrente waits for a healthy postgres" test "$(q 'd["services"]["corrente"]["depends_on"]["postgres"]["condition"]')" = service_healthy
check "compose: corrente's health check asks /health on $port" contains "$(q 'd["services"]["corrente"]["healthcheck"]["test"]')" "http://127\.0\.0\.1:$port/health"
check "compose publishes the container's port $port" contains "$(q 'd["services"]["corrente"]["ports"]')" ":$port'"
check "compose passes the JWT secret production needs" contains "$(q 'd["services"]["corrente"]["environment"]')" CORRENTE_JWT_SECRET
check "deploy/compose.env.example names compose's variables" \
  bash -c "grep -q '^DB_PASSWORD=' '$root/deploy/compose.env.example' && grep -q '^CORRENTE_JWT_SECRET=' '$root/deploy/compose.env.example'"
finish
