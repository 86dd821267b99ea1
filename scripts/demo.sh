#!/usr/bin/env bash
# `make demo`: set-up, local stack, topics and schemas, then the generator's
# default run (or DATASET=path) through ingest and enrichment, with reports of
# what arrived, read back from Kafka. Stops the stack again if it started it (KEEP_STACK=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

step "Set-up (npm packages, native Kafka client, TypeScript build)"
scripts/setup.sh

stack=deploy/local/stack.sh
if ! $stack status >/dev/null 2>&1; then
  if [ "${KEEP_STACK:-0}" != 1 ]; then trap 'step "Stopping the local stack (KEEP_STACK=1 keeps it running)"; $stack down' EXIT; fi
fi
step "Local stack: Kafka (KRaft), Apicurio Registry, S3 on 127.0.0.1"
$stack up
eval "$($stack env)"
export LOG_LEVEL="${LOG_LEVEL:-warn}"
source scripts/node-env.sh
PATH="$PWD/node_modules/.bin:$PATH"   # stockstream: the bin npx stockstream runs (linked by setup.sh's npm install)
# Each run lands in a lake of its own, so the example answers are this run's: the topics keep earlier runs
# (the stack's data outlives a restart), and the sink's group has committed them, so only this run's
# records reach a new prefix. Set S3_PREFIX to add runs up in one lake instead.
export S3_PREFIX="${S3_PREFIX:-demo/$(date -u +%Y%m%d-%H%M%S)}"

since=$(date +%s%3N)
report=$(mktemp)
if [ -n "${DATASET:-}" ]; then
  step "Ingest: replaying $DATASET in date order (topics and schemas bootstrapped first)"
  stockstream ingest replay "$DATASET"
else
  count="${DEMO_COUNT:-105000}"
  step "Ingest: the seeded generator, $count daily bars of the 14 indices from 1995 (topics and schemas bootstrapped first)"
  stockstream ingest simulate --count "$count" --seed "${DEMO_SEED:-42}" --start 1995-01-02
fi

step "Reading ticks.raw and ticks.dlq back from Kafka"
stockstream report arrivals --since "$since"

step "Enrichment: validation, reference data, CloseUSD, exactly-once into ticks.enriched / ticks.dlq"
stockstream enrichment &
enrichment_pid=$!
stockstream report enrichment --since "$since" | tee "$report"
kill -TERM "$enrichment_pid"; wait "$enrichment_pid" || { echo "demo: enrichment did not stop cleanly" >&2; exit 1; }
enriched=$(sed -n 's/^enrichment: [0-9]* raw records -> \([0-9]*\) enriched.*/\1/p' "$report")

step "S3 sink: ticks.enriched -> Parquet lake s3://${S3_BUCKET:-stockstream-lake}/$S3_PREFIX/ticks/index=.../year=.../"
HTTP_PORT=9103 stockstream s3-sink &
sink_pid=$!
# Caught up = every enriched partition consumed to its end; SIGTERM then uploads the open files and commits.
for _ in $(seq 600); do
  lag=$(curl -fs http://127.0.0.1:9103/metrics | awk '/^stockstream_sink_consumer_lag_records/ {s += $2; n++} END {if (n) print s; else print "none"}') || lag=none
  [ "$lag" = 0 ] && break
  sleep 0.5
done
kill -TERM "$sink_pid"; wait "$sink_pid" || { echo "demo: the sink did not stop cleanly" >&2; exit 1; }
in_lake=$(stockstream query --format csv --sql "SELECT count(*) FROM ticks WHERE ingested_at >= make_timestamp(${since}::BIGINT * 1000)" | tail -1)
echo "lake: $in_lake rows from this run; enrichment produced $enriched"
[ "$in_lake" = "$enriched" ] || { echo "demo: the lake does not hold every enriched record of this run" >&2; exit 1; }

step "SQL over this run's lake (DuckDB): the example questions (S3_PREFIX=$S3_PREFIX)"
stockstream query --example all
