import { KeyBuffers, LATENCY_SAMPLE_EVERY, SlabEncoder, type AvroSerializer, type DeadLetter, type KafkaProducer, type Logger, type RawTick, type Transactions } from '@stockstream/common';
import { pace, startPacing, type PacingMode } from '../replay/pacing.js';
import { rawFramedWriter } from '../source/avro-writer.js';
import type { IngestMetrics } from '../metrics.js';
import type { SourceItem } from '../source/csv-file-source.js';
import type { EncodedBatch, RejectedItem } from '../source/encoded-batches.js';
import type { IngestSource } from '../sources.js';
import { deadLetterKey, rejectedRowToDeadLetter } from './dead-letter.js';
import { encodeProgress } from './progress.js';
import { TransactionAbortedError, TransactionWindow } from './transaction-window.js';

export interface PublishTargets {
  rawTopic: string;
  dlqTopic: string;
  raw: AvroSerializer<RawTick>;
  deadLetter: AvroSerializer<DeadLetter>;
}

export interface PublishSummary {
  read: number;
  published: number;
  deadLettered: number;
  deadLetteredByReason: Record<string, number>;
  failed: number;
  bytes: number;
  seconds: number;
  recordsPerSecond: number;
  stoppedEarly: boolean;
}

/** What publish() takes: items one by one, or in batches (cheaper: one await per batch instead of per item). */
export type SourceEntry = SourceItem | readonly SourceItem[];

/**
 * Items published between two yields to the event loop. Without yielding, a
 * synchronous stretch of produce() calls would starve timers, signals and the
 * reports of failed deliveries. About one turn per hundred messages costs
 * next to nothing per message.
 */
export const YIELD_EVERY = 100;
/** Rows read are added to the metrics in bulk at this interval (and at the end), so /metrics lags by at most this much. */
export const METRICS_FLUSH_MS = 250;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Publishes source items: ticks to the raw topic keyed by index symbol (so each
 * index keeps its order within one partition), unreadable rows to the DLQ, in
 * Kafka transactions committed every `window.intervalMs` (see
 * transaction-window.ts). Counts as published only what committed. Stops
 * taking items when `signal` aborts, then commits, so everything handed to
 * the producer is delivered; a failed delivery aborts the open transaction and
 * makes it throw, with the summary of what committed before.
 *
 * The hot path is synchronous per item: no callback per message (the producer
 * reports failures only), rows read reach the metrics in bulk every
 * METRICS_FLUSH_MS, and the loop yields to the event loop every YIELD_EVERY
 * items, committing when the transaction is due. When `items` is an
 * IngestSource (itemsFor) and no pacing is asked for, it is read and encoded
 * on a worker thread, so that this thread only produces; ingestedAt is then
 * the time the worker handed the record's batch over, at most a few batches
 * of records (source/encoded-batches.ts, WINDOW) before the produce.
 */
