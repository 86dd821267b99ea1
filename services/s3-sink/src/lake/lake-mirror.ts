// Brings the lake's objects onto local disk, mirroring their keys, so DuckDB
// can read them with hive partitioning. DuckDB's S3 support (httpfs) is not
// bundled and cannot be installed offline; the AWS SDK reads any S3 the sink
// can write (local server or AWS with the default credential chain).
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Storage } from '../storage/storage.js';
import { tablePrefix, type LakeTable } from '../storage/object-key.js';

export interface MirrorResult {
  dir: string;
  objects: number;
  downloaded: number;
  bytes: number;
}

/**
 * Copies every object of the table under `prefix` into `dir` (same relative
 * paths). An object already there with the same size is kept: objects are
 * immutable per key except for exactly-once rewrites, which write equal rows.
 * `filter` sees the partition path (e.g. `index=HSI/year=1999`) and lets a
 * query skip partitions it does not need.
 */
export async function mirrorLake(storage: Storage, prefix: string, table: LakeTable, dir: string, filter: (partitionPath: string) => boolean = () => true): Promise<MirrorResult> {
  const root = tablePrefix(prefix, table);
  const result: MirrorResult = { dir: join(dir, table), objects: 0, downloaded: 0, bytes: 0 };
  for await (const obj of storage.list(root)) {
    const rel = obj.key.slice(root.length);
    if (!filter(dirname(rel))) continue;
    result.objects++;
    result.bytes += obj.size;
    const local = join(result.dir, rel);
    const have = await stat(local).then((s) => s.size, () => -1);
    if (have === obj.size) continue;
    await mkdir(dirname(local), { recursive: true });
    await writeFile(local, await storage.get(obj.key));
    result.downloaded++;
  }
  await mkdir(result.dir, { recursive: true });
  return result;
}
