import { z } from 'zod';
import { bool, hostPortList, httpUrl, nonEmpty, nonNegativeInt, port, positiveInt, setting } from './settings.js';

export const logSettings = {
  logLevel: setting({
    env: 'LOG_LEVEL', default: 'info', expect: 'one of trace, debug, info, warn, error, fatal, silent',
    doc: 'Minimum level of the JSON logs on stdout.',
    schema: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
  }),
};

/** Node's memory against speed, beyond NODE_OPTIONS (docs/performance.md#memory). */
export const memorySettings = {
  heapGrowingPercent: setting({
    env: 'HEAP_GROWING_PERCENT', default: '100', expect: 'an integer between 10 and 300',
    doc: 'How far (in %) the V8 heap may grow past what the last full collection kept before the next one (V8\'s own: up to 300). Lower: less memory, more collections.',
    schema: z.coerce.number().int().min(10).max(300),
  }),
};

export function httpSettings(defaultPort: number) {
  return {
    httpHost: setting({ env: 'HTTP_HOST', default: '0.0.0.0', expect: 'an interface address', doc: 'Address of the metrics/health HTTP server.', schema: nonEmpty }),
    httpPort: setting({ env: 'HTTP_PORT', default: String(defaultPort), expect: 'a TCP port (0 = any free port)', doc: 'Port of GET /metrics, /healthz, /readyz.', schema: z.coerce.number().int().min(0).max(65535) }),
  };
}

export const kafkaSettings = {
  brokers: setting({ env: 'KAFKA_BROKERS', default: '127.0.0.1:9092', expect: 'a comma-separated list of host:port', doc: 'Kafka bootstrap servers.', schema: hostPortList }),
  securityProtocol: setting({
    env: 'KAFKA_SECURITY_PROTOCOL', default: 'plaintext', expect: 'one of plaintext, ssl, sasl_plaintext, sasl_ssl',
    doc: 'librdkafka security.protocol.', schema: z.enum(['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl']),
  }),
  saslMechanism: setting({
    env: 'KAFKA_SASL_MECHANISM', optional: true, expect: 'one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512',
    doc: 'SASL mechanism when the protocol is sasl_*.', schema: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']),
  }),
  saslUsername: setting({ env: 'KAFKA_SASL_USERNAME', optional: true, expect: 'a user name', doc: 'SASL user name.', schema: nonEmpty }),
  saslPassword: setting({ env: 'KAFKA_SASL_PASSWORD', optional: true, secret: true, expect: 'a password', doc: 'SASL password (never logged).', schema: nonEmpty }),
  sslCaLocation: setting({ env: 'KAFKA_SSL_CA_LOCATION', optional: true, file: true, expect: 'a path to a PEM file', doc: 'CA bundle for ssl/sasl_ssl.', schema: nonEmpty }),
  compression: setting({
    env: 'KAFKA_COMPRESSION', default: 'lz4', expect: 'one of none, gzip, snappy, lz4, zstd',
    doc: 'Producer compression codec.', schema: z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']),
  }),
  lingerMs: setting({ env: 'KAFKA_LINGER_MS', default: '20', expect: 'a non-negative integer (ms)', doc: 'Producer linger.ms: how long to wait to fill a batch.', schema: nonNegativeInt }),
  batchBytes: setting({ env: 'KAFKA_BATCH_BYTES', default: '1000000', expect: 'a positive integer (bytes)', doc: 'Producer batch.size in bytes.', schema: positiveInt }),
  connectTimeoutMs: setting({
    env: 'KAFKA_CONNECT_TIMEOUT_MS', default: '15000', expect: 'a positive integer (ms)',
    doc: 'How long a client waits for the broker at start before giving up (bounded wait).', schema: positiveInt,
  }),
};

/**
 * What a consumer fetches ahead of the application, held in librdkafka's
 * native memory (outside the V8 heap): the largest part of a consuming
 * service's RSS when it reads a full topic. Read by the services that consume.
 */
