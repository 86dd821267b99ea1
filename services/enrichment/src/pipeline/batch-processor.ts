// The consume-transform-produce loop. Each batch of raw records becomes one
// Kafka transaction holding its outputs (enriched or dead letters) and the
// consumed offsets, so a batch is either entirely visible downstream with its
// offsets committed, or not at all.
import {
  DecodeError, Transactions, classifyTxnError, type AvroDeserializer, type AvroSerializer, type DeadLetter, type EnrichedTick,
  type GroupConsumer, type Health, type KafkaProducer, type Logger, type Message, type RawTick, type TopicPartitionOffset,
} from '@stockstream/common';
import type { EnrichmentContext } from '../enrich/enrich-tick.js';
import type { EnrichmentMetrics } from '../metrics.js';
import { latestCalendarDay } from '../validation/epoch-day.js';
import { routeRecord } from './route-record.js';

export interface ProcessorDeps {
  consumer: GroupConsumer;
  producer: KafkaProducer;
  /** null = at-least-once: plain produce, then commit offsets after the flush. */
  transactions: Transactions | null;
  rawDeserializer: AvroDeserializer<RawTick>;
  enriched: { topic: string; serializer: AvroSerializer<EnrichedTick> };
  deadLetters: { topic: string; serializer: AvroSerializer<DeadLetter> };
  context: () => Omit<EnrichmentContext, 'today' | 'now'>;
  metrics: EnrichmentMetrics;
  health: Health;
  logger: Logger;
  batchMax: number;
}

export class FencedError extends Error {
  override name = 'FencedError';
}

/** Offsets to commit: one past the last record of each partition in the batch. */
export function nextOffsets(messages: Message[]): TopicPartitionOffset[] {
  const next = new Map<string, TopicPartitionOffset>();
  for (const m of messages) {
    const k = `${m.topic}/${m.partition}`;
    const cur = next.get(k);
    if (!cur || m.offset + 1 > cur.offset) next.set(k, { topic: m.topic, partition: m.partition, offset: m.offset + 1 });
  }
  return [...next.values()];
}

export async function runProcessor(deps: ProcessorDeps, signal: AbortSignal): Promise<void> {
  const { consumer, producer, transactions: txn, metrics, logger } = deps;
  let backoffMs = 0;
  while (!signal.aborted) {
    if (backoffMs > 0) await new Promise((r) => setTimeout(r, backoffMs));
    const messages = await consumer.consume(deps.batchMax, 200);
    if (messages.length === 0) continue;
    const started = performance.now();
    const counts = { out: 0, dead: new Map<string, number>() };
    try {
      if (txn) await txn.begin();
      await produceOutputs(deps, messages, counts);
      const offsets = nextOffsets(messages);
      if (txn) {
        await txn.sendOffsets(offsets, consumer);
        await txn.commit();
      } else {
        await producer.flush(60_000);
        consumer.native.commitSync(offsets);
      }
      metrics.transactionSeconds.observe((performance.now() - started) / 1000);
      metrics.recordsIn.inc(messages.length);
      metrics.recordsOut.inc(counts.out);
      for (const [reason, n] of counts.dead) metrics.deadLettered.inc({ reason }, n);
      deps.health.set('pipeline', true);
      backoffMs = 0;
    } catch (err) {
      const kind = classifyTxnError(err);
      logger.warn({ err: (err as Error).message, kind, batch: messages.length }, 'batch failed: aborting and rewinding');
      if (kind === 'fatal') throw new FencedError(`producer fenced or fatal error: ${(err as Error).message}`);
      deps.health.set('pipeline', false, (err as Error).message);
      metrics.transactionsAborted.inc();
      if (txn) {
        try {
          await txn.abort();
        } catch (abortErr) {
          if (classifyTxnError(abortErr) === 'fatal') throw new FencedError(`abort failed fatally: ${(abortErr as Error).message}`);
          logger.warn({ err: (abortErr as Error).message }, 'abort failed; retrying the batch after backoff');
        }
      }
      // The position is past the failed batch: go back to what is committed, or it would be skipped.
      await consumer.rewindToCommitted().catch((e: Error) => logger.warn({ err: e.message }, 'rewind failed'));
      backoffMs = Math.min(Math.max(backoffMs * 2, 250), 10_000);
    }
  }
}

async function produceOutputs(deps: ProcessorDeps, messages: Message[], counts: { out: number; dead: Map<string, number> }): Promise<void> {
  const now = Date.now();
  const ctx: EnrichmentContext = { ...deps.context(), today: latestCalendarDay(now), now };
  for (const m of messages) {
    const coords = { topic: m.topic, partition: m.partition, offset: m.offset };
    let decoded: Parameters<typeof routeRecord>[0];
    try {
      const v = deps.rawDeserializer.decode(m.value);
      decoded = { ok: true, raw: v instanceof Promise ? await v : v };
    } catch (err) {
      // A message that can never be decoded is poison: dead-letter it. Anything else (registry down) aborts the batch.
      if (!(err instanceof DecodeError)) throw err;
      decoded = { ok: false, bytes: m.value ?? Buffer.alloc(0), reason: err.reason, message: err.message };
    }
    const routed = routeRecord(decoded, coords, ctx);
    if (routed.kind === 'enriched') {
      const q = deps.producer.produce(deps.enriched.topic, routed.key, deps.enriched.serializer.encode(routed.tick));
      if (q) await q;
      counts.out++;
    } else {
      const q = deps.producer.produce(deps.deadLetters.topic, routed.key, deps.deadLetters.serializer.encode(routed.letter));
      if (q) await q;
      counts.dead.set(routed.reason, (counts.dead.get(routed.reason) ?? 0) + 1);
    }
  }
}
