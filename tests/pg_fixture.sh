#!/usr/bin/env bash
# ctest fixture: a throwaway managed cluster for one test run.
# Usage: pg_fixture.sh setup|cleanup CORRENTE_BIN HOME
set -euo pipefail
action="$1" corrente="$2" home="$3"
export CORRENTE_HOME="$home" CORRENTE_PG_FAST=1
unset DATABASE_URL
case "$action" in
  setup)
    if [ -d "$home" ]; then "$corrente" db stop >/dev/null 2>&1 || true; rm -rf "$home"; fi
    "$corrente" db start
    "$corrente" db status ;;
  cleanup)
    "$corrente" db stop
    rm -rf "$home" ;;
esac
