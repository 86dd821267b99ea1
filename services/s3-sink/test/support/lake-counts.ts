// What a user's SQL would count in a test's lake: rows, distinct Kafka
// records (partition, offset) and objects, read from S3 through the query
// tool's mirror, as in production.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@stockstream/common';
import { s3StorageConfig, sinkSettings } from '../../src/config.js';
import { LakeSql } from '../../src/lake/lake-sql.js';
import { mirrorLake } from '../../src/lake/lake-mirror.js';
import { S3Storage } from '../../src/storage/s3-storage.js';

export async function lakeCounts(bucket: string): Promise<{ count: number; distinct: number; objects: number }> {
  const cfg = loadConfig(sinkSettings, { ...process.env, S3_BUCKET: bucket });
  const m = await mirrorLake(new S3Storage(s3StorageConfig(cfg)), cfg.s3Prefix, 'ticks', mkdtempSync(join(tmpdir(), 'lake-')));
  const sql = await LakeSql.open(m.dir);
  try {
    const r = await sql.query('SELECT count(*) AS n, count(DISTINCT (raw_partition, raw_offset)) AS d FROM ticks');
    return { count: Number(r.rows[0]![0]), distinct: Number(r.rows[0]![1]), objects: m.objects };
  } finally {
    sql.close();
  }
}
