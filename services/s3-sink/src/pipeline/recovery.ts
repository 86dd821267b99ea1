// What a previous run (or another instance) already uploaded but may not have
// committed: per Kafka partition and lake partition, the last offset in
// storage. Files of one lake partition are uploaded in offset order, so
// everything at or below that offset is in the lake and everything above is not.
import type { Storage } from '../storage/storage.js';
import { parseObjectKey, tablePrefix, type LakeTable } from '../storage/object-key.js';

export type UploadedHighWater = Map<number, Map<string, number>>;

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
