#!/usr/bin/env bash
# `make chaos` / `make chaos-short`: set-up, the local stack (started here if it
# is not running, and stopped again at the end), then one seeded chaos run
# (tools/chaos): the whole pipeline under SIGKILLs, outages and a rebalance,
# checked record by record. Arguments go to the run: --short, --seed N.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/node-env.sh

stack=deploy/local/stack.sh
if ! $stack status >/dev/null 2>&1; then
  trap '$stack down || true' EXIT
fi
$stack up
eval "$($stack env)"
node tools/chaos/dist/src/main.js "$@"
