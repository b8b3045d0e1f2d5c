#!/usr/bin/env bash
# deploy/prometheus: the alert rules and the example configuration pass `promtool check`, and
# `promtool test rules` shows each alert firing on the series that should raise it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
dir="$(cd "$(dirname "$0")/../deploy/prometheus" && pwd)"
command -v promtool >/dev/null || { echo "promtool is not installed (Debian package prometheus; scripts/deps.sh test)"; exit 1; }
out=$(promtool check rules "$dir/corrente.rules.yml" 2>&1); check "promtool check rules" [ $? -eq 0 ] || echo "$out"
check "14 rules" contains "$out" "SUCCESS: 14 rules found"
out=$(cd "$dir" && promtool check config prometheus.yml 2>&1); check "promtool check config" [ $? -eq 0 ] || echo "$out"
out=$(cd "$dir" && promtool test rules corrente.rules.test.yml 2>&1); check "promtool test rules" [ $? -eq 0 ] || echo "$out"
# Every alert in the rules has a unit test and a runbook entry.
for a in $(sed -n 's/^ *- alert: //p' "$dir/corrente.rules.yml"); do
  check "$a is unit-tested" grep -q "alertname: $a\$" "$dir/corrente.rules.test.yml"
  check "$a is in the runbook" grep -q "\`$a\`" "$dir/../../docs/operations.md"
done
finish
