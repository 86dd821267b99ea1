import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

// Paths that may carry credentials in config objects or errors we log.
const REDACT = [
  'password', '*.password', 'saslPassword', '*.saslPassword', 'registryPassword', '*.registryPassword',
  'secretAccessKey', '*.secretAccessKey', 's3SecretAccessKey', '*.s3SecretAccessKey',
  '["sasl.password"]', '*["sasl.password"]', '["ssl.key.password"]', '*["ssl.key.password"]',
  'authorization', '*.authorization', '*.headers.authorization', 'sessionToken', '*.sessionToken',
];

export function createLogger(service: string, level = 'info', destination?: DestinationStream): Logger {
  return pino(
    {
    name: service,
    level,
    base: { service },
    redact: { paths: REDACT, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Synchronous writes: a log line must not wait for libuv's thread pool (busy with the Kafka client's blocking
    // calls when a broker is away), and the lines before an exit — or a SIGKILL, see exitProcess — are not lost.
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
