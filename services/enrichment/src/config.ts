import { z } from 'zod';
import {
  bool, consumerPrefetchSettings, httpSettings, memorySettings, kafkaSettings, logSettings, nonEmpty, positiveInt, registrySettings, setting, topicSettings,
} from '@stockstream/common';
import { hostname } from 'node:os';

/** Every environment variable the enrichment service reads. */
export const enrichmentSettings = {
  ...logSettings,
  ...memorySettings,
  ...httpSettings(9102),
  ...kafkaSettings,
  ...consumerPrefetchSettings,
  ...registrySettings,
  ...topicSettings,
  groupId: setting({ env: 'ENRICHMENT_GROUP_ID', default: 'stockstream-enrichment', expect: 'a consumer group id', doc: 'Consumer group of the enrichment instances.', schema: nonEmpty }),
  instanceId: setting({
    env: 'ENRICHMENT_INSTANCE_ID', default: hostname(), expect: 'a stable name per instance',
    doc: 'Makes the transactional.id (stockstream-enrichment-<id>): a restarted instance with the same id fences its zombie.', schema: nonEmpty,
  }),
  exactlyOnce: setting({ env: 'ENRICHMENT_EXACTLY_ONCE', default: 'true', expect: 'true or false', doc: 'Transactions (true) or at-least-once (false, for benchmarks).', schema: bool }),
  transactionTimeoutMs: setting({
    env: 'ENRICHMENT_TRANSACTION_TIMEOUT_MS', default: '60000', expect: 'an integer of ms between 1000 and 900000',
    doc: 'transaction.timeout.ms, also the produce timeout: the coordinator aborts a transaction open longer (e.g. through a broker outage); the batch is then retried.',
    schema: z.coerce.number().int().min(1000).max(900_000),
  }),
  batchMax: setting({ env: 'ENRICHMENT_BATCH_MAX', default: '5000', expect: 'a positive integer', doc: 'Most records per transaction.', schema: positiveInt }),
  indexReferenceFile: setting({ env: 'INDEX_REFERENCE_FILE', optional: true, file: true, expect: 'a path to a JSON file', doc: 'Index -> exchange/region/currency (default: services/enrichment/data/indices.json).', schema: nonEmpty }),
  fxHistoryFile: setting({
    env: 'FX_HISTORY_FILE', optional: true, file: 'unless-none', expect: "a path to an ECB history (.zip/.csv) or JSON rate file, or 'none'",
    doc: "Rates published to fx.rates at start where the topic lacks them (default: the ECB's daily history shipped in services/enrichment/data/ecb/); 'none' publishes nothing.",
    schema: nonEmpty,
  }),
  fxFallbackFile: setting({
    env: 'FX_FALLBACK_FILE', optional: true, file: 'unless-none', expect: "a path to a JSON rate file, or 'none'",
    doc: "One rate per currency for bars fx.rates has no rate for (before 1999, TWD), marked fxSource 'fallback' (default: services/enrichment/data/fx-fallback-rates.json); 'none' dead-letters them as no_fx_rate.",
    schema: nonEmpty,
  }),
  fxLoadTimeoutMs: setting({ env: 'FX_LOAD_TIMEOUT_MS', default: '30000', expect: 'a positive integer (ms)', doc: 'How long start-up may take to load fx.rates.', schema: z.coerce.number().int().positive() }),
};
