# Sourced by the scripts that start StockStream processes (demo, test, bench):
# the Node settings every service runs with (the Dockerfile sets the same).
#
# Memory against speed (docs/performance.md#memory has the measurements and
# every setting; 2026-12-04: peak RSS alone over a pre-filled topic went from
# enrichment 314-335 MiB to ~210, sink 394-463 to ~220, same throughput).
#
# Young generation: semi-spaces of 8 MB. Smaller semi-spaces collect the
# young generation more often; on these services' batches that cost no
# measurable time, and each isolate (the sink's upload worker is a second
# one) commits up to 3 of them. More speed, more memory:
# NODE_OPTIONS=--max-semi-space-size=16 (or 64, V8's maximum).
export NODE_OPTIONS="${NODE_OPTIONS:---max-semi-space-size=8}"

# glibc malloc, for the Kafka client's native memory (librdkafka's threads and
# buffers, the consumed batches): two arenas instead of 8 per core, and blocks
# from 128 KiB up mapped on their own (returned to the system when freed)
# rather than the threshold glibc raises as big blocks are freed, which left
# freed fetch buffers and batches in the heap. Together ~35 MiB less per
# consuming service. Unset (glibc's defaults) in a shell of your own.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"

# libuv's thread pool runs the Kafka client's blocking calls (consume, the
# transactional calls, watermark queries of the broker probe). Eight threads
# instead of four: a transactional call that librdkafka never answers (see
# TransactionalCallStuckError in services/common/src/kafka/transactions.ts)
# keeps its thread for good, and the service must still run after replacing
# its producer.
export UV_THREADPOOL_SIZE="${UV_THREADPOOL_SIZE:-8}"
