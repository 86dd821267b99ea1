import { Counter, Histogram, LATENCY_BUCKETS_SECONDS, METRIC_PREFIX, type Registry } from '@stockstream/common';

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

export function createIngestMetrics(registry: Registry) {
  const p = `${METRIC_PREFIX}ingest_`;
  return {
    recordsRead: new Counter({ name: `${p}records_read_total`, help: 'Rows read from the source (file rows or generated bars).', registers: [registry] }),
    recordsPublished: new Counter({ name: `${p}records_published_total`, help: 'Records acknowledged by the broker on the raw topic.', registers: [registry] }),
    deadLettered: new Counter({
      name: `${p}records_dead_lettered_total`, help: 'Rows acknowledged on the dead-letter topic, by reason.', labelNames: ['reason'] as const, registers: [registry],
    }),
    deliveryFailures: new Counter({ name: `${p}delivery_failures_total`, help: 'Messages the broker did not acknowledge.', registers: [registry] }),
    bytesPublished: new Counter({ name: `${p}bytes_published_total`, help: 'Value bytes acknowledged (raw and dead-letter topics).', registers: [registry] }),
    produceLatency: new Histogram({
      name: `${p}produce_latency_seconds`,
      help: 'Time from handing a raw record to the producer until the commit of its transaction returned, i.e. visible to read_committed readers (sampled: 1 record in 16).',
      buckets: LATENCY_BUCKETS_SECONDS, registers: [registry],
    }),
    transactionsCommitted: new Counter({ name: `${p}transactions_committed_total`, help: 'Transactions committed (each makes its records visible at once).', registers: [registry] }),
    transactionsAborted: new Counter({ name: `${p}transactions_aborted_total`, help: 'Transactions aborted: none of their records became visible.', registers: [registry] }),
    transactionCommitSeconds: new Histogram({
      name: `${p}transaction_commit_duration_seconds`, help: 'Duration of one transaction commit call (retries of a retriable failure included).',
      buckets: LATENCY_BUCKETS_SECONDS, registers: [registry],
    }),
  };
}
