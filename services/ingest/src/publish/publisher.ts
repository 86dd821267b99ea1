import { KeyBuffers, SlabEncoder, type AvroSerializer, type DeadLetter, type DeliveryReport, type KafkaProducer, type Logger, type RawTick } from '@stockstream/common';
import { pace, startPacing, type PacingMode } from '../replay/pacing.js';
import { rawFramedWriter } from '../source/avro-writer.js';
import type { IngestMetrics } from '../metrics.js';
import type { SourceItem } from '../source/csv-file-source.js';
import type { EncodedBatch, RejectedItem } from '../source/encoded-batches.js';
import type { IngestSource } from '../sources.js';
import { deadLetterKey, rejectedRowToDeadLetter } from './dead-letter.js';

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
 * synchronous stretch of produce() calls would starve delivery reports (the
 * native client hands over at most 100 per event-loop turn), timers and
 * signals. About one turn per hundred messages keeps reports flowing as fast
 * as messages go out, at a negligible cost per message.
 */
export const YIELD_EVERY = 100;
/**
 * Messages handed to the producer and not yet acknowledged, at most. Above it
 * publishing waits for acknowledgements (down to RESUME_PENDING), so memory
 * stays bounded on endless runs (--loop, unbounded simulate) even when
 * delivery reports lag behind.
 */
export const MAX_PENDING = 50_000;
export const RESUME_PENDING = 25_000;
/**
 * The produce-latency histogram observes one raw record in this many. Timing a record needs a callback of its own, which costs
 * the native client a persistent handle per message; all other records are
 * counted by one shared delivery handler. 1 in 16 still gives thousands of
 * observations per second at full speed.
 */
export const LATENCY_SAMPLE_EVERY = 16;
/** Counters are added to the metrics in bulk at this interval (and at the end), so /metrics lags by at most this much. */
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
 * index keeps its order within one partition), unreadable rows to the DLQ.
 * Counts only what the broker acknowledged. Stops taking items when `signal`
 * aborts, then flushes, so everything handed to the producer is delivered.
 *
 * The hot path is synchronous per item: raw records are produced without a
 * callback of their own and counted by one delivery handler on the producer
 * (one in LATENCY_SAMPLE_EVERY carries a callback to time it); counters reach
 * the metrics in bulk every METRICS_FLUSH_MS; the loop yields to the event
 * loop every YIELD_EVERY items and waits while more than MAX_PENDING messages
 * are unacknowledged. Any delivery failure stops the run and makes it throw.
 * When `items` is an IngestSource (itemsFor) and no pacing is asked for, it
 * is read and encoded on a worker thread, so that this thread only produces;
 * ingestedAt is then the time of encoding, at most a few batches of records
 * (source/encoded-batches.ts, WINDOW) before the produce.
 */
