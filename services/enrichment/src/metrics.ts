import { Counter, Gauge, Histogram, METRIC_PREFIX, PIPELINE_LATENCY_BUCKETS_SECONDS, createConsumerMetrics, type Registry } from '@stockstream/common';

export type EnrichmentMetrics = ReturnType<typeof createEnrichmentMetrics>;

export function createEnrichmentMetrics(registry: Registry) {
  const p = `${METRIC_PREFIX}enrichment_`;
  return {
    recordsIn: new Counter({ name: `${p}records_in_total`, help: 'Raw records consumed and committed.', registers: [registry] }),
    recordsOut: new Counter({ name: `${p}records_out_total`, help: 'Enriched records committed to the enriched topic.', registers: [registry] }),
    deadLettered: new Counter({ name: `${p}records_dead_lettered_total`, help: 'Records committed to the dead-letter topic, by reason.', labelNames: ['reason'] as const, registers: [registry] }),
    transactionSeconds: new Histogram({
      name: `${p}transaction_duration_seconds`, help: 'Begin to commit of one batch transaction (produce, send offsets, commit; at-least-once: produce, flush, commit offsets).',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
    }),
    transactionsAborted: new Counter({ name: `${p}transactions_aborted_total`, help: 'Transactions aborted (the batch is retried).', registers: [registry] }),
    producerRenewals: new Counter({
      name: `${p}producer_renewals_total`, help: 'Transactional producers replaced after a fatal error (e.g. a transaction timed out during a broker outage).', registers: [registry],
    }),
    latency: new Histogram({
      name: `${p}latency_seconds`,
      help: 'Time from a record\'s ingestedAt (stamped by the ingest service) to its enriched record or dead letter committed, i.e. visible to read_committed readers (sampled: 1 record in 16).',
      buckets: PIPELINE_LATENCY_BUCKETS_SECONDS, registers: [registry],
    }),
    consumer: createConsumerMetrics(registry, p, 'raw topic'),
    fxTableSize: new Gauge({ name: `${p}fx_table_rates`, help: 'Dated FX rates held in the table.', registers: [registry] }),
    fxTableAge: new Gauge({ name: `${p}fx_table_age_seconds`, help: 'Seconds since the FX table last changed.', registers: [registry] }),
  };
}
