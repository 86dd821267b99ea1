import { z } from 'zod';
import {
  bool, consumerPrefetchSettings, httpSettings, memorySettings, httpUrl, kafkaSettings, logSettings, nonEmpty, positiveInt, registrySettings, setting, topicSettings,
  type ConfigOf,
} from '@stockstream/common';
import { hostname } from 'node:os';
import type { ParquetCompression } from './format/parquet-record-writer.js';
import type { RotationConfig } from './rotation/rotation-policy.js';
import { MIN_PART_BYTES, type S3StorageConfig } from './storage/s3-storage.js';

const MiB = 1024 * 1024;

// S3's bucket naming rules (lower case, digits, dots, hyphens; 3-63 long).
const bucketName = z.string().trim().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'S3 bucket name');
// Stored without slashes at either end; keys are built as <prefix>/ticks/...
const keyPrefix = z.string().trim().transform((s) => s.replace(/^\/+|\/+$/g, ''));
const partBytes = z.coerce.number().int().min(MIN_PART_BYTES);

/** Every environment variable the S3 sink reads. */
export const sinkSettings = {
  ...logSettings,
  ...memorySettings,
  ...httpSettings(9103),
  ...kafkaSettings,
  ...consumerPrefetchSettings,
  ...registrySettings,
  ...topicSettings,
  groupId: setting({ env: 'SINK_GROUP_ID', default: 'stockstream-s3-sink', expect: 'a consumer group id', doc: 'Consumer group of the S3 sink instances.', schema: nonEmpty }),
  instanceId: setting({
    env: 'SINK_INSTANCE_ID', default: hostname(), expect: 'a stable name per instance',
    doc: 'Makes the transactional.id of its dead letters (stockstream-s3-sink-<group>-<id>): a restarted instance with the same id fences its zombie; two live instances need two ids.',
    schema: nonEmpty,
  }),
  s3Bucket: setting({ env: 'S3_BUCKET', default: 'stockstream-lake', expect: 'an S3 bucket name', doc: 'Bucket of the lake (created at start when missing).', schema: bucketName }),
  s3Prefix: setting({ env: 'S3_PREFIX', default: 'lake', expect: 'a key prefix', doc: 'Folder of the lake in the bucket: objects are <prefix>/ticks/index=.../year=.../...', schema: keyPrefix }),
  s3Endpoint: setting({ env: 'S3_ENDPOINT', optional: true, expect: 'an http(s) URL', doc: 'S3-compatible endpoint (S3Proxy, MinIO); unset = AWS S3 of S3_REGION.', schema: httpUrl }),
  s3Region: setting({ env: 'S3_REGION', default: 'us-east-1', expect: 'an AWS region', doc: 'Region of the bucket (signing region for S3-compatible servers).', schema: nonEmpty }),
  s3ForcePathStyle: setting({
    env: 'S3_FORCE_PATH_STYLE', default: 'false', expect: 'true or false',
    doc: 'Path-style URLs (host/bucket/key), needed by most S3-compatible servers; the local stack sets true.', schema: bool,
  }),
  s3AccessKeyId: setting({ env: 'S3_ACCESS_KEY_ID', optional: true, expect: 'an access key id', doc: 'Static S3 credentials with S3_SECRET_ACCESS_KEY; unset = the AWS default credential chain.', schema: nonEmpty }),
  s3SecretAccessKey: setting({ env: 'S3_SECRET_ACCESS_KEY', optional: true, secret: true, expect: 'a secret access key', doc: 'Secret of S3_ACCESS_KEY_ID (never logged).', schema: nonEmpty }),
  s3MaxAttempts: setting({ env: 'S3_MAX_ATTEMPTS', default: '5', expect: 'a positive integer', doc: 'Attempts per S3 request (first included), exponential backoff between them.', schema: positiveInt }),
  s3ConnectTimeoutMs: setting({ env: 'S3_CONNECT_TIMEOUT_MS', default: '5000', expect: 'a positive integer (ms)', doc: 'TCP connect timeout of one S3 request attempt.', schema: positiveInt }),
  s3RequestTimeoutMs: setting({
    env: 'S3_REQUEST_TIMEOUT_MS', default: '60000', expect: 'a positive integer (ms)',
    doc: 'Longest one S3 request attempt may take (a whole part or object upload included) before it is retried.', schema: positiveInt,
  }),
  format: setting({ env: 'SINK_FORMAT', default: 'parquet', expect: 'parquet or jsonl', doc: 'File format of the lake objects.', schema: z.enum(['parquet', 'jsonl']) }),
  // Not `compression`: that key is the Kafka producer's codec in kafkaSettings.
  parquetCompression: setting({
    env: 'SINK_COMPRESSION', default: 'snappy', expect: 'one of snappy, zstd, uncompressed',
    doc: "Parquet compression codec: snappy and uncompressed use the sink's own encoder, zstd DuckDB's writer (smaller objects, 4-6x the CPU per file). JSON Lines is not compressed.", schema: z.enum(['zstd', 'snappy', 'uncompressed']),
  }),
  rotateRecords: setting({ env: 'SINK_ROTATE_RECORDS', default: '100000', expect: 'a positive integer', doc: 'Close a file after this many records (deterministic).', schema: positiveInt }),
  rotateBytes: setting({
    env: 'SINK_ROTATE_BYTES', default: String(64 * MiB), expect: 'a positive integer (bytes)',
    doc: 'Close a file once its input records add up to this many bytes (deterministic).', schema: positiveInt,
  }),
  rotateMs: setting({
    env: 'SINK_ROTATE_MS', default: '60000', expect: 'a positive integer (ms)',
    doc: 'Close a file this long after its first record, by the wall clock: bounds how late data reaches the lake.', schema: positiveInt,
  }),
  rotateIdleMs: setting({
    env: 'SINK_ROTATE_IDLE_MS', default: '10000', expect: 'a positive integer (ms)',
    doc: 'Close a file that received no record for this long (its lake partition went quiet, e.g. the stream moved on to the next year).', schema: positiveInt,
  }),
  maxBufferedRecords: setting({
    env: 'SINK_MAX_BUFFERED_RECORDS', default: '100000', expect: 'a positive integer',
    doc: 'Records held in memory (open files and files waiting for upload) above which consumption waits for the uploads; reached with no upload in flight, every open file is closed and uploaded (rotation reason memory). The sink\'s memory bill: ~300 bytes a record.', schema: positiveInt,
  }),
  multipartThresholdBytes: setting({
    env: 'SINK_MULTIPART_THRESHOLD_BYTES', default: String(16 * MiB), expect: 'a positive integer (bytes)',
    doc: 'Objects larger than this are uploaded in parts.', schema: positiveInt,
  }),
  multipartPartBytes: setting({
    env: 'SINK_MULTIPART_PART_BYTES', default: String(8 * MiB), expect: `an integer >= ${MIN_PART_BYTES} (bytes)`,
    doc: 'Part size of multipart uploads (S3 minimum 5 MiB).', schema: partBytes,
  }),
};

