// The pipeline end to end — ingest, enrichment, sink — with the Kafka client
// as a prebuilt binary, or a patched build that failed, gives it: unpatched
// (no consumeColumns, so batches are made from message objects). Every other
// test runs the client compiled and patched here. The unpatched client is
// built once into the cache (unpatchedClientRoot) and the three services
// import it instead of the installed one (unpatchedClientEnv); the test checks
// in /proc that they did. The lake must hold exactly the records.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig, type EnrichedTick } from '@stockstream/common';
import {
  installedBindingDir, nativeModuleFile, readDecoded, runService, stopService, uniqueTopics, unpatchedClientEnv, unpatchedClientRoot, waitForMetric, type ServiceRun,
} from '@stockstream/common/testing';
import { s3StorageConfig, sinkSettings } from '../../src/config.js';
import { LakeSql } from '../../src/lake/lake-sql.js';
import { mirrorLake } from '../../src/lake/lake-mirror.js';
import { S3Storage } from '../../src/storage/s3-storage.js';

const SINK = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const ENRICH = fileURLToPath(new URL('../../../../enrichment/dist/src/main.js', import.meta.url));
const INGEST = fileURLToPath(new URL('../../../../ingest/dist/src/main.js', import.meta.url));
const RECORDS = 4_000;
const builtHere = existsSync(join(installedBindingDir, 'build', 'Release', 'obj.target'));

/** The Kafka client native modules a running process has loaded. */
function loadedClients(run: ServiceRun): string[] {
  const maps = readFileSync(`/proc/${run.child.pid}/maps`, 'utf8');
  return [...new Set(maps.split('\n').filter((l) => l.endsWith('confluent-kafka-javascript.node')).map((l) => l.slice(l.indexOf('/'))))];
}

test('ingest -> enrichment -> sink with the unpatched Kafka client: the lake holds exactly the records', {
  skip: builtHere ? false : 'the Kafka client is a prebuilt binary here: every integration test already runs it unpatched',
  timeout: 420_000,
}, async (t) => {
  const root = unpatchedClientRoot();
  const unpatched = nativeModuleFile(join(root, 'node_modules', '@confluentinc', 'kafka-javascript'));
  const topics = uniqueTopics('unpatched');
  const bucket = `it-unpatched-${Date.now()}`;
  const env = {
    ...topics.env, ...unpatchedClientEnv(root), ENRICHMENT_GROUP_ID: `g-${topics.raw}`, ENRICHMENT_INSTANCE_ID: 'unpatched',
    SINK_GROUP_ID: `g-${bucket}`, S3_BUCKET: bucket, SINK_ROTATE_IDLE_MS: '1000', SINK_ROTATE_MS: '2000',
  };
  const ports = { enrichment: 19_191, sink: 19_192 };
  const runs: ServiceRun[] = [];
  t.after(async () => {
    for (const r of runs) await stopService(r).catch(() => undefined);
  });
  const ingest = runService(INGEST, ['simulate', '--count', String(RECORDS), '--seed', '3', '--start', '2024-01-01'], env);
  runs.push(ingest);
  assert.equal((await ingest.exited).code, 0, ingest.stderr());
  const enrichment = runService(ENRICH, [], { ...env, HTTP_PORT: String(ports.enrichment) });
  const sink = runService(SINK, [], { ...env, HTTP_PORT: String(ports.sink) });
  runs.push(enrichment, sink);

  const enriched = await waitForMetric(ports.enrichment, 'stockstream_enrichment_records_out_total', RECORDS, 120_000, 500);
  assert.equal(enriched, RECORDS, `enriched ${enriched} of ${RECORDS}: ${enrichment.stderr()}`);
  const written = await waitForMetric(ports.sink, 'stockstream_sink_records_written_total', RECORDS, 120_000, 500);
  assert.equal(written, RECORDS, `in the lake ${written} of ${RECORDS}: ${sink.stderr()}`);
  for (const run of [enrichment, sink]) assert.deepEqual(loadedClients(run), [unpatched], 'the service runs the unpatched client, and only it');
  for (const run of [enrichment, sink]) assert.equal((await stopService(run)).code, 0, run.stderr());

  // The lake, read with SQL: each enriched record once, and nothing else.
  const cfg = loadConfig(sinkSettings, { ...process.env, S3_BUCKET: bucket });
  const lake = await mirrorLake(new S3Storage(s3StorageConfig(cfg)), cfg.s3Prefix, 'ticks', mkdtempSync(join(tmpdir(), 'lake-')));
  const sql = await LakeSql.open(lake.dir);
  const rows = await sql.query('SELECT raw_partition, raw_offset, index, close_usd FROM ticks');
  sql.close();
  const topic = await readDecoded<EnrichedTick>(topics.enriched, 'enrichedTick');
  assert.equal(topic.length, RECORDS);
  const sorted = (records: string[]) => records.sort();
  assert.deepEqual(
    sorted(rows.rows.map(([p, o, index, closeUsd]) => `${Number(p)}/${Number(o)} ${String(index)} ${Number(closeUsd)}`)),
    sorted(topic.map((m) => `${m.value.rawPartition}/${m.value.rawOffset} ${m.value.index} ${m.value.closeUsd}`)),
  );
});