export async function publish(
  items: AsyncIterable<SourceEntry> | Iterable<SourceEntry>,
  opts: { producer: KafkaProducer; targets: PublishTargets; pacing: PacingMode; metrics: IngestMetrics; logger: Logger; signal: AbortSignal; now?: () => number },
): Promise<PublishSummary> {
  const { producer, targets, metrics, signal } = opts;
  const { rawTopic, dlqTopic } = targets;
  const now = opts.now ?? Date.now;
  const s: PublishSummary = { read: 0, published: 0, deadLettered: 0, deadLetteredByReason: {}, failed: 0, bytes: 0, seconds: 0, recordsPerSecond: 0, stoppedEarly: false };
  let firstError: { message: string } | null = null;
  const started = performance.now();

  // Counts not yet added to the metrics.
  let unreportedRead = 0;
  let unreportedPublished = 0;
  let unreportedBytes = 0;
  const reportMetrics = () => {
    if (unreportedRead > 0) metrics.recordsRead.inc(unreportedRead);
    if (unreportedPublished > 0) metrics.recordsPublished.inc(unreportedPublished);
    if (unreportedBytes > 0) metrics.bytesPublished.inc(unreportedBytes);
    unreportedRead = unreportedPublished = unreportedBytes = 0;
  };
  const metricsTimer = setInterval(reportMetrics, METRICS_FLUSH_MS);
  metricsTimer.unref();

  // Publishing waits here while too many messages are unacknowledged.
  let waiting: (() => void) | null = null;
  const wake = () => {
    const resume = waiting;
    waiting = null;
    resume?.();
  };
  const wakeIfRoom = () => {
    if (waiting !== null && producer.pending <= RESUME_PENDING) wake();
  };
  signal.addEventListener('abort', wake);

  const onFailure = (err: { message: string }) => {
    s.failed++;
    metrics.deliveryFailures.inc();
    if (!firstError) {
      firstError = err;
      opts.logger.error({ err: err.message }, 'delivery failed: stopping');
    }
    wake();
  };
  const onRawAcked = (size: number) => {
    s.published++;
    s.bytes += size;
    unreportedPublished++;
    unreportedBytes += size;
    wakeIfRoom();
  };
  producer.setDeliveryHandler((err, report: DeliveryReport) => {
    if (err) return onFailure(err);
    if (report.topic === rawTopic) return onRawAcked(report.size);
    // Only raw records are produced without a callback; anything else is a bug, not data to lose quietly.
    onFailure(new Error(`delivery report for unexpected topic ${report.topic}`));
  });

  /** Queues a raw record; one in LATENCY_SAMPLE_EVERY gets a callback of its own that times it. */
  let untilSample = 0;
  const produceRaw = (key: Buffer, value: Buffer): void | Promise<void> => {
    if (--untilSample > 0) return producer.produce(rawTopic, key, value);
    untilSample = LATENCY_SAMPLE_EVERY;
    const t0 = performance.now();
    const size = value.length;
    return producer.produce(rawTopic, key, value, (err) => {
      if (err) return onFailure(err);
      metrics.produceLatency.observe((performance.now() - t0) / 1000);
      onRawAcked(size);
    });
  };
  const produceDeadLetter = (item: RejectedItem): void | Promise<void> => {
    const value = targets.deadLetter.encode(rejectedRowToDeadLetter(item, now()));
    const reason = item.reason;
    return producer.produce(dlqTopic, deadLetterKey(item), value, (err) => {
      if (err) return onFailure(err);
      s.deadLettered++;
      s.deadLetteredByReason[reason] = (s.deadLetteredByReason[reason] ?? 0) + 1;
      s.bytes += value.length;
      metrics.deadLettered.inc({ reason });
      metrics.bytesPublished.inc(value.length);
      wakeIfRoom();
    });
  };
  /** Every YIELD_EVERY items: a turn of the event loop, and room in the producer (or a reason to stop, seen by take()). */
  let untilYield = YIELD_EVERY;
  const pause = async (): Promise<void> => {
    untilYield = YIELD_EVERY;
    await nextTurn();
    while (producer.pending > MAX_PENDING && !signal.aborted && !firstError) {
      await new Promise<void>((resolve) => (waiting = resolve));
    }
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
        let queued: void | Promise<void>;
        if (item.kind === 'tick') {
          const tick = item.tick;
          if (paced) {
            const d = pace(pacing, tick.date, performance.now() - started);
            pacing = d.state;
            if (d.waitMs > 0) await sleep(d.waitMs, signal);
          }
          tick.ingestedAt = now();
          queued = produceRaw(keys.get(tick.index), rawEncoder.encode(tick));
        } else {
          queued = produceDeadLetter(item);
        }
        if (queued) await queued;
        if (--untilYield === 0) await pause();
      }
    }
  };

  /** Batches read and encoded on a worker thread (see source/encoded-batches.ts), produced as they are. */
  const publishEncoded = async (batches: AsyncIterable<EncodedBatch>): Promise<void> => {
    const keys: Buffer[] = [];
    for await (const batch of batches) {
      for (const key of batch.newKeys) keys.push(Buffer.from(key, 'utf8'));
      const { bytes, ends, rejected } = batch;
      let nextRejected = 0;
      for (let i = 0; i < batch.count; i++) {
        if (!take()) return;
        let queued: void | Promise<void>;
        if (rejected[nextRejected]?.at === i) {
          queued = produceDeadLetter(rejected[nextRejected++]!.item);
        } else {
          const start = i === 0 ? 0 : ends[i - 1]!;
          const value = Buffer.from(bytes.buffer, bytes.byteOffset + start, ends[i]! - start);
          queued = produceRaw(keys[batch.keys[i]!]!, value);
        }
        if (queued) await queued;
        if (--untilYield === 0) await pause();
      }
    }
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
      // The source failed: what was handed to the producer is still delivered before the error goes up.
      await producer.flush(60_000).catch(() => undefined);
      throw err;
    }
    await producer.flush(60_000);
  } finally {
    producer.setDeliveryHandler(undefined);
    signal.removeEventListener('abort', wake);
    clearInterval(metricsTimer);
    reportMetrics();
  }
  s.seconds = (performance.now() - started) / 1000;
  s.recordsPerSecond = s.seconds > 0 ? Math.round((s.published + s.deadLettered) / s.seconds) : 0;
  if (firstError) throw Object.assign(new Error(`${s.failed} messages were not acknowledged: ${(firstError as { message: string }).message}`), { summary: s });
  return s;
}
