import { KeyBuffers, LATENCY_SAMPLE_EVERY, SlabEncoder, type AvroSerializer, type DeadLetter, type KafkaProducer, type Logger, type RawTick } from '@stockstream/common';
import { pace, startPacing, type PacingMode } from '../replay/pacing.js';
import { rawFramedWriter } from '../source/avro-writer.js';
import type { IngestMetrics } from '../metrics.js';
import type { SourceItem } from '../source/csv-file-source.js';
import type { EncodedBatch, RejectedItem } from '../source/encoded-batches.js';
import { deadLetterKey, rejectedRowToDeadLetter } from './dead-letter.js';
import {
  commitAtPause, commitBeforeWait, failureIn, mustWaitForRoom, settlement, stopCause, transition, YIELD_EVERY, type Ending, type PublishState,
} from './publish-machine.js';
import { encodeProgress } from './progress.js';
import { TransactionWindow, type TransactionCalls, type TransactionTally } from './transaction-window.js';

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

/** What an items source yields: items one by one, or in batches (cheaper: one await per batch instead of per item). */
export type SourceEntry = SourceItem | readonly SourceItem[];

/** What publish() reads; the caller chooses (sources.ts: by the command's pacing). */
export type PublishSource =
  /** Items read and encoded on this thread, each tick paced first if asked. */
  | { kind: 'items'; items: AsyncIterable<SourceEntry> | Iterable<SourceEntry>; pacing: PacingMode }
  /** Batches read and encoded on a worker thread (source/encoded-batches.ts), produced as they come: never paced. */
  | { kind: 'encoded'; batches: AsyncIterable<EncodedBatch> };

/** The producer calls publish() makes. */
export type PublishProducer = Pick<KafkaProducer, 'produce' | 'setDeliveryHandler'>;

export interface PublishOptions {
  producer: PublishProducer;
  transactions: TransactionCalls;
  commitIntervalMs: number;
  targets: PublishTargets;
  metrics: IngestMetrics;
  logger: Logger;
  signal: AbortSignal;
  /** Wall clock of ingestedAt (items path) and of dead letters' failedAt. Default Date.now. */
  now?: () => number;
  /** Monotonic clock (ms) of transactions, pacing and the rate. Default performance.now(). */
  clock?: () => number;
  /** Hears each change of state (tests, debugging). */
  onTransition?: (from: PublishState, to: PublishState) => void;
  /** --resume: each transaction also writes the source's position (items already skipped + taken) under `key` (progress.ts). */
  progress?: { topic: string; key: string; skipped: number };
}

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

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * Publishes a source: ticks to the raw topic keyed by index symbol (so each
 * index keeps its order within one partition), unreadable rows to the DLQ, in
 * Kafka transactions committed every `commitIntervalMs` (see
 * transaction-window.ts). Counts as published only what committed. Stops
 * taking items when `signal` aborts, then commits, so everything handed to
 * the producer is delivered; a failed delivery aborts the open transaction and
 * makes it throw, with the summary of what committed before. The rules are
 * publish-machine.ts's; this carries them out.
 *
 * The hot path is synchronous per item: no callback per message (the producer
 * reports failures only), rows read reach the metrics in bulk every
 * METRICS_FLUSH_MS, and the loop pauses every YIELD_EVERY items, committing
 * when the transaction is due. An 'encoded' source is read and encoded on a
 * worker thread, so that this thread only produces; ingestedAt is then the
 * time the worker handed the record's batch over, at most a few batches of
 * records (source/encoded-batches.ts, WINDOW) before the produce.
 */
export async function publish(source: PublishSource, opts: PublishOptions): Promise<PublishSummary> {
  const run = new PublishRun(opts);
  try {
    let ending: Ending;
    try {
      ending = source.kind === 'encoded' ? await produceEncoded(run, source.batches) : await produceItems(run, source.items, source.pacing);
    } catch (error) {
      ending = { kind: failureIn(run.state), error };
    }
    const error = await run.settle(ending);
    if (error !== null) throw Object.assign(error, { summary: run.summary });
  } finally {
    run.close();
  }
  return run.finished();
}

