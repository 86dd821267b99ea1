# Sourced by the scripts that start StockStream processes (demo, test, bench):
# the Node settings every service runs with (the Dockerfile sets the same).
#
# A young generation of 64 MB semi-spaces instead of V8's 16 MB: the services
# hold a batch or two of records (thousands of short-lived objects) at a time,
# and with the default most of them survived a scavenge and were copied to the
# old generation. Measured on the 1M-record topics of bench-sink, alternating
# runs: enrichment CPU 20.5 -> 19.3 s (median of 4), sink 20.4-23.7 -> 19.2-19.4 s.
# Costs up to ~200 MB more memory per process at full speed.
export NODE_OPTIONS="${NODE_OPTIONS:---max-semi-space-size=64}"

# libuv's thread pool runs the Kafka client's blocking calls (consume, the
# transactional calls, watermark queries of the broker probe). Eight threads
# instead of four: a transactional call that librdkafka never answers (see
# TransactionalCallStuckError in services/common/src/kafka/transactions.ts)
# keeps its thread for good, and the service must still run after replacing
# its producer.
export UV_THREADPOOL_SIZE="${UV_THREADPOOL_SIZE:-8}"
