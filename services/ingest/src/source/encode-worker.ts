// The worker thread of encoded-batches.ts: reads the items of an ingest
// command (sources.ts) and sends them as EncodedBatches, at most WINDOW
// batches ahead of the consumer. Before publishing starts it holds what it
// encoded; each batch gets its ingestedAt when it is sent (ingested-at.ts).
// Ends on its own at the end of the source, or when told to stop; an error of
// the source goes to the consumer.

import { parentPort, workerData } from 'node:worker_threads';
import avsc from 'avsc';
// A subpath, not the package index: that loads the Kafka client, which the main thread has.
import { expectArrayBufferTransfers } from '@stockstream/common/array-buffer-transfers';
import type { IngestCommand } from '../cli/args.js';
import { itemBatches } from '../sources.js';
import { planDateOrder, type DateOrderPlan } from './csv-file-source.js';
import { restamp } from './ingested-at.js';
import { BatchEncoder, WINDOW, type EncodedBatch, type EncodeWorkerInput, type EncodeWorkerStart, type FromWorker, type ToWorker } from './encoded-batches.js';

const port = parentPort;
if (port === null) throw new Error('encode-worker.js runs as a worker thread only');
expectArrayBufferTransfers(); // every batch is transferred
const input = workerData as EncodeWorkerInput<IngestCommand>;

let publishing = false;
/** Batches encoded and not yet taken by the consumer: held here, or sent. */
let outstanding = 0;
/** Encoded before publishing started, in order. */
const held: EncodedBatch[] = [];
let stopping = false;
let start: EncodeWorkerStart | undefined;
let wake: (() => void) | null = null;
port.on('message', (m: ToWorker) => {
  if ('stop' in m) stopping = true;
  else if ('start' in m) start = m.start;
  else if ('publish' in m) {
    publishing = true;
    for (const batch of held.splice(0)) post(batch);
  } else outstanding -= m.took;
  const w = wake;
  wake = null;
  w?.();
});

function post(batch: EncodedBatch): void {
  restamp(batch, Date.now());
  const message: FromWorker = { kind: 'batch', batch };
  port!.postMessage(message, [batch.bytes.buffer, batch.ends.buffer, batch.keys.buffer] as ArrayBuffer[]);
}

/** Sends a batch, or holds it until publishing starts; waits while WINDOW batches are outstanding. False when told to stop. */
async function send(batch: EncodedBatch): Promise<boolean> {
  if (stopping) return false;
  outstanding++;
  if (publishing) post(batch);
  else {
    held.push(batch);
    port!.postMessage({ kind: 'held', batches: held.length } satisfies FromWorker);
  }
  while (outstanding >= WINDOW && !stopping) await new Promise<void>((resolve) => (wake = resolve));
  return !stopping;
}

/**
 * Pass 1 of a file in date order (finding its date-sorted runs) needs no
 * schema: it runs at once, while the main thread connects to Kafka and
 * registers the schemas. Its failure is reported once the reading starts.
 */
const dateOrderFile = input.command.mode === 'replay' && input.command.order === 'date' ? input.command.file : undefined;
const planning: Promise<DateOrderPlan | undefined> = dateOrderFile !== undefined ? planDateOrder(dateOrderFile) : Promise.resolve(undefined);
planning.catch(() => undefined); // awaited (and thrown) in run()

/** Reads and sends everything, unless told to stop; then says it is done. */
async function run(): Promise<void> {
  // Started ahead of its use (EncodeWorker), it waits for the raw topic's schema.
  while (start === undefined && !stopping) await new Promise<void>((resolve) => (wake = resolve));
  if (start === undefined) return;
  const encoder = new BatchEncoder(avsc.Type.forSchema(start.raw.schema as avsc.Schema), start.raw.schemaId);
  const plan = await planning;
  if (stopping) return;
  try {
    for await (const items of itemBatches(input.command, plan)) {
      for (const batch of encoder.add(items)) if (!(await send(batch))) return; // leaving the loop closes the source's files
    }
  } catch (error) {
    // What was read before the source failed goes out before its error, as when the publishing thread reads it.
    const partial = encoder.finish();
    if (partial !== undefined) await send(partial);
    throw error;
  }
  const last = encoder.finish();
  if (last !== undefined && !(await send(last))) return;
  if (await untilPublishing()) port!.postMessage({ kind: 'done' } satisfies FromWorker);
}

/**
 * Waits until publishing starts, when what is held has gone out, so that the
 * end of the source (or its error) comes after it; false if told to stop.
 */
async function untilPublishing(): Promise<boolean> {
  while (!publishing && !stopping) await new Promise<void>((resolve) => (wake = resolve));
  return !stopping;
}

try {
  await run();
} catch (error) {
  const err = error instanceof Error ? error : new Error(String(error));
  if (await untilPublishing()) port.postMessage({ kind: 'error', name: err.name, message: err.message, stack: err.stack } satisfies FromWorker);
} finally {
  port.close(); // nothing else keeps the thread alive: it ends
}