export const consumerPrefetchSettings = {
  consumerQueueMessages: setting({
    env: 'KAFKA_CONSUMER_QUEUE_MESSAGES', default: '10000', expect: 'a positive integer',
    doc: 'Consumer queued.min.messages: records fetched ahead of the service (all partitions together); more costs memory (~0.4 KB a record), fewer can starve a fast service.',
    schema: positiveInt,
  }),
  consumerQueueKbytes: setting({
    env: 'KAFKA_CONSUMER_QUEUE_KBYTES', default: '4096', expect: 'a positive integer (KiB)',
    doc: 'Consumer queued.max.messages.kbytes: most KiB of record payload fetched ahead (all partitions together).',
    schema: positiveInt,
  }),
  consumerPartitionFetchBytes: setting({
    env: 'KAFKA_CONSUMER_PARTITION_FETCH_BYTES', default: '1048576', expect: 'a positive integer (bytes)',
    doc: 'Consumer max.partition.fetch.bytes: most bytes one fetch brings of one partition (each partition can overshoot the queue limits by this).',
    schema: positiveInt,
  }),
};

export const registrySettings = {
  registryUrl: setting({
    env: 'SCHEMA_REGISTRY_URL', default: 'http://127.0.0.1:8081/apis/ccompat/v7', expect: 'an http(s) URL',
    doc: 'Confluent-compatible schema registry base URL (Apicurio: .../apis/ccompat/v7).', schema: httpUrl,
  }),
  registryUsername: setting({ env: 'SCHEMA_REGISTRY_USERNAME', optional: true, expect: 'a user name', doc: 'Basic-auth user for the registry.', schema: nonEmpty }),
  registryPassword: setting({ env: 'SCHEMA_REGISTRY_PASSWORD', optional: true, secret: true, expect: 'a password', doc: 'Basic-auth password for the registry (never logged).', schema: nonEmpty }),
  registryTimeoutMs: setting({
    env: 'SCHEMA_REGISTRY_TIMEOUT_MS', default: '15000', expect: 'a positive integer (ms)',
    doc: 'Total time registry calls are retried before giving up.', schema: positiveInt,
  }),
  schemasDir: setting({ env: 'SCHEMAS_DIR', optional: true, expect: 'a directory path', doc: 'Folder of *.avsc files (default: the repo\'s schemas/).', schema: nonEmpty }),
};

export const topicSettings = {
  rawTopic: setting({ env: 'TOPIC_RAW', default: 'ticks.raw', expect: 'a topic name', doc: 'Raw ticks topic.', schema: nonEmpty }),
  enrichedTopic: setting({ env: 'TOPIC_ENRICHED', default: 'ticks.enriched', expect: 'a topic name', doc: 'Enriched ticks topic.', schema: nonEmpty }),
  dlqTopic: setting({ env: 'TOPIC_DLQ', default: 'ticks.dlq', expect: 'a topic name', doc: 'Dead-letter topic.', schema: nonEmpty }),
  fxTopic: setting({ env: 'TOPIC_FX', default: 'fx.rates', expect: 'a topic name', doc: 'Compacted FX rates topic.', schema: nonEmpty }),
  topicPartitions: setting({ env: 'TOPIC_PARTITIONS', default: '6', expect: 'a positive integer', doc: 'Partitions of ticks.* topics when created.', schema: positiveInt }),
  topicReplication: setting({ env: 'TOPIC_REPLICATION_FACTOR', default: '1', expect: 'a positive integer', doc: 'Replication factor of created topics.', schema: positiveInt }),
  topicRetentionMs: setting({
    env: 'TOPIC_RETENTION_MS', default: '604800000', expect: 'an integer (ms, -1 = forever)',
    doc: 'retention.ms of ticks.* topics when created.', schema: z.coerce.number().int().min(-1),
  }),
  createTopics: setting({ env: 'CREATE_TOPICS', default: 'true', expect: 'true or false', doc: 'Create missing topics at start.', schema: bool }),
};

export { port };
