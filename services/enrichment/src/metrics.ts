import { Counter, Gauge, Histogram, METRIC_PREFIX, type Registry } from '@stockstream/common';

export type EnrichmentMetrics = ReturnType<typeof createEnrichmentMetrics>;

export function createEnrichmentMetrics(registry: Registry) {
  const p = `${METRIC_PREFIX}enrichment_`;
  return {
    recordsIn: new Counter({ name: `${p}records_in_total`, help: 'Raw records consumed and committed.', registers: [registry] }),
    recordsOut: new Counter({ name: `${p}records_out_total`, help: 'Enriched records committed to the enriched topic.', registers: [registry] }),
    deadLettered: new Counter({ name: `${p}records_dead_lettered_total`, help: 'Records committed to the dead-letter topic, by reason.', labelNames: ['reason'] as const, registers: [registry] }),
    transactionSeconds: new Histogram({
      name: `${p}transaction_duration_seconds`, help: 'Begin to commit of one batch transaction.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
    }),
    transactionsAborted: new Counter({ name: `${p}transactions_aborted_total`, help: 'Transactions aborted (the batch is retried).', registers: [registry] }),
    producerRenewals: new Counter({
      name: `${p}producer_renewals_total`, help: 'Transactional producers replaced after a fatal error (e.g. a transaction timed out during a broker outage).', registers: [registry],
    }),
    consumerLag: new Gauge({ name: `${p}consumer_lag_records`, help: 'Records behind the end of each raw partition.', labelNames: ['topic', 'partition'] as const, registers: [registry] }),
    fxTableSize: new Gauge({ name: `${p}fx_table_rates`, help: 'Dated FX rates held in the table.', registers: [registry] }),
    fxTableAge: new Gauge({ name: `${p}fx_table_age_seconds`, help: 'Seconds since the FX table last changed.', registers: [registry] }),
  };
}
