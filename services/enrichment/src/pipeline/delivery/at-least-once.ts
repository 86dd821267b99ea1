import type { GroupConsumer, TopicPartitionOffset } from '@stockstream/common';
import type { Delivery, OutputProducer } from './delivery.js';

/**
 * Outputs are produced without a transaction; a batch's offsets are committed
 * once every one of its outputs was acknowledged. A crash in between repeats
 * the batch (duplicates downstream, nothing lost).
 */
export class AtLeastOnceDelivery implements Delivery {
  readonly mode = 'at-least-once';
  /** The first failed delivery of the current batch: its offsets must not be committed past a record that never landed. */
  private failed: { message: string } | null = null;

  constructor(
    readonly producer: OutputProducer,
    private readonly consumer: Pick<GroupConsumer, 'commitSync'>,
  ) {
    producer.setDeliveryHandler((err) => {
      if (err) this.failed ??= err;
    });
  }

  async begin(): Promise<void> {
    this.failed = null;
  }

  /** Waits until every output of the batch is acknowledged, then commits its offsets. */
  async commitBatch(offsets: TopicPartitionOffset[]): Promise<void> {
    await this.producer.flush(60_000);
    if (this.failed) throw new Error(`a record of the batch was not delivered: ${this.failed.message}`);
    this.consumer.commitSync(offsets);
  }

  /** Nothing to take back: what was delivered stays, and the rewind repeats the batch. */
  async abort(): Promise<void> {}

  /** A fatal error of a plain producer ends the service; a restart takes over. */
  mayRenew(): boolean {
    return false;
  }

  renew(): Promise<void> {
    return Promise.reject(new Error('an at-least-once producer is not renewed'));
  }
}
