#!/usr/bin/env bash
# Runs a *_pgtest with CORRENTE_TEST_DSN pointing at the ctest run's managed cluster.
# Usage: with_test_dsn.sh CORRENTE_BIN TEST_BIN [args...]
set -euo pipefail
corrente="$1"; shift
CORRENTE_TEST_DSN="$("$corrente" db url)"
export CORRENTE_TEST_DSN
exec "$@"
