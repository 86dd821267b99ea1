import type { AvroSerializer, DeadLetter, KafkaProducer, Logger, RawTick } from '@stockstream/common';
import { pace, startPacing, type PacingMode } from '../replay/pacing.js';
import type { IngestMetrics } from '../metrics.js';
import type { SourceItem } from '../source/csv-file-source.js';
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

/**
 * Publishes source items: ticks to the raw topic keyed by index symbol (so each
 * index keeps its order within one partition), unreadable rows to the DLQ.
 * Counts only what the broker acknowledged. Stops taking items when `signal`
 * aborts, then flushes, so everything handed to the producer is delivered.
 */
export async function publish(
  items: AsyncIterable<SourceItem> | Iterable<SourceItem>,
  opts: { producer: KafkaProducer; targets: PublishTargets; pacing: PacingMode; metrics: IngestMetrics; logger: Logger; signal: AbortSignal; now?: () => number },
): Promise<PublishSummary> {
  const { producer, targets, metrics, signal } = opts;
  const now = opts.now ?? Date.now;
  const s: PublishSummary = { read: 0, published: 0, deadLettered: 0, deadLetteredByReason: {}, failed: 0, bytes: 0, seconds: 0, recordsPerSecond: 0, stoppedEarly: false };
  let firstError: { message: string } | null = null;
  const started = performance.now();
  let pacing = startPacing(opts.pacing);
  const paced = opts.pacing.kind !== 'max';

  const onFailure = (err: { message: string }) => {
    s.failed++;
    metrics.deliveryFailures.inc();
    if (!firstError) {
      firstError = err;
      opts.logger.error({ err: err.message }, 'delivery failed: stopping');
    }
  };

  for await (const item of items) {
    if (signal.aborted || firstError) {
      s.stoppedEarly = true;
      break;
    }
    s.read++;
    metrics.recordsRead.inc();
    if (item.kind === 'tick') {
      const tick = item.tick;
      if (paced) {
        const d = pace(pacing, tick.date, performance.now() - started);
        pacing = d.state;
        if (d.waitMs > 0) await sleep(d.waitMs, signal);
      }
      tick.ingestedAt = now();
      const value = targets.raw.encode(tick);
      const t0 = performance.now();
      const queued = producer.produce(targets.rawTopic, tick.index, value, (err) => {
        if (err) return onFailure(err);
        s.published++;
        s.bytes += value.length;
        metrics.recordsPublished.inc();
        metrics.bytesPublished.inc(value.length);
        metrics.produceLatency.observe((performance.now() - t0) / 1000);
      });
      if (queued) await queued;
    } else {
      const dl = rejectedRowToDeadLetter(item, now());
      const value = targets.deadLetter.encode(dl);
      const reason = item.reason;
      const queued = producer.produce(targets.dlqTopic, deadLetterKey(item), value, (err) => {
        if (err) return onFailure(err);
        s.deadLettered++;
        s.deadLetteredByReason[reason] = (s.deadLetteredByReason[reason] ?? 0) + 1;
        s.bytes += value.length;
        metrics.deadLettered.inc({ reason });
        metrics.bytesPublished.inc(value.length);
      });
      if (queued) await queued;
    }
  }
  await producer.flush(60_000);
  s.seconds = (performance.now() - started) / 1000;
  s.recordsPerSecond = s.seconds > 0 ? Math.round((s.published + s.deadLettered) / s.seconds) : 0;
  if (firstError) throw Object.assign(new Error(`${s.failed} messages were not acknowledged: ${(firstError as { message: string }).message}`), { summary: s });
  return s;
}
