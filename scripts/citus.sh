#!/usr/bin/env bash
# Citus for the local PostgreSQL: `scripts/citus.sh install` builds it from the vendored
# source (../shared/vendor/citus-*.tar.gz beside the repo, or $CORRENTE_CITUS_SRC: the
# archive or its folder) when `pg_config --pkglibdir`/citus.so is missing, and installs it
# into the system PostgreSQL (as root, or through sudo). The build tree is cached under
# $CORRENTE_CITUS_CACHE (default ~/.cache/corrente/citus), so a reinstall is one `make install`.
# `scripts/citus.sh status` exits 0 when Citus is installed, 1 when it can be built, 2 when
# neither (and prints how to install it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache="${CORRENTE_CITUS_CACHE:-$HOME/.cache/corrente/citus}"
how="Citus is not installed: install it (packages from citusdata.com, or build from source: see docs/scale.md), or set CORRENTE_CITUS_SRC to its source archive"

installed() { local lib; lib=$(pg_config --pkglibdir 2>/dev/null) && [ -f "$lib/citus.so" ]; }
archive() {
  local src="${CORRENTE_CITUS_SRC:-$root/../shared/vendor}" f
  if [ -f "$src" ]; then echo "$src"; return 0; fi
  for f in "$src"/citus-*.tar.gz; do [ -f "$f" ] && { echo "$f"; return 0; }; done
  return 1
}
sudo_if() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# The server's headers, matching the installed server's exact version, and Citus's build deps.
build_deps() {
  local pkgs=() ver
  ver=$(dpkg-query -W -f='${Version}' postgresql-15 2>/dev/null || true)
  [ -f "$(pg_config --includedir-server 2>/dev/null)/postgres.h" ] ||
    pkgs+=("postgresql-server-dev-15${ver:+=$ver}")
  local p
  for p in libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || pkgs+=("$p")
  done
  [ ${#pkgs[@]} -eq 0 ] || sudo_if env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null
}

install() {
  if installed; then echo "citus: installed in $(pg_config --pkglibdir)"; return 0; fi
  local tarball; tarball=$(archive) || { echo "$how" >&2; return 2; }
  build_deps
  local name; name=$(basename "$tarball" .tar.gz)
  local dir="$cache/$name"
  mkdir -p "$cache"
  exec 9>"$cache/.lock"; flock 9  # concurrent test runs build once
  if installed; then return 0; fi
  if [ ! -f "$dir/.built" ]; then
    rm -rf "$dir"; tar -xzf "$tarball" -C "$cache"
    # The vendored tree expects PostgreSQL >= 15.20, whose dbcommands.h exports
    # have_createdb_privilege(); on an older 15.x, switch its own copy back on.
    local hdr; hdr="$(pg_config --includedir-server)/commands/dbcommands.h"
    if ! grep -q have_createdb_privilege "$hdr"; then
      sed -i '/exports have_createdb_privilege/,/^#endif/ s/^#if 0$/#if 1/' "$dir/src/include/pg_version_compat.h"
    fi
    echo "citus: building $name (a few minutes; log $dir/build.log)"
    (cd "$dir" && ./configure >"$dir/build.log" 2>&1 && nice make -j"${CORRENTE_CITUS_JOBS:-2}" >>"$dir/build.log" 2>&1) ||
      { tail -20 "$dir/build.log" >&2; echo "citus: build failed; see $dir/build.log" >&2; return 1; }
    touch "$dir/.built"
  fi
  (cd "$dir" && sudo_if make install >>"$dir/build.log" 2>&1) || { echo "citus: make install failed; see $dir/build.log" >&2; return 1; }
  echo "citus: installed in $(pg_config --pkglibdir)"
}

case "${1:-}" in
  install) install ;;
  status)
    if installed; then echo "citus: installed"; exit 0; fi
    if archive >/dev/null; then echo "citus: not installed, buildable from $(archive)"; exit 1; fi
    echo "$how"; exit 2 ;;
  *) echo "usage: scripts/citus.sh install|status" >&2; exit 2 ;;
esac
