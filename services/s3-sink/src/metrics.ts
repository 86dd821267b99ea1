import { Counter, Gauge, Histogram, METRIC_PREFIX, type Registry } from '@stockstream/common';

export type SinkMetrics = ReturnType<typeof createSinkMetrics>;

export function createSinkMetrics(registry: Registry) {
  const p = `${METRIC_PREFIX}sink_`;
  return {
    recordsConsumed: new Counter({ name: `${p}records_consumed_total`, help: 'Records read from Kafka (written records lag behind it by the open files).', registers: [registry] }),
    recordsWritten: new Counter({ name: `${p}records_written_total`, help: 'Records in objects uploaded to S3.', registers: [registry] }),
    bytesWritten: new Counter({ name: `${p}bytes_written_total`, help: 'Bytes of objects uploaded to S3.', registers: [registry] }),
    objectsWritten: new Counter({ name: `${p}objects_written_total`, help: 'Objects uploaded to S3.', registers: [registry] }),
    openFiles: new Gauge({ name: `${p}open_files`, help: 'Files open (receiving records, not yet uploaded).', registers: [registry] }),
    uploadSeconds: new Histogram({
      name: `${p}upload_duration_seconds`, help: 'Duration of one object upload.', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
    }),
    uploadFailures: new Counter({ name: `${p}upload_failures_total`, help: 'Upload attempts that failed (retried).', registers: [registry] }),
    consumerLag: new Gauge({ name: `${p}consumer_lag_records`, help: 'Records behind the end of each enriched partition.', labelNames: ['topic', 'partition'] as const, registers: [registry] }),
  };
}