/** The loop of an 'encoded' source: spans of each batch produced synchronously, between them the waits the machine asks for. */
function produceEncoded(run: PublishRun, batches: AsyncIterable<EncodedBatch>): Promise<Ending> {
  return run.readEach(batches, async (batch) => {
    run.startBatch(batch);
    for (let at = 0; at < batch.count; ) {
      if (!run.window.isOpen) await run.begin();
      at = run.produceSpan(batch, at);
      if (at < 0) return run.stopped();
      const wait = run.mustWait;
      if (wait !== undefined) {
        run.mustWait = undefined;
        await run.waitForRoom(wait);
      }
      if (run.untilYield === 0) await run.pause();
    }
    return undefined;
  });
}

/** The loop of an 'items' source: each item paced if asked, encoded and produced here. */
function produceItems(run: PublishRun, items: AsyncIterable<SourceEntry> | Iterable<SourceEntry>, pacingMode: PacingMode): Promise<Ending> {
  let pacing = startPacing(pacingMode);
  const paced = pacingMode.kind !== 'max';
  const raw = run.targets.raw;
  const rawEncoder = new SlabEncoder(raw, rawFramedWriter(raw.type, raw.schemaId));
  const keys = new KeyBuffers();
  return run.readEach(items, async (entry) => {
    const batch: readonly SourceItem[] = Array.isArray(entry) ? entry : [entry as SourceItem];
    for (let i = 0; i < batch.length; i++) {
      if (!run.take()) return run.stopped();
      const item = batch[i]!;
      if (paced && item.kind === 'tick') {
        const d = pace(pacing, item.tick.date, run.clock() - run.started);
        pacing = d.state;
        if (d.waitMs > 0) await run.paceFor(d.waitMs);
      }
      if (!run.window.isOpen) await run.begin();
      let queued: void | Promise<void>;
      if (item.kind === 'tick') {
        item.tick.ingestedAt = run.now();
        queued = run.produceRaw(keys.get(item.tick.index), rawEncoder.encode(item.tick));
      } else {
        queued = run.produceDeadLetter(item);
      }
      if (mustWaitForRoom(queued)) await run.waitForRoom(queued);
      if (--run.untilYield === 0) await run.pause();
    }
    return undefined;
  });
}

/**
 * One run of publish(): the machine's state, the data its decisions read
 * (the open transaction, counters, the first failed delivery) and the effects
 * that carry them out. Both loops share it.
 */
class PublishRun {
  state: PublishState = 'reading';
  readonly summary: PublishSummary = { read: 0, published: 0, deadLettered: 0, deadLetteredByReason: {}, failed: 0, bytes: 0, seconds: 0, recordsPerSecond: 0, stoppedEarly: false };
  readonly window: TransactionWindow;
  readonly targets: PublishTargets;
  readonly now: () => number;
  readonly clock: () => number;
  readonly started: number;
  /** Items until the next pause. */
  untilYield = YIELD_EVERY;
  /** Encoded path: the produce of the last span waiting for room in the client's queue. */
  mustWait: Promise<void> | undefined = undefined;

  private readonly producer: PublishProducer;
  private readonly rawTopic: string;
  private readonly dlqTopic: string;
  private readonly signal: AbortSignal;
  private readonly logger: Logger;
  private readonly metrics: IngestMetrics;
  private readonly onTransition: ((from: PublishState, to: PublishState) => void) | undefined;
  /** The first failed delivery: the open transaction cannot commit. */
  private deliveryFailure: { message: string } | null = null;
  private untilSample = 1;
  private unreportedRead = 0;
  private readonly metricsTimer: NodeJS.Timeout;
  /** Encoded path: the key table so far (every batch's newKeys), and the next rejected row of the batch in hand. */
  private readonly keys: Buffer[] = [];
  private nextRejected = 0;

