#!/usr/bin/env bash
# The dashboard's entry points, for the Makefile and CI.
#   web/scripts/web.sh deps    install npm packages (npm ci from package-lock.json), no browser download
#   web/scripts/web.sh build   type-check and build to web/dist
#   web/scripts/web.sh test    Vitest unit tests
#   web/scripts/web.sh types URL|FILE   regenerate src/api/schema.gen.ts from the server's
#                              OpenAPI document (e.g. http://127.0.0.1:8080/api/v1/openapi.json)
#   web/scripts/web.sh e2e BIN end-to-end tests in Debian's chromium against a real `BIN serve`
# Quick to re-run: deps and build are skipped when nothing changed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
# @playwright/test drives Debian's chromium (tests/e2e): never download a browser.
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

deps() {
  # Debian's nodejs and npm when there is no node (a newer node already installed is kept).
  command -v node >/dev/null && command -v npm >/dev/null || "$here/../scripts/deps.sh" web
  # The toolchain is pinned to run on Debian 12's own node 18 (Vite 6, Vitest 3, jsdom 26).
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>18||(a===18&&b>=19)?0:1)' \
    || { echo "web: node $(node --version) is too old: the dashboard's toolchain needs >= 18.19" >&2; exit 1; }
  local stamp=node_modules/.corrente-lock
  if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
  fi
}

build() {
  deps
  local stamp=dist/.corrente-src
  local sum
  sum="$(cat package-lock.json index.html vite.config.ts tailwind.config.js postcss.config.js tsconfig.json $(find src public -type f | sort) | sha256sum | cut -d' ' -f1)"
  if [ -f dist/index.html ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    echo "web: dist is up to date"
    return
  fi
  npx tsc --noEmit -p .
  npx vite build --logLevel warn
  # The API reference (/api/docs): Swagger UI's prebuilt bundle beside public/api-docs/.
  cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css dist/api-docs/
  # Precompressed twins (foo.js.gz) for a server that honours Accept-Encoding: gzip.
  find dist -type f \( -name '*.js' -o -name '*.css' -o -name '*.html' -o -name '*.svg' \) -exec gzip -9 -k -f {} +
  echo "$sum" > "$stamp"
  echo "web: built $(du -sh dist | cut -f1) into $here/dist; heaviest page's JS:"
  node scripts/js-size.mjs dist | head -n 1
}

case "${1:-build}" in
  deps) deps ;;
  build) build ;;
  test) deps; npx vitest run ;;
  types)
    [ $# -ge 2 ] || { echo "usage: $0 types URL|FILE (the server's /api/v1/openapi.json)" >&2; exit 2; }
    deps
    npx openapi-typescript "$2" -o src/api/schema.gen.ts
    ;;
  e2e)
    shift
    build
    exec bash "$here/../tests/e2e/run.sh" "$@"
    ;;
  *) echo "usage: $0 deps|build|test|types URL|e2e CORRENTE_BIN" >&2; exit 2 ;;
esac
