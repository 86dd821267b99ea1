// V8 assumes, until the first ArrayBuffer of an isolate is detached, that
// none ever will be, and compiles typed-array code without that check. The
// first postMessage with a transfer list detaches its buffers and throws all
// such optimized code away at once: in the ingest's encode worker (which
// transfers every batch) that was every hot function of the CSV reading and
// Avro encoding, recompiled in the middle of a replay; 16 alternating replays
// went from a median of 158,690 to 211,632 records/s with the call below.
// A thread that will transfer buffers detaches a small one of its own first,
// before anything is optimized; the check this adds to typed-array code costs
// next to nothing.

let expected = false;

/** Call first thing in a thread (isolate) that will transfer ArrayBuffers; once is enough. */
export function expectArrayBufferTransfers(): void {
  if (expected) return;
  expected = true;
  const buffer = new ArrayBuffer(8);
  structuredClone(buffer, { transfer: [buffer] });
}
