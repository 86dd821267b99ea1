#!/usr/bin/env node
// stockstream query: SQL over the lake with DuckDB, the table exposed as
// `ticks` (hive partitions index/year prune whole files). Reads the local S3
// server or AWS S3 (standard credential chain) through the AWS SDK.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '@stockstream/common';
import { s3StorageConfig, sinkSettings } from './config.js';
import { EXAMPLE_NAMES, EXAMPLE_QUERIES, type ExampleName } from './lake/example-queries.js';
import { formatResult, type OutputFormat } from './lake/format-result.js';
import { LakeSql } from './lake/lake-sql.js';
import { mirrorLake } from './lake/lake-mirror.js';
import { S3Storage } from './storage/s3-storage.js';

const USAGE = `Usage: stockstream query (--sql "SELECT ..." | --example NAME | --example all) [--format table|csv|json] [--index SYMBOL]...
Examples: ${EXAMPLE_NAMES.join(', ')}
Reads S3_BUCKET / S3_PREFIX / S3_ENDPOINT / SINK_FORMAT like the sink; objects are cached in LAKE_CACHE_DIR (default ~/.cache/stockstream/lake).`;

function fail(message: string, code = 64): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(code);
}

let args;
try {
  args = parseArgs({ options: { help: { type: 'boolean', short: 'h' }, sql: { type: 'string' }, example: { type: 'string' }, format: { type: 'string', default: 'table' }, index: { type: 'string', multiple: true } } }).values;
} catch (err) {
  fail((err as Error).message);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const format = args.format as OutputFormat;
if (!['table', 'csv', 'json'].includes(format)) fail(`--format must be table, csv or json; got "${args.format}"`);
if (Boolean(args.sql) === Boolean(args.example)) fail('give exactly one of --sql or --example');
const names: ExampleName[] = args.example === 'all' ? EXAMPLE_NAMES : args.example ? [args.example as ExampleName] : [];
for (const n of names) if (!(n in EXAMPLE_QUERIES)) fail(`unknown example "${n}"`);

let cfg;
try {
  cfg = loadConfig(sinkSettings);
} catch (err) {
  if (err instanceof ConfigError) fail(err.message, 78);
  throw err;
}
const cacheDir = join(process.env.LAKE_CACHE_DIR || join(homedir(), '.cache', 'stockstream', 'lake'), cfg.s3Bucket, cfg.s3Prefix || '_');
// --index limits what is fetched; DuckDB then prunes by the hive folders as well.
const wanted = args.index ? new Set(args.index.map((i) => `index=${encodeURIComponent(i)}`)) : null;
const started = performance.now();
const mirror = await mirrorLake(new S3Storage(s3StorageConfig(cfg)), cfg.s3Prefix, 'ticks', cacheDir, (path) => !wanted || wanted.has(path.split('/')[0]!));
const sql = await LakeSql.open(mirror.dir, cfg.format);
process.stderr.write(
  `lake s3://${cfg.s3Bucket}/${cfg.s3Prefix}/ticks: ${mirror.objects} objects, ${(mirror.bytes / 1e6).toFixed(1)} MB (${mirror.downloaded} fetched) in ${((performance.now() - started) / 1000).toFixed(2)} s\n`,
);
try {
  const queries = args.sql ? [{ title: null, sql: args.sql }] : names.map((n) => EXAMPLE_QUERIES[n]);
  for (const q of queries) {
    const t0 = performance.now();
    const result = await sql.query(q.sql);
    if (q.title && format === 'table') process.stdout.write(`\n${q.title} (${((performance.now() - t0) / 1000).toFixed(3)} s)\n`);
    process.stdout.write(formatResult(result, format) + '\n');
  }
} catch (err) {
  process.stderr.write(`query failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  sql.close();
}
