// The sink's recovery checkpoint: one small object per Kafka partition
// (storage/object-key.ts: checkpointKey) that makes recovery cost a function
// of the partitions and the files in flight, not of the lake's size.
//
// Before each upload run the sink writes, for every Kafka partition with files
// to upload, what is already in storage (per lake partition, the highest
// uploaded offset) and the files it is about to put ("intents", by their exact,
// deterministic key). Every object the sink writes is therefore either covered
// by the checkpoint's high water or named among its intents, so after a crash
// recovery needs one GET per partition and one HEAD per intent. Files of one
// lake partition land in offset order (upload-pending.ts), so the highest
// intent found covers everything below it in that lake partition.
//
// Pure: encoding, decoding and the merge; recovery.ts does the I/O.

export const CHECKPOINT_VERSION = 1;

export interface UploadIntent {
  /** The object's key as objectKey made it. */
  key: string;
  lakePath: string;
  firstOffset: number;
  lastOffset: number;
}

export interface SinkCheckpoint {
  version: typeof CHECKPOINT_VERSION;
  topic: string;
  partition: number;
  /** Per lake partition, the last offset known to be in storage. */
  uploaded: Record<string, number>;
  /** Files about to be put; any of them may or may not have landed. */
  intents: UploadIntent[];
}

export function checkpointFor(topic: string, partition: number, uploaded: ReadonlyMap<string, number>, intents: readonly UploadIntent[]): SinkCheckpoint {
  return { version: CHECKPOINT_VERSION, topic, partition, uploaded: Object.fromEntries(uploaded), intents: intents.map((i) => ({ ...i })) };
}

export function encodeCheckpoint(c: SinkCheckpoint): Buffer {
  return Buffer.from(JSON.stringify(c));
}

/** A checkpoint read back; throws on anything this version did not write (recovery then falls back to listing). */
export function decodeCheckpoint(body: Buffer, topic: string, partition: number): SinkCheckpoint {
  const c = JSON.parse(body.toString('utf8')) as SinkCheckpoint;
  const offset = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
  const ok = c !== null && typeof c === 'object' && c.version === CHECKPOINT_VERSION && c.topic === topic && c.partition === partition
    && c.uploaded !== null && typeof c.uploaded === 'object' && Object.values(c.uploaded).every(offset)
    && Array.isArray(c.intents)
    && c.intents.every((i) => typeof i.key === 'string' && typeof i.lakePath === 'string' && offset(i.firstOffset) && offset(i.lastOffset));
  if (!ok) throw new Error(`not a version ${CHECKPOINT_VERSION} sink checkpoint of ${topic}+${partition}`);
  return c;
}

/** The high water recovery resumes from: the checkpoint's, raised by every intent that is in storage. */
export function highWaterFrom(c: SinkCheckpoint, landed: ReadonlySet<string>): Map<string, number> {
  const out = new Map(Object.entries(c.uploaded));
  for (const i of c.intents) {
    if (!landed.has(i.key)) continue;
    const cur = out.get(i.lakePath);
    if (cur === undefined || i.lastOffset > cur) out.set(i.lakePath, i.lastOffset);
  }
  return out;
}
