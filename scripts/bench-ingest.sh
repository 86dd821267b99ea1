#!/usr/bin/env bash
# `make bench-ingest`: runs on the local stack (started here and stopped again if it was not running).
set -euo pipefail
cd "$(dirname "$0")/.."
stack=deploy/local/stack.sh
if ! $stack status >/dev/null 2>&1; then trap '$stack down || true' EXIT; fi
$stack up >/dev/null
eval "$($stack env)"
export STOCKSTREAM_DATASETS="${STOCKSTREAM_DATASETS:-$(cd .. && pwd)/shared/datasets}"
node services/ingest/dist/bench/ingest-bench.js
