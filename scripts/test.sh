#!/usr/bin/env bash
# `make test`: set-up, the local stack (started here if it is not running, and
# stopped again at the end), then every unit and integration test in one
# node:test run so its closing summary counts them all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/node-env.sh

stack=deploy/local/stack.sh
started_here=0
if [ "${STOCKSTREAM_EXTERNAL_STACK:-0}" = 1 ]; then
  echo "test: using the cluster the environment points at (KAFKA_BROKERS=${KAFKA_BROKERS:-unset})"
else
  if ! $stack status >/dev/null 2>&1; then
    started_here=1
    trap '$stack down || true' EXIT
  fi
  $stack up
  eval "$($stack env)"
fi
export STOCKSTREAM_DATASETS="${STOCKSTREAM_DATASETS:-$(cd .. && pwd)/shared/datasets}"

files=$(find services/*/dist/test -name '*.test.js' | sort)
[ -n "$files" ] || { echo "test: no compiled tests found under services/*/dist/test" >&2; exit 1; }
# Integration tests share one broker on 2 cores: run files one at a time.
status=0
node --test --test-concurrency=1 --test-timeout=600000 $files || status=$?
if [ $started_here = 1 ]; then echo "test: stopping the stack this run started"; fi
exit $status
