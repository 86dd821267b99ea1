import type { EventEmitter } from 'node:events';
import type { KafkaConfig } from './client-config.js';
import { CODES } from './rdkafka.js';

export class BrokerUnreachableError extends Error {
  override name = 'BrokerUnreachableError';
}

/**
 * The broker answered but refused this client: its SASL credentials, or the
 * TLS handshake. librdkafka keeps retrying those as it would a broker that is
 * away; like the Java client, we stop at the first one, since waiting cannot
 * cure a wrong password or an untrusted certificate.
 */
export class BrokerRefusedError extends Error {
  override name = 'BrokerRefusedError';
}

export function brokerUnreachable(cfg: KafkaConfig, err: unknown): BrokerUnreachableError {
  const detail = err instanceof Error ? err.message : String(err);
  return new BrokerUnreachableError(
    `Kafka broker unreachable at ${cfg.brokers.join(',')} within ${cfg.connectTimeoutMs} ms (KAFKA_BROKERS, KAFKA_CONNECT_TIMEOUT_MS): ${detail}`,
  );
}

export type Refusal = 'authentication' | 'tls';

/**
 * Whether a client error event is a refusal. The binding (1.10) hands these
 * over with code -1 and librdkafka's error text as the message
 * ("authentication failure", "ssl error"); the codes are checked too for a
 * binding that passes them.
 */
export function refusalOf(err: { code?: number; message?: string }): Refusal | undefined {
  const message = (err.message ?? '').trim().toLowerCase();
  if (err.code === CODES.ERRORS.ERR__AUTHENTICATION || message === 'authentication failure') return 'authentication';
  if (err.code === CODES.ERRORS.ERR__SSL || message === 'ssl error') return 'tls';
  return undefined;
}

/**
 * librdkafka's own words for a failed connection, from its FAIL log line,
 * without the thread and broker prefixes ("sasl_ssl://h:p/bootstrap: SASL
 * authentication error: ... (after 312ms in state AUTH_REQ)" -> "SASL
 * authentication error: ... (after 312ms in state AUTH_REQ)"); undefined for other lines.
 */
export function failureDetail(log: { fac?: string; severity?: number; message?: string }): string | undefined {
  if (log.fac !== 'FAIL' || !log.message) return undefined;
  return log.message.replace(/^\[thrd:[^\]]*\]:\s*/, '').replace(/^[a-z_]+:\/\/\S+?:\s+/, '');
}

/** One sentence naming the settings to check; never a secret. */
export function refusalMessage(cfg: KafkaConfig, refusal: Refusal, detail: string | undefined): string {
  const at = cfg.brokers.join(',');
  const why = detail ? `: ${detail}` : '';
  if (refusal === 'authentication') {
    return `Kafka at ${at} refused the SASL credentials of user ${JSON.stringify(cfg.saslUsername ?? '')} (${cfg.saslMechanism ?? 'no mechanism set'}) ` +
      `(KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SASL_MECHANISM)${why}`;
  }
  return `TLS handshake with Kafka at ${at} failed (KAFKA_SECURITY_PROTOCOL=${cfg.securityProtocol}, ` +
    `KAFKA_SSL_CA_LOCATION=${cfg.sslCaLocation ?? 'unset: the system CAs'})${why}`;
}

/** The native clients are EventEmitters (the admin client too, though its typings leave that out). */
export type ClientEvents = Pick<EventEmitter, 'on' | 'removeListener'>;

/**
 * A native client's first contact with the broker (`start` calls back once
 * connected, or with the error at KAFKA_CONNECT_TIMEOUT_MS): rejects with a
 * BrokerUnreachableError then, or with a BrokerRefusedError as soon as the
 * client reports refused credentials or a failed TLS handshake. The admin
 * client reports those while it connects; producers and consumers deliver
 * their events only once polled, after their connect, so for them a refusal
 * shows as unreachable (services connect an admin client first for that
 * reason: bootstrapPipeline). `settled()` tells a `start` that retries in
 * steps that nobody waits any more.
 */
export function connectClient(
  client: ClientEvents,
  cfg: KafkaConfig,
  start: (done: (err?: unknown) => void, settled: () => boolean) => void,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let detail: string | undefined;
    const onLog = (log: { fac?: string; severity?: number; message?: string }) => (detail = failureDetail(log) ?? detail);
    const onError = (err: { code?: number; message?: string }) => {
      const refusal = refusalOf(err);
      if (refusal) finish(new BrokerRefusedError(refusalMessage(cfg, refusal, detail)));
    };
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      client.removeListener('event.log', onLog);
      client.removeListener('event.error', onError);
      if (err) reject(err);
      else resolve();
    };
    client.on('event.log', onLog);
    client.on('event.error', onError);
    start((err) => finish(err ? brokerUnreachable(cfg, err) : undefined), () => settled);
  });
}
