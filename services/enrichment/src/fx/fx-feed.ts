// Kafka adapter of the FX table: loads the compacted fx.rates topic from the
// beginning at start, then keeps following it so new rates apply live.
import { TopicTail, type AvroDeserializer, type FxRate, type KafkaConfig, type Logger, type Message } from '@stockstream/common';
import { applyFxRecord } from './fx-record.js';
import type { FxTable } from './fx-table.js';

export class FxFeed {
  private constructor(private readonly tail: TopicTail, private readonly table: FxTable, private readonly de: AvroDeserializer<FxRate>, private readonly logger: Logger) {}

  /** Resolves once the whole topic is in the table; later records keep arriving in the background. */
  static async start(cfg: KafkaConfig, topic: string, table: FxTable, de: AvroDeserializer<FxRate>, logger: Logger, timeoutMs: number): Promise<FxFeed> {
    // 4 MB at a time: a full daily history is a few MB and loads in a second; the default 64 MB would stay resident.
    const tail = await TopicTail.open(cfg, topic, { clientId: 'stockstream-enrichment-fx', bufferBytes: 4 * 1024 * 1024 });
    const feed = new FxFeed(tail, table, de, logger.child({ component: 'fx-feed' }));
    try {
      await tail.readToEnd((m) => feed.apply(m), timeoutMs);
    } catch (err) {
      await tail.close();
      throw new Error(`FX topic ${topic} not loaded (TOPIC_FX, FX_LOAD_TIMEOUT_MS): ${(err as Error).message}`);
    }
    tail.follow(
      (m) => feed.apply(m),
      (err) => feed.logger.warn({ err: err.message }, 'FX feed poll failed; retrying'),
    );
    return feed;
  }

  private async apply(m: Message): Promise<void> {
    let value: FxRate | null = null;
    try {
      value = m.value === null ? null : await this.de.decode(m.value);
    } catch (err) {
      this.logger.error({ err: (err as Error).message, offset: m.offset }, 'undecodable FX record ignored');
      return;
    }
    const outcome = applyFxRecord(this.table, m.key == null ? null : m.key.toString(), value, Date.now());
    if (!outcome.ok) this.logger.error({ error: outcome.error, offset: m.offset }, 'invalid FX record ignored');
  }

  stop(): Promise<void> {
    return this.tail.close();
  }
}
