import type { KafkaProducer, TopicPartitionOffset } from '@stockstream/common';

/** What the loop needs of a producer. */
export type OutputProducer = Pick<KafkaProducer, 'produce' | 'flush' | 'setDeliveryHandler'>;

/**
 * How a batch's outputs and its consumed offsets become durable: the loop's
 * two delivery modes, exactly-once (exactly-once.ts) and at-least-once
 * (at-least-once.ts), behind one interface.
 */
export interface Delivery {
  readonly mode: 'exactly-once' | 'at-least-once';
  /** Where the batch's outputs go; a renewal replaces it. */
  readonly producer: OutputProducer;
  /** Before the batch's first output. */
  begin(): Promise<void>;
  /** Commits the batch's offsets once its outputs are safe: the only place the loop commits offsets. */
  commitBatch(offsets: TopicPartitionOffset[]): Promise<void>;
  /** Takes back what it can of a failed batch, before the rewind. */
  abort(): Promise<void>;
  /** Whether a fatal producer error may be answered with a new producer now. */
  mayRenew(): boolean;
  /** Replaces the producer; fails (keeping the old one) when the broker does not answer. */
  renew(): Promise<void>;
}
