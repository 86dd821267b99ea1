// Reading one batch ahead: the consumer fetches the next batch while the sink files this one.
import type { MessageBatch } from '@stockstream/common';
import type { SinkConsumer } from './sink-loop.js';

/**
 * The next batch, asked for while the current one is filed: the client pulls
 * messages (and, patched, lays them out as columns) on its worker thread
 * while this thread decodes and files the previous batch. Tagged with the
 * generation it was asked in; a batch that straddled an assignment change is
 * dropped (its records are re-read from the committed offsets after recovery).
 */
export class ReadAhead {
  private ahead: { generation: number; batch: Promise<MessageBatch> } | null = null;

  constructor(private readonly consumer: SinkConsumer, private readonly batchMax: number, private readonly recoveredGeneration: () => number | null) {}

  /** Asks for the batch after the current one (short wait: it is taken on the next turn). */
  request(): void {
    this.ahead = { generation: this.consumer.generation, batch: this.consumer.consumeBatch(this.batchMax, 10) };
  }

  /** Takes the read-ahead batch (or reads one now); null when it straddled an assignment change. */
  async next(timeoutMs: number): Promise<MessageBatch | null> {
    const next = this.ahead ?? { generation: this.consumer.generation, batch: this.consumer.consumeBatch(this.batchMax, timeoutMs) };
    this.ahead = null;
    const batch = await next.batch;
    const now = this.consumer.generation;
    return next.generation === now && now === this.recoveredGeneration() ? batch : null;
  }

  async drop(): Promise<void> {
    if (this.ahead) await this.ahead.batch.catch(() => undefined);
    this.ahead = null;
  }
}
