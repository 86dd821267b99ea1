// The native client is CommonJS; this is its one import site so the rest of
// the code sees typed ESM names.
import { createRequire } from 'node:module';
import rdkafka from '@confluentinc/kafka-javascript';

export const { Producer, KafkaConsumer, AdminClient, CODES } = rdkafka;
export type {
  LibrdKafkaError,
  Message,
  TopicPartition,
  TopicPartitionOffset,
  GlobalConfig,
  ProducerGlobalConfig,
  ConsumerGlobalConfig,
} from '@confluentinc/kafka-javascript';
export const librdkafkaVersion: string = rdkafka.librdkafkaVersion;
/** The JavaScript client's own version: services/common/package.json pins it exactly, since the code reads one private field of it. */
export const clientVersion: string = (createRequire(import.meta.url)('@confluentinc/kafka-javascript/package.json') as { version: string }).version;

/** librdkafka error codes that mean "try again" rather than "give up". */
export function isRetriable(err: unknown): boolean {
  const e = err as { retriable?: boolean; isRetriable?: boolean; code?: number } | undefined;
  return Boolean(e && (e.retriable || e.isRetriable || e.code === CODES.ERRORS.ERR__QUEUE_FULL || e.code === CODES.ERRORS.ERR__TIMED_OUT));
}
