import type { AvroSerializer, RawTick } from '@stockstream/common';
import type { IngestCommand } from './cli/args.js';
import { readCsvFileBatches, type DateOrderPlan, type SourceItem } from './source/csv-file-source.js';
import { EncodeWorker, type EncodedBatch, type RawEncoding } from './source/encoded-batches.js';
import { generateTicks } from './source/generator.js';
import type { PublishSource } from './publish/publisher.js';

const WORKER_URL = new URL('./source/encode-worker.js', import.meta.url);

/** Generated ticks per batch: one await per batch instead of one per tick. */
const GENERATED_BATCH = 512;

/**
 * The items a command asks for, in batches: a file (once or looping) or the
 * generator. Batches are built synchronously from what the source has at
 * hand; publish() takes them item by item. `plan`: pass 1 of the file's
 * first reading in date order, already done (planDateOrder).
 */
export async function* itemBatches(cmd: IngestCommand, plan?: DateOrderPlan): AsyncGenerator<SourceItem[], void, undefined> {
  if (!cmd.skip) {
    yield* allItemBatches(cmd, plan);
    return;
  }
  // --resume: the first `skip` items were published by an earlier run; they are read again (the order is the source's) and dropped.
  let toSkip = cmd.skip;
  for await (const batch of allItemBatches(cmd, plan)) {
    if (toSkip >= batch.length) {
      toSkip -= batch.length;
      continue;
    }
    yield toSkip > 0 ? batch.slice(toSkip) : batch;
    toSkip = 0;
  }
}

async function* allItemBatches(cmd: IngestCommand, plan?: DateOrderPlan): AsyncGenerator<SourceItem[], void, undefined> {
  if (cmd.mode === 'simulate') {
    let batch: SourceItem[] = [];
    for (const tick of generateTicks({ seed: cmd.seed, count: cmd.count, startDate: cmd.startDate })) {
      batch.push({ kind: 'tick', tick });
      if (batch.length === GENERATED_BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
    return;
  }
  for (let pass = 1; ; pass++) {
    const options = pass === 1 && plan !== undefined ? { order: cmd.order, plan } : { order: cmd.order };
    for await (const batch of readCsvFileBatches(cmd.file, options)) {
      if (pass > 1) {
        // Later passes get their own source name so each record's coordinates stay unique.
        for (const item of batch) if (item.kind === 'tick') item.tick.source.name += `#pass${pass}`;
      }
      yield batch;
    }
    if (!cmd.loop) return;
  }
}

/**
 * Whether a command's items are read and encoded on a worker thread (see
 * source/encoded-batches.ts): at full speed. Paced, they are read where they
 * are produced, each tick waiting for its time.
 */
export function readsInWorker(cmd: IngestCommand): boolean {
  return cmd.pace.kind === 'max';
}

/**
 * A command's items: iterable here (batches of SourceItems), or read and
 * encoded on a worker thread (readsInWorker); publishSource() says which.
 */
export class IngestSource implements AsyncIterable<SourceItem[]> {
  private worker: EncodeWorker<IngestCommand> | undefined;

  constructor(readonly command: IngestCommand) {}

  /**
   * Starts the worker thread of encodedInWorker now, when the command runs
   * in a worker (readsInWorker): its start-up,
   * mostly loading modules, then overlaps the caller's (connecting to Kafka,
   * registering schemas). Call close() when done.
   */
  startWorker(): void {
    if (readsInWorker(this.command)) this.worker ??= new EncodeWorker(WORKER_URL, this.command);
  }

  /**
   * Lets the worker begin reading and encoding with the raw topic's
   * registered schema now, before publish() asks for the batches: it fills
   * its window (WINDOW batches) while the caller creates topics, connects the
   * producer and sets up its transactions, and publish() finds them waiting.
   * No-op without a worker.
   */
  prepare(raw: AvroSerializer<RawTick>): void {
    this.worker?.begin(rawEncoding(raw));
  }

  /** Ends a worker started and never used. */
  close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    return worker?.close() ?? Promise.resolve();
  }

  /** What publish() reads: the batches encoded on the worker at full speed, else the items, paced as the command asks. */
  publishSource(raw: AvroSerializer<RawTick>): PublishSource {
    const cmd = this.command;
    return readsInWorker(cmd) ? { kind: 'encoded', batches: this.encodedInWorker(raw) } : { kind: 'items', items: this, pacing: cmd.pace };
  }

  [Symbol.asyncIterator](): AsyncIterator<SourceItem[]> {
    return itemBatches(this.command);
  }

  /**
   * The same items, ticks encoded with `raw` (ingestedAt stamped at encoding),
   * read on a worker thread (the one startWorker started, if any, which has
   * done pass 1 of a file in date order meanwhile).
   */
  encodedInWorker(raw: AvroSerializer<RawTick>): AsyncIterable<EncodedBatch> {
    const cmd = this.command;
    const worker = this.worker ?? new EncodeWorker(WORKER_URL, cmd);
    this.worker = undefined;
    return worker.batches(rawEncoding(raw));
  }
}

function rawEncoding(raw: AvroSerializer<RawTick>): RawEncoding {
  return { schema: raw.type.schema({ exportAttrs: true }), schemaId: raw.schemaId };
}

/** The item source a command asks for. */
export function itemsFor(cmd: IngestCommand): IngestSource {
  return new IngestSource(cmd);
}
