import type { GroupConsumer } from './consumer.js';
import type { KafkaProducer } from './producer.js';
import type { LibrdKafkaError, TopicPartitionOffset } from './rdkafka.js';

/**
 * The three kinds of transactional failure need three different reactions:
 * fatal (fenced by a newer instance): close and exit, let the restart take over;
 * abortable: abort, rewind, retry the batch; retriable: the same call again.
 */
export type TxnErrorKind = 'fatal' | 'abortable' | 'retriable';

export function classifyTxnError(err: unknown): TxnErrorKind {
  const e = err as Partial<LibrdKafkaError> & { isFatal?: boolean; isTxnRequiresAbort?: boolean; isRetriable?: boolean };
  if (e?.isFatal) return 'fatal';
  if (e?.isTxnRequiresAbort) return 'abortable';
  if (e?.isRetriable) return 'retriable';
  return 'abortable';
}

function call(fn: (cb: (err: LibrdKafkaError | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));
}

/** Transactional operations over a producer created with a transactional.id. */
export class Transactions {
  constructor(private readonly producer: KafkaProducer, private readonly timeoutMs = 30_000) {}

  init(): Promise<void> {
    return call((cb) => this.producer.native.initTransactions(this.timeoutMs, cb));
  }

  begin(): Promise<void> {
    return call((cb) => this.producer.native.beginTransaction(cb));
  }

  /** Commits consumed offsets with the group's metadata (KIP-447), so the broker fences zombies by generation. */
  sendOffsets(offsets: TopicPartitionOffset[], consumer: GroupConsumer): Promise<void> {
    return call((cb) => this.producer.native.sendOffsetsToTransaction(offsets, consumer.native, this.timeoutMs, cb));
  }

  commit(): Promise<void> {
    return call((cb) => this.producer.native.commitTransaction(this.timeoutMs, cb));
  }

  abort(): Promise<void> {
    return call((cb) => this.producer.native.abortTransaction(this.timeoutMs, cb));
  }
}
