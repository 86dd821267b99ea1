#!/usr/bin/env bash
# `make bench-<name>`: runs one benchmark on the local stack (started here and
# stopped again if it was not running). Benchmarks print figures and ratios.
# `make bench` is `bench.sh report [flags]`: the whole pipeline's report (tools/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: scripts/bench.sh report [flags] | ingest | enrichment | s3-sink | sink-recovery [flags]}
shift
stack=deploy/local/stack.sh
if ! $stack status >/dev/null 2>&1; then trap '$stack down || true' EXIT; fi
$stack up >/dev/null
eval "$($stack env)"
source scripts/node-env.sh
export STOCKSTREAM_DATASETS="${STOCKSTREAM_DATASETS:-$(cd .. && pwd)/shared/datasets}"
if [ "$name" = report ]; then
  node tools/bench/dist/src/main.js "$@"
elif [ "$name" = sink-recovery ]; then
  node services/s3-sink/dist/bench/recovery-bench.js "$@"
else
  node "services/$name/dist/bench/${name#s3-}-bench.js"
fi
