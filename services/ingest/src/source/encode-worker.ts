// The worker thread of encoded-batches.ts: reads the items of an ingest
// command (sources.ts) and sends them as EncodedBatches, at most WINDOW
// batches ahead of the consumer. Ends on its own at the end of the source,
// or when told to stop; an error of the source goes to the consumer.

import { parentPort, workerData } from 'node:worker_threads';
import avsc from 'avsc';
import type { IngestCommand } from '../cli/args.js';
import { itemBatches } from '../sources.js';
import { planDateOrder, type DateOrderPlan } from './csv-file-source.js';
import { warmUpReplay } from './replay-warm-up.js';
import { BatchEncoder, WINDOW_BEFORE_START, type EncodedBatch, type EncodeWorkerInput, type EncodeWorkerStart, type FromWorker, type ToWorker } from './encoded-batches.js';

const port = parentPort;
if (port === null) throw new Error('encode-worker.js runs as a worker thread only');
const input = workerData as EncodeWorkerInput<IngestCommand>;

let credits = WINDOW_BEFORE_START; // batches() grants the rest of WINDOW when publishing starts
let stopping = false;
let start: EncodeWorkerStart | undefined;
let wake: (() => void) | null = null;
port.on('message', (m: ToWorker) => {
  if ('stop' in m) stopping = true;
  else if ('start' in m) start = m.start;
  else credits += m.credit;
  const w = wake;
  wake = null;
  w?.();
});

/** Sends a batch once the consumer has room for it; false when told to stop. */
async function send(batch: EncodedBatch): Promise<boolean> {
  while (credits === 0 && !stopping) await new Promise<void>((resolve) => (wake = resolve));
  if (stopping) return false;
  credits--;
  const message: FromWorker = { kind: 'batch', batch };
  port!.postMessage(message, [batch.bytes.buffer, batch.ends.buffer, batch.keys.buffer] as ArrayBuffer[]);
  return true;
}

/**
 * Pass 1 of a file in date order (finding its date-sorted runs) needs no
 * schema: it runs at once, while the main thread connects to Kafka and
 * registers the schemas. Its failure is reported once the reading starts.
 */
const dateOrderFile = input.command.mode === 'replay' && input.command.order === 'date' ? input.command.file : undefined;
const planning: Promise<DateOrderPlan | undefined> = dateOrderFile !== undefined ? planDateOrder(dateOrderFile) : Promise.resolve(undefined);
planning.catch(() => undefined); // awaited (and thrown) in run()
/** Then, while the schema is still on its way, the replay's code is warmed up (replay-warm-up.ts). A failure there costs only speed. */
const warming: Promise<unknown> =
  dateOrderFile !== undefined ? planning.then(() => warmUpReplay(() => start !== undefined || stopping)).catch(() => undefined) : Promise.resolve();

/** Reads and sends everything, unless told to stop; then says it is done. */
async function run(): Promise<void> {
  // Started ahead of its use (EncodeWorker), it waits for the raw topic's schema.
  while (start === undefined && !stopping) await new Promise<void>((resolve) => (wake = resolve));
  if (start === undefined) return;
  const encoder = new BatchEncoder(avsc.Type.forSchema(start.raw.schema as avsc.Schema), start.raw.schemaId);
  const plan = await planning;
  await warming;
  if (stopping) return;
  for await (const items of itemBatches(input.command, plan)) {
    for (const batch of encoder.add(items)) if (!(await send(batch))) return; // leaving the loop closes the source's files
  }
  const last = encoder.finish();
  if (last !== undefined && !(await send(last))) return;
  port!.postMessage({ kind: 'done' } satisfies FromWorker);
}

try {
  await run();
} catch (error) {
  const err = error instanceof Error ? error : new Error(String(error));
  port.postMessage({ kind: 'error', name: err.name, message: err.message, stack: err.stack } satisfies FromWorker);
} finally {
  port.close(); // nothing else keeps the thread alive: it ends
}