  constructor(opts: PublishOptions) {
    this.producer = opts.producer;
    this.targets = opts.targets;
    this.rawTopic = opts.targets.rawTopic;
    this.dlqTopic = opts.targets.dlqTopic;
    this.signal = opts.signal;
    this.logger = opts.logger;
    this.metrics = opts.metrics;
    this.onTransition = opts.onTransition;
    this.now = opts.now ?? Date.now;
    this.clock = opts.clock ?? (() => performance.now());
    this.window = new TransactionWindow(opts.transactions, opts.commitIntervalMs, (t, committedAt, commitSeconds) => this.committed(t, committedAt, commitSeconds), undefined, this.clock);
    this.window.onAborted = () => this.metrics.transactionsAborted.inc();
    const progress = opts.progress;
    if (progress) {
      // Every item taken is produced at once (a raw record or a dead letter), so the items in Kafka are those counted here.
      const s = this.summary;
      this.window.beforeCommit = (t) =>
        this.producer.produce(progress.topic, progress.key, encodeProgress({ items: progress.skipped + s.published + s.deadLettered + t.published + t.deadLettered }, this.now()));
    }
    this.started = this.clock();
    this.metricsTimer = setInterval(() => this.reportRead(), METRICS_FLUSH_MS);
    this.metricsTimer.unref();
    // Only failed deliveries are reported (the commit proves the rest).
    this.producer.setDeliveryHandler((err) => {
      if (!err) return;
      this.summary.failed++;
      this.metrics.deliveryFailures.inc();
      if (this.deliveryFailure === null) {
        this.deliveryFailure = err;
        this.logger.error({ err: err.message }, 'delivery failed: stopping');
      }
    });
  }

  to(next: PublishState): void {
    const from = this.state;
    this.state = transition(from, next);
    this.onTransition?.(from, next);
  }

  /** Counts the next item as read, or says to stop taking items (signal, failed delivery). */
  take(): boolean {
    if (this.signal.aborted || this.deliveryFailure !== null) {
      this.summary.stoppedEarly = true;
      return false;
    }
    this.summary.read++;
    this.unreportedRead++;
    return true;
  }

  /** How the run ends when take() said stop. */
  stopped(): Ending {
    return { kind: stopCause(this.deliveryFailure !== null) };
  }

  produceRaw(key: Buffer, value: Uint8Array): void | Promise<void> {
    const tally = this.window.current;
    tally.published++;
    tally.bytes += value.length;
    if (--this.untilSample === 0) {
      this.untilSample = LATENCY_SAMPLE_EVERY;
      tally.producedAt.push(this.clock());
    }
    return this.producer.produce(this.rawTopic, key, value);
  }

  produceDeadLetter(item: RejectedItem): void | Promise<void> {
    const value = this.targets.deadLetter.encode(rejectedRowToDeadLetter(item, this.now()));
    const tally = this.window.current;
    tally.deadLettered++;
    tally.deadLetteredByReason[item.reason] = (tally.deadLetteredByReason[item.reason] ?? 0) + 1;
    tally.bytes += value.length;
    return this.producer.produce(this.dlqTopic, deadLetterKey(item), value);
  }

  /** Encoded path: a new batch adds its keys to the table. */
  startBatch(batch: EncodedBatch): void {
    for (const key of batch.newKeys) this.keys.push(Buffer.from(key, 'utf8'));
    this.nextRejected = 0;
  }

  /**
   * Produces `batch`'s items from `from` on until the batch ends, a pause is
   * due, a produce must wait for room (mustWait) or taking stops; returns
   * where it stopped, -1 when taking stopped. Synchronous and small on
   * purpose: the hot loop of a replay is optimized soon and cheaply, where the
   * same loop inside an async function was compiled three times (on-stack
   * replacement, ~110 ms of compiler time) during the first second of a run.
   */
  produceSpan(batch: EncodedBatch, from: number): number {
    const { bytes, ends, rejected } = batch;
    for (let i = from; i < batch.count; ) {
      if (!this.take()) return -1;
      let queued: void | Promise<void>;
      if (rejected[this.nextRejected]?.at === i) {
        queued = this.produceDeadLetter(rejected[this.nextRejected++]!.item);
      } else {
        // A view, not a Buffer: subarray is a V8 builtin, fast from the first call, where Buffer.from runs
        // JavaScript that is still unoptimized during most of a short replay.
        queued = this.produceRaw(this.keys[batch.keys[i]!]!, bytes.subarray(i === 0 ? 0 : ends[i - 1]!, ends[i]!));
      }
      i++;
      if (mustWaitForRoom(queued)) {
        this.mustWait = queued;
        this.untilYield--;
        return i;
      }
      if (--this.untilYield === 0) return i;
    }
    return batch.count;
  }

  /** Begins a transaction (the loops call it when none is open, before the next item). */
  async begin(): Promise<void> {
    this.to('beginning');
    await this.window.open();
    this.to('producing');
  }

  async waitForRoom(queued: Promise<void>): Promise<void> {
    this.to('backPressured');
    await queued;
    this.to('producing');
  }

