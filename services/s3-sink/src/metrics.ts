import { Counter, Gauge, Histogram, METRIC_PREFIX, PIPELINE_LATENCY_BUCKETS_SECONDS, createConsumerMetrics, type Registry } from '@stockstream/common';

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
      name: `${p}upload_duration_seconds`,
      help: 'Time to store one object: encoding and upload on the upload worker (the default path), the upload alone when the main thread encodes.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
    }),
    uploadFailures: new Counter({ name: `${p}upload_failures_total`, help: 'Upload attempts that failed (retried).', registers: [registry] }),
    endToEndLatency: new Histogram({
      name: `${p}end_to_end_latency_seconds`,
      help: 'Time from a record\'s ingestedAt (stamped by the ingest service) to its object landing in S3, i.e. visible to SQL (sampled: 1 record in 16 of each object).',
      buckets: PIPELINE_LATENCY_BUCKETS_SECONDS, registers: [registry],
    }),
    lakeNewestRecord: new Gauge({
      name: `${p}lake_newest_record_timestamp_seconds`, help: 'ingestedAt (Unix seconds) of the newest record landed in S3, per lake table: time() minus it is the lake\'s freshness.',
      labelNames: ['table'] as const, registers: [registry],
    }),
    deadLettered: new Counter({
      name: `${p}records_dead_lettered_total`, help: 'Records the sink could not write to the lake, sent to the dead-letter topic, by reason.', labelNames: ['reason'] as const, registers: [registry],
    }),
    paused: new Gauge({ name: `${p}paused`, help: '1 while consumption is paused because uploads fail (S3 outage back-pressure), else 0.', registers: [registry] }),
    filesRotated: new Counter({
      name: `${p}files_rotated_total`, help: 'Files closed for upload, by the reason they closed (records, bytes, time, idle; shutdown and memory close every open file).', labelNames: ['reason'] as const, registers: [registry],
    }),
    objectRecords: new Histogram({
      name: `${p}object_records`, help: 'Records per uploaded object.', buckets: [1, 10, 100, 1000, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000], registers: [registry],
    }),
    objectBytes: new Histogram({
      name: `${p}object_bytes`, help: 'Bytes per uploaded object.',
      buckets: [1024, 16_384, 65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864, 268_435_456], registers: [registry],
    }),
    consumer: createConsumerMetrics(registry, p, 'enriched topic'),
  };
}
