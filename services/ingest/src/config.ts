import { httpSettings, memorySettings, kafkaSettings, logSettings, nonEmpty, positiveInt, registrySettings, setting, topicSettings } from '@stockstream/common';

/** Every environment variable the ingest service reads. */
export const ingestSettings = {
  ...logSettings,
  ...memorySettings,
  ...httpSettings(9101),
  ...kafkaSettings,
  ...registrySettings,
  ...topicSettings,
  commitIntervalMs: setting({
    env: 'INGEST_COMMIT_INTERVAL_MS', default: '100', expect: 'a positive integer (ms)',
    doc: 'Records are published in transactions committed this often: readers (read_committed) see a record at most about this long after its produce.',
    schema: positiveInt,
  }),
  transactionalId: setting({
    env: 'INGEST_TRANSACTIONAL_ID', optional: true, expect: 'a Kafka transactional.id',
    doc: 'Transactional id of the producer. Default: stockstream-ingest-<raw topic>-<hash of file path or seed>, so a rerun aborts what a killed run left open and other sources never fence it.',
    schema: nonEmpty,
  }),
};
