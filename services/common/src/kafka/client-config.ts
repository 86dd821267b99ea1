import type { ConfigOf } from '../config/settings.js';
import type { kafkaSettings } from '../config/common-settings.js';

export type KafkaConfig = ConfigOf<typeof kafkaSettings>;

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
