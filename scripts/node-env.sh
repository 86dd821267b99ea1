# Sourced by the scripts that start StockStream processes (demo, test, bench):
# the Node settings every service runs with (the Dockerfile sets the same).
#
# Young generation: semi-spaces of 16 MB (V8's own maximum on 64-bit), set
# explicitly because it is the setting that trades memory for speed. 64 MB
# semi-spaces (our default until 2026-12-03) let fewer short-lived batch
# objects survive into the old generation, but the young generation can grow
# to 3 semi-spaces per isolate (the sink's upload worker is a second one).
# Alone over a pre-filled topic, 10 alternating pairs, medians, busy 2-core
# machine: enrichment (1M raw records) peak RSS 320 MiB with 16 against 364
# with 64, CPU 7.64 s against 7.39 s (+4%); sink (464k enriched records) 395
# against 431 MiB, CPU 4.57 s against 4.51 s (+1%). More speed, more memory:
# NODE_OPTIONS=--max-semi-space-size=64 (docs/performance.md#memory).
export NODE_OPTIONS="${NODE_OPTIONS:---max-semi-space-size=16}"

# libuv's thread pool runs the Kafka client's blocking calls (consume, the
# transactional calls, watermark queries of the broker probe). Eight threads
# instead of four: a transactional call that librdkafka never answers (see
# TransactionalCallStuckError in services/common/src/kafka/transactions.ts)
# keeps its thread for good, and the service must still run after replacing
# its producer.
export UV_THREADPOOL_SIZE="${UV_THREADPOOL_SIZE:-8}"