export async function publish(
  items: AsyncIterable<SourceEntry> | Iterable<SourceEntry>,
  opts: {
    producer: KafkaProducer;
    transactions: Transactions;
    commitIntervalMs: number;
    targets: PublishTargets;
    pacing: PacingMode;
    metrics: IngestMetrics;
    logger: Logger;
    signal: AbortSignal;
    now?: () => number;
    /** --resume: each transaction also writes the source's position (items already skipped + taken) under `key`. */
    progress?: { topic: string; key: string; skipped: number };
  },
): Promise<PublishSummary> {
  const { producer, targets, metrics, signal } = opts;
  const { rawTopic, dlqTopic } = targets;
  const now = opts.now ?? Date.now;
  const s: PublishSummary = { read: 0, published: 0, deadLettered: 0, deadLetteredByReason: {}, failed: 0, bytes: 0, seconds: 0, recordsPerSecond: 0, stoppedEarly: false };
  let firstError: { message: string } | null = null;
  const started = performance.now();

  let unreportedRead = 0;
  const reportRead = () => {
    if (unreportedRead > 0) metrics.recordsRead.inc(unreportedRead);
    unreportedRead = 0;
  };
  const metricsTimer = setInterval(reportRead, METRICS_FLUSH_MS);
  metricsTimer.unref();

  const window = new TransactionWindow(opts.transactions, opts.commitIntervalMs, (t, committedAt, commitSeconds) => {
    metrics.transactionsCommitted.inc();
    metrics.transactionCommitSeconds.observe(commitSeconds);
    s.published += t.published;
    s.deadLettered += t.deadLettered;
    s.bytes += t.bytes;
    for (const [reason, n] of Object.entries(t.deadLetteredByReason)) {
      s.deadLetteredByReason[reason] = (s.deadLetteredByReason[reason] ?? 0) + n;
      metrics.deadLettered.inc({ reason }, n);
    }
    if (t.published > 0) metrics.recordsPublished.inc(t.published);
    if (t.bytes > 0) metrics.bytesPublished.inc(t.bytes);
    for (const at of t.producedAt) metrics.produceLatency.observe((committedAt - at) / 1000);
  });
  window.onAborted = () => metrics.transactionsAborted.inc();
  const progress = opts.progress;
  if (progress) {
    // Every item taken is produced at once (a raw record or a dead letter), so the items in Kafka are those counted here.
    window.beforeCommit = (t) =>
      producer.produce(progress.topic, progress.key, encodeProgress({ items: progress.skipped + s.published + s.deadLettered + t.published + t.deadLettered }, now()));
  }

  // Only failed deliveries are reported (the commit proves the rest).
  producer.setDeliveryHandler((err) => {
    if (!err) return;
    s.failed++;
    metrics.deliveryFailures.inc();
    if (!firstError) {
      firstError = err;
      opts.logger.error({ err: err.message }, 'delivery failed: stopping');
    }
  });

  let untilSample = 1;
  const produceRaw = (key: Buffer, value: Uint8Array): void | Promise<void> => {
    const tally = window.current;
    tally.published++;
    tally.bytes += value.length;
    if (--untilSample === 0) {
      untilSample = LATENCY_SAMPLE_EVERY;
      tally.producedAt.push(performance.now());
    }
    return producer.produce(rawTopic, key, value);
  };
  const produceDeadLetter = (item: RejectedItem): void | Promise<void> => {
    const value = targets.deadLetter.encode(rejectedRowToDeadLetter(item, now()));
    const tally = window.current;
    tally.deadLettered++;
    tally.deadLetteredByReason[item.reason] = (tally.deadLetteredByReason[item.reason] ?? 0) + 1;
    tally.bytes += value.length;
    return producer.produce(dlqTopic, deadLetterKey(item), value);
  };
  /** Every YIELD_EVERY items: a turn of the event loop, and the commit when it is due. */
  let untilYield = YIELD_EVERY;
  const pause = async (): Promise<void> => {
    untilYield = YIELD_EVERY;
    await nextTurn();
    if (window.dueAt(performance.now()) && !firstError) await window.commit();
  };
  /** Counts the next item as read, or says to stop taking items. */
  const take = (): boolean => {
    if (signal.aborted || firstError) {
      s.stoppedEarly = true;
      return false;
    }
    s.read++;
    unreportedRead++;
    return true;
  };

  /** Items produced as they come, each paced first if asked, encoded here. */
  const publishItems = async (source: AsyncIterable<SourceEntry> | Iterable<SourceEntry>): Promise<void> => {
    let pacing = startPacing(opts.pacing);
    const paced = opts.pacing.kind !== 'max';
    const rawEncoder = new SlabEncoder(targets.raw, rawFramedWriter(targets.raw.type, targets.raw.schemaId));
    const keys = new KeyBuffers();
    for await (const entry of source) {
      const batch: readonly SourceItem[] = Array.isArray(entry) ? entry : [entry as SourceItem];
      for (let i = 0; i < batch.length; i++) {
        if (!take()) return;
        const item = batch[i]!;
        if (paced && item.kind === 'tick') {
          const d = pace(pacing, item.tick.date, performance.now() - started);
          pacing = d.state;
          if (d.waitMs > 0) {
            // What is produced becomes visible before a wait that would pass the commit's due time.
            if (window.dueAt(performance.now() + d.waitMs)) await window.commit();
            await sleep(d.waitMs, signal);
          }
        }
        if (!window.isOpen) await window.open();
        let queued: void | Promise<void>;
        if (item.kind === 'tick') {
          item.tick.ingestedAt = now();
          queued = produceRaw(keys.get(item.tick.index), rawEncoder.encode(item.tick));
        } else {
          queued = produceDeadLetter(item);
        }
        if (queued) await queued;
        if (--untilYield === 0) await pause();
      }
    }
  };

  /** What publishEncoded() and produceSpan() share: the key table so far, and the next rejected row of the batch in hand. */
  const keys: Buffer[] = [];
  let nextRejected = 0;
  /** Set by produceSpan() when a produce must wait for room in the client's queue. */
  let mustWait: Promise<void> | undefined;
  /**
   * Produces `batch`'s items from `from` on until the batch ends, a pause is
   * due, a produce must wait (mustWait) or taking stops; returns where it
   * stopped, -1 when taking stopped. Synchronous and small on purpose: the
   * hot loop of a replay is optimized soon and cheaply, where the same loop
   * inside the async function below was compiled three times (on-stack
   * replacement, ~110 ms of compiler time) during the first second of a run.
   */
  const produceSpan = (batch: EncodedBatch, from: number): number => {
    const { bytes, ends, rejected } = batch;
    for (let i = from; i < batch.count; ) {
      if (!take()) return -1;
      let queued: void | Promise<void>;
      if (rejected[nextRejected]?.at === i) {
        queued = produceDeadLetter(rejected[nextRejected++]!.item);
      } else {
        // A view, not a Buffer: subarray is a V8 builtin, fast from the first call, where Buffer.from runs
        // JavaScript that is still unoptimized during most of a short replay.
        queued = produceRaw(keys[batch.keys[i]!]!, bytes.subarray(i === 0 ? 0 : ends[i - 1]!, ends[i]!));
      }
      i++;
      if (queued) mustWait = queued;
      if (queued || --untilYield === 0) return i;
    }
    return batch.count;
  };

  /** Batches read and encoded on a worker thread (see source/encoded-batches.ts), produced as they are. */
  const publishEncoded = async (batches: AsyncIterable<EncodedBatch>): Promise<void> => {
    for await (const batch of batches) {
      for (const key of batch.newKeys) keys.push(Buffer.from(key, 'utf8'));
      nextRejected = 0;
      await window.open();
      for (let at = 0; at < batch.count; ) {
        at = produceSpan(batch, at);
        if (at < 0) return;
        if (mustWait) {
          const wait = mustWait;
          mustWait = undefined;
          await wait;
          if (--untilYield > 0) continue;
        }
        if (untilYield === 0) {
          await pause();
          await window.open();
        }
      }
    }
  };

  /** The end of a run: what the open transaction holds commits, unless a delivery failed (then it is aborted). */
  const finish = async (): Promise<void> => {
    if (!firstError) return window.commit();
    const lost = await window.abort();
    s.failed = Math.max(s.failed, 1);
    opts.logger.error({ records: lost.published, deadLetters: lost.deadLettered }, 'transaction aborted after a failed delivery: its records are not published');
  };

  try {
    try {
      // At full speed, reading and encoding run on a worker thread next to this one; paced, here.
      const source = items as Partial<IngestSource>;
      if (opts.pacing.kind === 'max' && opts.now === undefined && typeof source.encodedInWorker === 'function') {
        await publishEncoded(source.encodedInWorker(targets.raw));
      } else {
        await publishItems(items);
      }
    } catch (err) {
      // The source failed: what was handed to the producer is still committed before the error goes up.
      if (!(err instanceof TransactionAbortedError)) {
        await finish().catch((commitErr: unknown) => opts.logger.error({ err: (commitErr as Error).message }, 'could not commit after the source failed'));
      }
      throw err;
    }
    await finish();
  } catch (err) {
    throw Object.assign(err as Error, { summary: s });
  } finally {
    producer.setDeliveryHandler(undefined);
    clearInterval(metricsTimer);
    reportRead();
  }
  s.seconds = (performance.now() - started) / 1000;
  s.recordsPerSecond = s.seconds > 0 ? Math.round((s.published + s.deadLettered) / s.seconds) : 0;
  if (firstError) throw Object.assign(new Error(`${s.failed} messages were not acknowledged: ${(firstError as { message: string }).message}`), { summary: s });
  return s;
}