  /** Every YIELD_EVERY items: a turn of the event loop, and the commit when it is due. */
  async pause(): Promise<void> {
    this.untilYield = YIELD_EVERY;
    await nextTurn();
    if (commitAtPause(this.window, this.clock(), this.deliveryFailure !== null)) await this.commit('producing');
  }

  /** A paced tick due in `waitMs`: sleeps (a stop cuts it short), committing first if the transaction comes due meanwhile. */
  async paceFor(waitMs: number): Promise<void> {
    this.to('pacing');
    if (commitBeforeWait(this.window, this.clock(), waitMs)) await this.commit('pacing');
    await sleep(waitMs, this.signal);
    this.to('producing');
  }

  private async commit(then: PublishState): Promise<void> {
    this.to('committing');
    await this.window.commit();
    this.to(then);
  }

  /**
   * Carries out the settlement of `ending`: commits or aborts the open
   * transaction, and ends closed or failed. Returns the error the run fails
   * with: the ending's own, else the failed delivery, else the finishing
   * commit's or abort's (when there was an error already, that one is logged).
   */
  async settle(ending: Ending): Promise<Error | null> {
    const deliveryFailed = this.deliveryFailure !== null;
    const plan = settlement(ending.kind, deliveryFailed);
    let error: Error | null = 'error' in ending ? asError(ending.error) : null;
    if (error === null && this.deliveryFailure !== null) {
      error = new Error(`${this.summary.failed} messages were not acknowledged: ${this.deliveryFailure.message}`);
    }
    const failedToo = (err: unknown, what: string) => {
      if (error === null) error = asError(err);
      else this.logger.error({ err: asError(err).message }, what);
    };
    if (plan.finish === 'commit') {
      this.to('committing');
      try {
        await this.window.commit();
      } catch (err) {
        failedToo(err, `could not commit after the ${ending.kind === 'sourceFailed' ? 'source' : 'run'} failed`);
      }
    } else if (plan.finish === 'abort') {
      this.to('aborting');
      try {
        const lost = await this.window.abort();
        const after = deliveryFailed ? 'a failed delivery' : 'a failed produce';
        this.logger.error({ records: lost.published, deadLetters: lost.deadLettered }, `transaction aborted after ${after}: its records are not published`);
      } catch (err) {
        failedToo(err, 'could not abort the transaction');
      }
    }
    this.to(error === null && plan.outcome === 'closed' ? 'closed' : 'failed');
    return error;
  }

  /**
   * Hands the source's entries to `each` until it returns how the run ends,
   * or the source ends (exhausted). 'reading' while the source is asked for
   * the next entry: an error there is the source's. A source left before its
   * end is closed (an async generator's finally closes its files, or stops its worker).
   */
  async readEach<T>(entries: AsyncIterable<T> | Iterable<T>, each: (entry: T) => Promise<Ending | undefined>): Promise<Ending> {
    const source = Symbol.asyncIterator in entries ? entries[Symbol.asyncIterator]() : entries[Symbol.iterator]();
    let exhausted = false;
    try {
      for (;;) {
        const next = await source.next();
        if (next.done === true) {
          exhausted = true;
          return { kind: 'exhausted' };
        }
        this.to('producing');
        const ending = await each(next.value);
        if (ending !== undefined) return ending;
        this.to('reading');
      }
    } finally {
      if (!exhausted) {
        try {
          await source.return?.();
        } catch (err) {
          this.logger.warn({ err: asError(err).message }, 'the source failed to close');
        }
      }
    }
  }

  close(): void {
    this.producer.setDeliveryHandler(undefined);
    clearInterval(this.metricsTimer);
    this.reportRead();
  }

  /** The summary of a run that closed. */
  finished(): PublishSummary {
    const s = this.summary;
    s.seconds = (this.clock() - this.started) / 1000;
    s.recordsPerSecond = s.seconds > 0 ? Math.round((s.published + s.deadLettered) / s.seconds) : 0;
    return s;
  }

  private reportRead(): void {
    if (this.unreportedRead > 0) this.metrics.recordsRead.inc(this.unreportedRead);
    this.unreportedRead = 0;
  }

  private committed(t: TransactionTally, committedAt: number, commitSeconds: number): void {
    const s = this.summary;
    const metrics = this.metrics;
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
  }
}
