import type { ConfigOf } from '../config/settings.js';
import { consumerPrefetchSettings, type kafkaSettings } from '../config/common-settings.js';
import { loadConfig } from '../config/settings.js';

export type KafkaConfig = ConfigOf<typeof kafkaSettings>;
export type ConsumerPrefetch = ConfigOf<typeof consumerPrefetchSettings>;

/** The declared defaults, for consumers not configured from the environment (tests, tools). */
export const DEFAULT_CONSUMER_PREFETCH: ConsumerPrefetch = loadConfig(consumerPrefetchSettings, {});

/** How long a client's close (flush, leaving the group) may take before the process stops waiting for it. */
export const CLOSE_BOUND_MS = 20_000;

/** librdkafka properties shared by producers, consumers and admin clients. */
export function baseClientConfig(cfg: KafkaConfig, clientId: string): Record<string, string | number | boolean> {
  const conf: Record<string, string | number | boolean> = {
    'bootstrap.servers': cfg.brokers.join(','),
    'client.id': clientId,
    'security.protocol': cfg.securityProtocol,
    // Fail fast on a dead broker address instead of librdkafka's endless reconnect logging.
    'socket.connection.setup.timeout.ms': Math.min(cfg.connectTimeoutMs, 30_000),
    'reconnect.backoff.max.ms': 2000,
    'log.connection.close': false,
  };
  if (cfg.saslMechanism) conf['sasl.mechanisms'] = cfg.saslMechanism;
  if (cfg.saslUsername) conf['sasl.username'] = cfg.saslUsername;
  if (cfg.saslPassword) conf['sasl.password'] = cfg.saslPassword;
  if (cfg.sslCaLocation) conf['ssl.ca.location'] = cfg.sslCaLocation;
  return conf;
}

/**
 * librdkafka properties bounding what a group consumer fetches ahead. The high-level
 * consumer forwards every partition to one queue, so the two queue limits are for all
 * partitions together; fetching stops at whichever is reached first, and a fetch in
 * flight can add up to one partition fetch per partition on top.
 */
export function consumerPrefetchConfig(p: ConsumerPrefetch): Record<string, number> {
  return {
    'queued.min.messages': p.consumerQueueMessages,
    'queued.max.messages.kbytes': p.consumerQueueKbytes,
    'max.partition.fetch.bytes': p.consumerPartitionFetchBytes,
    // A partition whose queue is full is fetched again after this, not librdkafka's 1 s:
    // with a queue of a fraction of a second of records, 1 s would leave the service idle.
    'fetch.queue.backoff.ms': 10,
    // One fetch response may bring this much of all partitions together.
    'fetch.max.bytes': Math.max(p.consumerPartitionFetchBytes, p.consumerQueueKbytes * 1024),
  };
}
