#!/usr/bin/env bash
# Installs DuckDB's C API (header + libduckdb.so) from npm into .deps/duckdb, for the
# optional DuckDB source of `corrente migrate`. Debian ships no DuckDB; npm does:
# duckdb.h from `duckdb` and libduckdb.so from `@duckdb/node-bindings-linux-x64`, same
# DuckDB version. Idempotent: returns at once when both files are present.
# Usage: scripts/deps_duckdb.sh   (then re-run cmake; the build finds .deps/duckdb)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.deps/duckdb"
version=1.4.4
bindings=1.4.4-r.4
if [ -f "$dest/include/duckdb.h" ] && [ -f "$dest/lib/libduckdb.so" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "deps_duckdb: npm is needed (apt-get install npm)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# npm pack fetches only the two tarballs: no install scripts, no dependency tree.
(cd "$tmp" && npm pack --silent "duckdb@$version" "@duckdb/node-bindings-linux-x64@$bindings" >/dev/null)
mkdir -p "$dest/include" "$dest/lib"
tar -xzf "$tmp"/duckdb-$version.tgz -C "$tmp" package/src/duckdb/src/include/duckdb.h
cp "$tmp/package/src/duckdb/src/include/duckdb.h" "$dest/include/"
rm -rf "$tmp/package"
tar -xzf "$tmp"/duckdb-node-bindings-linux-x64-$bindings.tgz -C "$tmp"
cp "$(find "$tmp/package" -name 'libduckdb.so' | head -1)" "$dest/lib/libduckdb.so"
echo "$version" >"$dest/VERSION"
# Keep the downloaded files out of git without touching the project's .gitignore.
echo '*' >"$root/.deps/.gitignore"
echo "deps_duckdb: DuckDB $version C API in $dest"
