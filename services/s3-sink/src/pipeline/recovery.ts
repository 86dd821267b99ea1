// What a previous run (or another instance) already uploaded but may not have
// committed: per Kafka partition and lake partition, the last offset in
// storage. Files of one lake partition are uploaded in offset order, so
// everything at or below that offset is in the lake and everything above is not.
//
// Read from each partition's checkpoint (checkpoint.ts: one GET, plus one HEAD
// per file that was in flight), so its cost does not grow with the lake. A
// partition without a checkpoint (a lake written by an older version, or a new
// one) is recovered by listing the table once; the caller then writes its
// checkpoint so the listing is not repeated.
import type { Storage } from '../storage/storage.js';
import { checkpointKey, parseObjectKey, tablePrefix, type LakeTable } from '../storage/object-key.js';
import { checkpointFor, decodeCheckpoint, encodeCheckpoint, highWaterFrom, type SinkCheckpoint } from './checkpoint.js';
import { Limiter } from './upload-pending.js';

export type UploadedHighWater = Map<number, Map<string, number>>;

/** HEADs in flight at once while checking intents. */
const HEAD_CONCURRENCY = 16;
export const CHECKPOINT_CONTENT_TYPE = 'application/json';

export interface RecoveredUploads {
  highWater: UploadedHighWater;
  /** Partitions recovered by listing (no usable checkpoint): their checkpoint should be written now. */
  listed: number[];
  /** Objects checked with a HEAD (the intents of the checkpoints read). */
  headed: number;
}

export async function recoverUploaded(storage: Storage, prefix: string, table: LakeTable, topic: string, partitions: number[]): Promise<RecoveredUploads> {
  const heads = new Limiter(HEAD_CONCURRENCY);
  const highWater: UploadedHighWater = new Map();
  const listed: number[] = [];
  let headed = 0;
  await Promise.all(partitions.map(async (p) => {
    const body = await storage.getIfExists(checkpointKey(prefix, table, topic, p));
    let c: SinkCheckpoint | null = null;
    if (body !== null) {
      try {
        c = decodeCheckpoint(body, topic, p);
      } catch {
        c = null; // unreadable (another version's?): the listing is always right, only slower
      }
    }
    if (c === null) {
      listed.push(p);
      return;
    }
    const landed = new Set<string>();
    await Promise.all(c.intents.map((i) => heads.run(async () => {
      headed++;
      if (await storage.exists(i.key)) landed.add(i.key);
    })));
    highWater.set(p, highWaterFrom(c, landed));
  }));
  if (listed.length > 0) for (const [p, m] of await uploadedHighWater(storage, prefix, table, topic, listed)) highWater.set(p, m);
  listed.sort((a, b) => a - b);
  return { highWater, listed, headed };
}

/** Writes a checkpoint with nothing in flight: what recovery found, so the next recovery of `partition` needs no listing. */
export async function writeRecoveredCheckpoint(storage: Storage, prefix: string, table: LakeTable, topic: string, partition: number, uploaded: ReadonlyMap<string, number>): Promise<void> {
  await storage.put(checkpointKey(prefix, table, topic, partition), encodeCheckpoint(checkpointFor(topic, partition, uploaded, [])), CHECKPOINT_CONTENT_TYPE);
}

/** The fallback: lists every object of the table (cost grows with the lake). */
export async function uploadedHighWater(storage: Storage, prefix: string, table: LakeTable, topic: string, partitions: number[]): Promise<UploadedHighWater> {
  const wanted = new Set(partitions);
  const out: UploadedHighWater = new Map(partitions.map((p) => [p, new Map<string, number>()]));
  for await (const obj of storage.list(tablePrefix(prefix, table))) {
    const k = parseObjectKey(obj.key);
    if (!k || k.topic !== topic || !wanted.has(k.kafkaPartition)) continue;
    const byPath = out.get(k.kafkaPartition)!;
    const cur = byPath.get(k.partitionPath);
    if (cur === undefined || k.lastOffset > cur) byPath.set(k.partitionPath, k.lastOffset);
  }
  return out;
}
