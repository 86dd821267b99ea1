// The consume-transform-produce loop. Each batch of raw records becomes one
// Kafka transaction holding its outputs (enriched or dead letters) and the
// consumed offsets, so a batch is either entirely visible downstream with its
// offsets committed, or not at all.
import {
  DecodeError, KeyBuffers, LATENCY_SAMPLE_EVERY, SlabEncoder, nextBackoffMs, withRetry, classifyTxnError, type AvroSerializer, type FastPathReader, type DeadLetter, type EnrichedTick,
  type GroupConsumer, type Health, type KafkaProducer, type Logger, type MessageBatch, type RawTick, type TopicPartitionOffset, type TransactionalSession,
} from '@stockstream/common';
import type { EnrichmentContext } from '../enrich/enrich-tick.js';
import type { EnrichmentMetrics } from '../metrics.js';
import { latestCalendarDay } from '../validation/epoch-day.js';
import { routeRecord } from './route-record.js';

export interface ProcessorDeps {
  consumer: GroupConsumer;
  /**
   * Exactly-once: a transactional session (its producer is replaced after a
   * fatal error, within its budget). At-least-once: a plain producer; offsets
   * are committed after the flush.
   */
  output: { session: TransactionalSession } | { producer: KafkaProducer };
  /** Reads raw-topic values where they lie in their batch (decode/raw-tick-reader.ts). */
  rawReader: Pick<FastPathReader<RawTick>, 'readAt'>;
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

/** Offsets to commit: one past the last record of each partition in the batch (in order of first appearance). */
export function nextOffsets(batch: MessageBatch): TopicPartitionOffset[] {
  // By topic, then partition: no key string built per message.
  const next = new Map<string, Map<number, TopicPartitionOffset>>();
  const out: TopicPartitionOffset[] = [];
  for (let i = 0; i < batch.length; i++) {
    const topic = batch.topic(i);
    const partition = batch.partition(i);
    const offset = batch.offset(i);
    let byPartition = next.get(topic);
    if (byPartition === undefined) next.set(topic, (byPartition = new Map()));
    const cur = byPartition.get(partition);
    if (cur === undefined) {
      const tpo = { topic, partition, offset: offset + 1 };
      byPartition.set(partition, tpo);
      out.push(tpo);
    } else if (offset + 1 > cur.offset) {
      cur.offset = offset + 1;
    }
  }
  return out;
}

/** A consumed batch, transformed: what to produce for it, ready for its transaction. */
interface Prepared {
  /** Assignment generation when the fetch started. */
  generation: number;
  messages: MessageBatch;
  outputs: { topic: string; key: Buffer; value: Buffer }[];
  out: number;
  dead: Map<string, number>;
  /** ingestedAt (epoch ms) of every LATENCY_SAMPLE_EVERY-th record, for the latency histogram once committed. */
  sampledIngestedAt: number[];
}

type Ahead = { ok: true; batch: Prepared } | { ok: false; err: unknown };

class RebalancedError extends Error {
  override name = 'RebalancedError';
}

/**
 * The loop is pipelined one batch deep: while batch N's offsets and commit
 * travel to the broker, batch N+1 is fetched (on the client's worker thread)
 * and transformed (on this one), so neither waits for the other. Batch N+1 is
 * only produced once N is committed, in its own transaction. A batch is used
 * only if no rebalance happened since its fetch started: the assignment (done
 * on this thread, in the rebalance event) resets positions to the committed
 * offsets, and a batch fetched before that would be processed twice.
 */
export async function runProcessor(deps: ProcessorDeps, signal: AbortSignal): Promise<void> {
  const { consumer, metrics, logger } = deps;
  const session = 'session' in deps.output ? deps.output.session : null;
  let producer = session ? session.producer : (deps.output as { producer: KafkaProducer }).producer;
  let txn = session ? session.transactions : null;
  let backoffMs = 0;
  // Failed deliveries of the current batch. In a transaction the commit fails anyway; at-least-once must not
  // commit offsets past a message that never landed.
  const delivery: { failed: { message: string } | null } = { failed: null };
  const onDelivery = (err: { message: string } | null) => {
    if (err) delivery.failed ??= err;
  };
  producer.setDeliveryHandler(onDelivery);
  /** Set by a fatal producer error the session may recover from: the next round replaces the producer first. */
  let renewing = false;
  /** A fatal producer error: the producer is replaced when the session's budget allows it, else the service ends. */
  const onFatal = (what: string, err: unknown) => {
    const message = (err as Error).message;
    if (!session?.mayRenew()) throw new FencedError(`${what}: ${message}`);
    deps.health.set('pipeline', false, message);
    logger.warn({ err: message }, `${what}: replacing the producer`);
    renewing = true;
  };
  const encoding: Encoding = { enriched: new SlabEncoder(deps.enriched.serializer), deadLetters: new SlabEncoder(deps.deadLetters.serializer), keys: new KeyBuffers() };
  const fetchAndPrepare = (): Promise<Ahead> => {
    const generation = consumer.generation;
    return consumer
      .consumeBatch(deps.batchMax, 200)
      .then((messages) => prepareBatch(deps, encoding, generation, messages))
      .then((batch) => ({ ok: true as const, batch }), (err: unknown) => ({ ok: false as const, err }));
  };
  let ahead: Promise<Ahead> | null = null;
  /** Drops the batch read ahead: nothing of it is committed, it is read again after a rewind. */
  const dropAhead = async () => {
    const pending = ahead;
    ahead = null;
    await pending;
  };
  /**
   * librdkafka's transactional calls are resumable: one that fails with a
   * retriable error (a timeout, the coordinator away) must be called again.
   * Anything else in between fails ("Conflicting commit_transaction API call
   * is already in progress"), so aborting after a timed-out commit would spin.
   */
  const resumable = <T>(call: string, fn: () => Promise<T>): Promise<T> =>
    withRetry(fn, {
      timeoutMs: Number.POSITIVE_INFINITY, initialDelayMs: 100, maxDelayMs: 2000, signal,
      retryable: (err) => classifyTxnError(err) === 'retriable',
      onRetry: (err, attempt) => {
        deps.health.set('pipeline', false, (err as Error).message);
        logger.warn({ err: (err as Error).message, call, attempt }, 'transactional call failed retriably: calling it again');
      },
    });
  const rewind = () => {
    step.at('rewind');
    return consumer.rewindToCommitted().catch((e: Error) => logger.warn({ err: e.message }, 'rewind failed'));
  };
  // Every wait below is bounded by the client's own timeouts; should one still never return, the log says which.
  const step = new StepWatch(logger);

  try {
    while (!signal.aborted) {
      if (backoffMs > 0) {
        step.at('backoff');
        await new Promise((r) => setTimeout(r, backoffMs));
      }
      if (renewing && session) {
        step.at('renew producer');
        try {
          await session.renew();
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'replacing the producer failed; retrying after backoff');
          backoffMs = nextBackoffMs(backoffMs);
          continue;
        }
        producer = session.producer;
        txn = session.transactions;
        producer.setDeliveryHandler(onDelivery);
        renewing = false;
        metrics.producerRenewals.inc();
        logger.warn('producer replaced after a fatal error; resuming from the committed offsets');
        await rewind();
      }
      step.at('consume');
      const next = await (ahead ?? fetchAndPrepare());
      ahead = null;
      if (!next.ok) {
        // Not a bad record (those are dead-lettered) but e.g. the registry down: retry after backoff.
        logger.warn({ err: (next.err as Error).message }, 'batch could not be transformed; rewinding');
        deps.health.set('pipeline', false, (next.err as Error).message);
        await rewind();
        backoffMs = nextBackoffMs(backoffMs);
        continue;
      }
      const batch = next.batch;
      if (batch.messages.length === 0) continue;
      if (batch.generation !== consumer.generation) {
        await rewind(); // fetched across a rebalance: read again from the committed offsets
        continue;
      }
      const started = performance.now();
      try {
        delivery.failed = null;
        step.at('begin transaction');
        if (txn) await txn.begin();
        step.at('produce');
        for (const o of batch.outputs) {
          const q = producer.produce(o.topic, o.key, o.value);
          if (q) await q;
        }
        if (batch.generation !== consumer.generation) throw new RebalancedError('partitions were reassigned during the batch');
        const offsets = nextOffsets(batch.messages);
        const t = txn; // this batch's transactions, even if the producer is replaced meanwhile
        const committed = t
          ? resumable('send offsets', () => t.sendOffsets(offsets, consumer)).then(() => resumable('commit', () => t.commit()))
          : producer.flush(60_000).then(() => {
              const failed = delivery.failed as { message: string } | null; // set by the handler meanwhile
              if (failed) throw new Error(`a record of the batch was not delivered: ${failed.message}`);
              consumer.commitSync(offsets);
            });
        // Fetch and transform the next batch while this one commits.
        ahead = signal.aborted ? null : fetchAndPrepare();
        step.at(txn ? 'send offsets and commit' : 'flush and commit');
        await committed;
        metrics.transactionSeconds.observe((performance.now() - started) / 1000);
        const visibleAt = Date.now();
        for (const at of batch.sampledIngestedAt) metrics.latency.observe((visibleAt - at) / 1000);
        metrics.recordsIn.inc(batch.messages.length);
        metrics.recordsOut.inc(batch.out);
        for (const [reason, n] of batch.dead) metrics.deadLettered.inc({ reason }, n);
        deps.health.set('pipeline', true);
        backoffMs = 0;
      } catch (err) {
        const kind = err instanceof RebalancedError ? 'abortable' : classifyTxnError(err);
        logger.warn({ err: (err as Error).message, kind, batch: batch.messages.length }, 'batch failed: aborting and rewinding');
        step.at('drop read-ahead');
        await dropAhead();
        if (kind === 'fatal') {
          onFatal('producer fenced or fatal error', err);
          backoffMs = nextBackoffMs(backoffMs);
          continue;
        }
        if (!(err instanceof RebalancedError)) deps.health.set('pipeline', false, (err as Error).message);
        metrics.transactionsAborted.inc();
        if (txn) {
          try {
            step.at('abort');
            await resumable('abort', () => txn!.abort());
          } catch (abortErr) {
            if (classifyTxnError(abortErr) === 'fatal') onFatal('abort failed fatally', abortErr);
            else logger.warn({ err: (abortErr as Error).message }, 'abort failed; retrying the batch after backoff');
          }
        }
        // The position is past the failed batch (and the one read ahead): go back to what is committed.
        await rewind();
        if (!(err instanceof RebalancedError)) backoffMs = nextBackoffMs(backoffMs);
      }
    }
  } finally {
    step.at('drop read-ahead');
    await dropAhead();
    step.stop();
  }
}