export type SinkConfig = ConfigOf<typeof sinkSettings>;

/**
 * Most records per consumed batch. Small batches keep the event loop turning: upload completions are
 * handled (and the next uploads started) between batches, so a large batch being filed would leave the
 * upload slots idle. Also the batch of the sink's consume ceiling in tools/bench.
 */
export const SINK_BATCH_MAX = 2_000;

export function s3StorageConfig(cfg: SinkConfig): S3StorageConfig {
  return {
    bucket: cfg.s3Bucket,
    endpoint: cfg.s3Endpoint,
    region: cfg.s3Region,
    forcePathStyle: cfg.s3ForcePathStyle,
    accessKeyId: cfg.s3AccessKeyId,
    secretAccessKey: cfg.s3SecretAccessKey,
    multipartThresholdBytes: cfg.multipartThresholdBytes,
    partSizeBytes: cfg.multipartPartBytes,
    maxAttempts: cfg.s3MaxAttempts,
    connectTimeoutMs: cfg.s3ConnectTimeoutMs,
    requestTimeoutMs: cfg.s3RequestTimeoutMs,
  };
}

export function rotationConfig(cfg: SinkConfig): RotationConfig {
  return { maxRecords: cfg.rotateRecords, maxBytes: cfg.rotateBytes, maxOpenMs: cfg.rotateMs, maxIdleMs: cfg.rotateIdleMs };
}

export type { ParquetCompression };
