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
    destination,
  );
}
