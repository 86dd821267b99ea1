import type { AvroSerializer, RawTick } from '@stockstream/common';
import type { IngestCommand } from './cli/args.js';
import { readCsvFileBatches, type DateOrderPlan, type SourceItem } from './source/csv-file-source.js';
import { EncodeWorker, type EncodedBatch, type RawEncoding } from './source/encoded-batches.js';
import { generateTicks } from './source/generator.js';

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
 * A command's items: iterable here (batches of SourceItems), or read and
 * encoded on a worker thread, which publish() prefers when it need not pace
 * the records (see source/encoded-batches.ts).
 */
export class IngestSource implements AsyncIterable<SourceItem[]> {
  private worker: EncodeWorker<IngestCommand> | undefined;

  constructor(readonly command: IngestCommand) {}

  /**
   * Starts the worker thread of encodedInWorker now, when the command runs
   * at full speed (the only case publish() reads in a worker): its start-up,
   * mostly loading modules, then overlaps the caller's (connecting to Kafka,
   * registering schemas). Call close() when done.
   */
  startWorker(): void {
    if (this.command.pace.kind === 'max') this.worker ??= new EncodeWorker(WORKER_URL, this.command);
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
