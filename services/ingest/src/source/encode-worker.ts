// The worker thread of encoded-batches.ts: reads the items of an ingest
// command (sources.ts) and sends them as EncodedBatches, at most WINDOW
// batches ahead of the consumer. Ends on its own at the end of the source,
// or when told to stop; an error of the source goes to the consumer.

import { parentPort, workerData } from 'node:worker_threads';
import avsc from 'avsc';
import type { IngestCommand } from '../cli/args.js';
import { itemBatches } from '../sources.js';
import { BatchEncoder, WINDOW, type EncodedBatch, type EncodeWorkerInput, type FromWorker, type ToWorker } from './encoded-batches.js';

const port = parentPort;
if (port === null) throw new Error('encode-worker.js runs as a worker thread only');
const input = workerData as EncodeWorkerInput<IngestCommand>;

let credits = WINDOW;
let stopping = false;
let wake: (() => void) | null = null;
port.on('message', (m: ToWorker) => {
  if ('stop' in m) stopping = true;
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

try {
  const encoder = new BatchEncoder(avsc.Type.forSchema(input.raw.schema as avsc.Schema), input.raw.schemaId);
  let open = true;
  for await (const items of itemBatches(input.command)) {
    for (const batch of encoder.add(items)) if (!(open = await send(batch))) break;
    if (!open || stopping) break; // leaving the loop closes the source's files
  }
  const last = open && !stopping ? encoder.finish() : undefined;
  if (last === undefined || (await send(last))) port.postMessage({ kind: 'done' } satisfies FromWorker);
} catch (error) {
  const err = error instanceof Error ? error : new Error(String(error));
  port.postMessage({ kind: 'error', name: err.name, message: err.message, stack: err.stack } satisfies FromWorker);
} finally {
  port.close(); // nothing else keeps the thread alive: it ends
}