/** Remembers the step the loop waits on; logs an error while one step lasts over `stuckMs`. */
class StepWatch {
  private step = 'start';
  private since = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(logger: Logger, stuckMs = 60_000) {
    this.timer = setInterval(() => {
      const waited = performance.now() - this.since;
      if (waited > stuckMs) logger.error({ step: this.step, waitedSeconds: Math.round(waited / 1000) }, 'pipeline stuck: one step has not returned');
    }, 15_000);
    this.timer.unref();
  }

  at(step: string): void {
    this.step = step;
    this.since = performance.now();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Outputs are encoded into shared slabs and keyed by cached Buffers: no fresh buffers per record. */
interface Encoding {
  enriched: SlabEncoder<EnrichedTick>;
  deadLetters: SlabEncoder<DeadLetter>;
  keys: KeyBuffers;
}

/** Decodes, validates and enriches a batch and encodes its outputs; produces nothing. */
async function prepareBatch(deps: ProcessorDeps, encoding: Encoding, generation: number, messages: MessageBatch): Promise<Prepared> {
  const batch: Prepared = { generation, messages, outputs: [], out: 0, dead: new Map(), sampledIngestedAt: [] };
  if (messages.length === 0) return batch;
  const now = Date.now();
  const ctx: EnrichmentContext = { ...deps.context(), today: latestCalendarDay(now), now };
  const data = messages.data;
  for (let i = 0; i < messages.length; i++) {
    const coords = { topic: messages.topic(i), partition: messages.partition(i), offset: messages.offset(i) };
    const start = messages.valueStart(i);
    const end = messages.valueEnd(i);
    let decoded: Parameters<typeof routeRecord>[0];
    try {
      const v = deps.rawReader.readAt(data, start, end);
      decoded = { ok: true, raw: v instanceof Promise ? await v : v };
    } catch (err) {
      // A message that can never be decoded is poison: dead-letter it. Anything else (registry down) fails the batch.
      if (!(err instanceof DecodeError)) throw err;
      decoded = { ok: false, bytes: start < 0 ? Buffer.alloc(0) : data.subarray(start, end), reason: err.reason, message: err.message };
    }
    if (decoded.ok && (i & (LATENCY_SAMPLE_EVERY - 1)) === 0) batch.sampledIngestedAt.push(decoded.raw.ingestedAt);
    const routed = routeRecord(decoded, coords, ctx);
    if (routed.kind === 'enriched') {
      batch.outputs.push({ topic: deps.enriched.topic, key: encoding.keys.get(routed.key), value: encoding.enriched.encode(routed.tick) });
      batch.out++;
    } else {
      batch.outputs.push({ topic: deps.deadLetters.topic, key: Buffer.from(routed.key), value: encoding.deadLetters.encode(routed.letter) });
      batch.dead.set(routed.reason, (batch.dead.get(routed.reason) ?? 0) + 1);
    }
  }
  return batch;
}
