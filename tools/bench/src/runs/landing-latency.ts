// Latency from each record's ingestedAt (stamped by ingest, in every lake row)
// to the moment its object landed in S3 (the sink's 'object landed' debug
// line, written when the PUT returned: from then on SQL sees the record).
// S3's LastModified has whole seconds only; the sink's own clock has ms and is
// the same machine's clock as ingest's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@stockstream/common';
import { s3StorageConfig, sinkSettings } from '@stockstream/s3-sink/dist/src/config.js';
import { LakeSql } from '@stockstream/s3-sink/dist/src/lake/lake-sql.js';
import { mirrorLake } from '@stockstream/s3-sink/dist/src/lake/lake-mirror.js';
import { tablePrefix } from '@stockstream/s3-sink/dist/src/storage/object-key.js';
import { S3Storage } from '@stockstream/s3-sink/dist/src/storage/s3-storage.js';
import type { Landing } from './tool-output.js';

/**
 * Seconds from ingestedAt to landing, one per row: `rows` are (path of the
 * row's object under the table, ingestedAt in ms), `landedAt` the landing time
 * of each object by the same path. Pure; a row of an object with no landing
 * is an error (the run's log and its lake disagree).
 */
export function latencies(rows: Iterable<readonly [string, number]>, landedAt: ReadonlyMap<string, number>): Float64Array {
  const out: number[] = [];
  for (const [path, ingestedAt] of rows) {
    const landed = landedAt.get(path);
    if (landed === undefined) throw new Error(`lake object ${path} has no 'object landed' line in the sink's log`);
    out.push((landed - ingestedAt) / 1000);
  }
  return Float64Array.from(out);
}

/** Landing times by path under the table folder (the key without '<prefix>/ticks/'). */
export function landedByPath(landings: readonly Landing[], prefix: string): Map<string, number> {
  const root = tablePrefix(prefix, 'ticks');
  return new Map(landings.map((l) => [l.key.startsWith(root) ? l.key.slice(root.length) : l.key, l.landedAt]));
}

/** Reads the whole lake of `bucket` (every row's object and ingestedAt) and times each row's landing. */
export async function lakeLatencies(bucket: string, landings: readonly Landing[]): Promise<Float64Array> {
  const cfg = loadConfig(sinkSettings, { ...process.env, S3_BUCKET: bucket });
  const dir = mkdtempSync(join(tmpdir(), 'bench-latency-'));
  try {
    const mirror = await mirrorLake(new S3Storage(s3StorageConfig(cfg)), cfg.s3Prefix, 'ticks', dir);
    const sql = await LakeSql.open(mirror.dir, 'parquet');
    try {
      const glob = join(mirror.dir, '**', '*.parquet').replaceAll("'", "''");
      const from = mirror.dir.length + 2; // 1-based, past the '/'
      const result = await sql.query(`SELECT substr(filename, ${from}), epoch_ms(ingested_at) FROM read_parquet('${glob}', filename = true)`);
      const rows = result.rows.map((r) => [String(r[0]), Number(r[1])] as const);
      return latencies(rows, landedByPath(landings, cfg.s3Prefix));
    } finally {
      sql.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
