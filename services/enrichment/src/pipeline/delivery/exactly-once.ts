import { callResumably, type GroupConsumer, type Health, type Logger, type TopicPartitionOffset, type Transactions } from '@stockstream/common';
import type { Delivery, OutputProducer } from './delivery.js';

/** What exactly-once needs of a TransactionalSession (common/kafka/transactions.ts). */
export interface TransactionalOutput {
  readonly producer: OutputProducer;
  readonly transactions: Pick<Transactions, 'begin' | 'sendOffsets' | 'commit' | 'abort'>;
  mayRenew(): boolean;
  renew(): Promise<void>;
}

/**
 * Each batch is one transaction holding its outputs and the consumed offsets
 * (sent with the group's metadata, KIP-447): downstream read_committed readers
 * see the batch and its offsets are committed, or neither.
 */
export class ExactlyOnceDelivery implements Delivery {
  readonly mode = 'exactly-once';

  constructor(
    private readonly session: TransactionalOutput,
    private readonly consumer: GroupConsumer,
    private readonly shell: { signal: AbortSignal; health: Health; logger: Logger },
  ) {}

  get producer(): OutputProducer {
    // No delivery handler: a failed message fails the transaction's commit, which is all that counts.
    return this.session.producer;
  }

  begin(): Promise<void> {
    return this.session.transactions.begin();
  }

  /** Sends the offsets into the open transaction and commits it: outputs and offsets become visible together. */
  async commitBatch(offsets: TopicPartitionOffset[]): Promise<void> {
    const t = this.session.transactions; // this batch's transactions, even if the producer is replaced meanwhile
    await this.resumable('send offsets', () => t.sendOffsets(offsets, this.consumer));
    await this.resumable('commit', () => t.commit());
  }

  abort(): Promise<void> {
    const t = this.session.transactions;
    return this.resumable('abort', () => t.abort());
  }

  mayRenew(): boolean {
    return this.session.mayRenew();
  }

  renew(): Promise<void> {
    return this.session.renew();
  }

  /** A retriable failure calls it again (common's callResumably), with the pipeline marked unhealthy meanwhile. */
  private resumable(call: string, fn: () => Promise<void>): Promise<void> {
    const { signal, health, logger } = this.shell;
    return callResumably(fn, {
      signal,
      onRetry: (err, attempt) => {
        health.set('pipeline', false, err.message);
        logger.warn({ err: err.message, call, attempt }, 'transactional call failed retriably: calling it again');
      },
    });
  }
}
