// Integration tests of the ingest service on the real stack: a real Kafka
// broker and Apicurio registry, the service run as a child process.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SchemaRegistryClient, type DeadLetter, type RawTick } from '@stockstream/common';
import { datasetFile, readDecoded, runService, testRegistryConfig, uniqueTopics, waitForMetric } from '@stockstream/common/testing';
import { formatDate } from '@stockstream/common/dates';

const MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const INDEX_DATA = datasetFile('indexData.csv');
const SUMMARY = /published (\d+) to .*dead-lettered (\d+)/;

function summaryOf(stdout: string): { published: number; deadLettered: number } {
  const m = SUMMARY.exec(stdout);
  assert.ok(m, `no summary line in ingest output:\n${stdout}`);
  return { published: Number(m[1]), deadLettered: Number(m[2]) };
}

const num = (s: string) => (s === 'null' ? null : Number(s));

/** Independent reading of the dataset (it has no quoting), to compare against what Kafka holds. */
function expectedRows(path: string) {
  const lines = readFileSync(path, 'utf8').split('\n');
  const rows = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '') continue;
    const [index, date, open, high, low, close, adj, vol] = line.split(',');
    rows.push({ line: i + 1, index: index!, date: date!, open: num(open!), high: num(high!), low: num(low!), close: num(close!), adjClose: num(adj!), volume: num(vol!) });
  }
  return rows;
}

describe('ingest on the real stack', () => {
  it('publishes every row of indexData.csv; read back, each equals its source row and each index keeps its order', { skip: INDEX_DATA.skip }, async () => {
    const topics = uniqueTopics('ingest-all');
    const run = runService(MAIN, ['replay', INDEX_DATA.path], topics.env);
    const { code } = await run.exited;
    assert.equal(code, 0, run.stderr());
    const expected = expectedRows(INDEX_DATA.path);
    assert.equal(expected.length, 51_249);
    assert.deepEqual(summaryOf(run.stdout()), { published: expected.length, deadLettered: 0 });

    const got = await readDecoded<RawTick>(topics.raw, 'rawTick');
    assert.equal(got.length, expected.length);
    const byLine = new Map(got.map((m) => [m.value.source.line, m]));
    assert.equal(byLine.size, expected.length, 'every source line exactly once');
    for (const row of expected) {
      const m = byLine.get(row.line);
      assert.ok(m, `line ${row.line} missing`);
      const v = m.value;
      assert.equal(m.key, row.index);
      assert.deepEqual(
        { index: v.index, date: formatDate(v.date), open: v.open, high: v.high, low: v.low, close: v.close, adjClose: v.adjClose, volume: v.volume },
        { index: row.index, date: row.date, open: row.open, high: row.high, low: row.low, close: row.close, adjClose: row.adjClose, volume: row.volume },
        `line ${row.line}`,
      );
      assert.equal(v.source.name, 'indexData.csv');
    }
    // Per-index order: within a partition offsets follow publish order, which must be the file's order per index.
    const seqByIndex = new Map<string, number[]>();
    for (const m of [...got].sort((a, b) => a.partition - b.partition || a.offset - b.offset)) {
      const list = seqByIndex.get(m.value.index) ?? [];
      list.push(m.value.source.line);
      seqByIndex.set(m.value.index, list);
    }
    assert.equal(seqByIndex.size, 5);
    for (const [index, lines] of seqByIndex) {
      assert.deepEqual(lines, [...lines].sort((a, b) => a - b), `${index} out of order`);
    }
    assert.equal(new Set(got.filter((m) => m.value.index === 'HSI').map((m) => m.partition)).size, 1, 'one index, one partition');
    const nullRows = got.filter((m) => m.value.close === null).length;
    assert.equal(nullRows, 681, 'null rows are published as source data');
  });

  it('sends malformed lines to the dead-letter topic with the raw line and a reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ingest-bad-'));
    const file = join(dir, 'bad.csv');
    writeFileSync(
      file,
      [
        'Index,Date,Open,High,Low,Close,Adj Close,Volume',
        'HSI,1990-01-02,1,2,0.5,1.5,1.5,100',
        'HSI,1990-01-03,1,2,0.5', // too few columns
        'HSI,1990-01-04,abc,2,0.5,1.5,1.5,100', // text in a number
        'HSI,1990-13-45,1,2,0.5,1.5,1.5,100', // impossible date
        'HSI,1990-01-05,null,null,null,null,null,null', // holiday: faithful, published
        '',
      ].join('\n'),
    );
    const topics = uniqueTopics('ingest-bad');
    const run = runService(MAIN, ['replay', file, '--order', 'file'], topics.env);
    const { code } = await run.exited;
    assert.equal(code, 0, run.stderr());
    assert.deepEqual(summaryOf(run.stdout()), { published: 2, deadLettered: 3 });

    const dlq = await readDecoded<DeadLetter>(topics.dlq, 'deadLetter');
    const byLine = new Map(dlq.map((m) => [m.value.sourceLine, m.value]));
    assert.equal(dlq.length, 3);
    assert.equal(byLine.get(3)?.reason, 'column_count');
    assert.equal(byLine.get(3)?.originalText, 'HSI,1990-01-03,1,2,0.5');
    assert.equal(byLine.get(4)?.reason, 'invalid_number');
    assert.match(byLine.get(4)!.message, /abc/);
    assert.equal(byLine.get(5)?.reason, 'invalid_date');
    for (const d of byLine.values()) {
      assert.equal(d.stage, 'INGEST');
      assert.equal(d.sourceFile, 'bad.csv');
    }
    const raw = await readDecoded<RawTick>(topics.raw, 'rawTick');
    assert.deepEqual(raw.map((m) => m.value.source.line).sort(), [2, 6]);
  });

  it('publishes the generator run: --count records, deterministic by seed', async () => {
    const topics = uniqueTopics('ingest-gen');
    const run = runService(MAIN, ['simulate', '--count', '2800', '--seed', '7'], topics.env);
    assert.equal((await run.exited).code, 0, run.stderr());
    assert.deepEqual(summaryOf(run.stdout()), { published: 2800, deadLettered: 0 });
    const got = await readDecoded<RawTick>(topics.raw, 'rawTick');
    assert.equal(got.length, 2800);
    assert.equal(new Set(got.map((m) => m.value.index)).size, 14);
    assert.deepEqual(new Set(got.map((m) => m.value.source.line)).size, 2800);
  });

  it('registers schemas idempotently across restarts (same ids, one version per subject)', async () => {
    const topics = uniqueTopics('ingest-schemas');
    for (let i = 0; i < 2; i++) {
      const run = runService(MAIN, ['simulate', '--count', '14'], topics.env);
      assert.equal((await run.exited).code, 0, run.stderr());
    }
    const registry = new SchemaRegistryClient(testRegistryConfig());
    for (const subject of [`${topics.raw}-value`, `${topics.dlq}-value`, `${topics.enriched}-value`]) {
      assert.equal(await registry.schemaId(subject, 'latest'), await registry.schemaId(subject, 1), `${subject} has exactly one version`);
    }
  });

  it('exits non-zero with a clear message within the bounded wait when the broker is unreachable', async () => {
    const topics = uniqueTopics('ingest-nobroker');
    const run = runService(MAIN, ['simulate', '--count', '10'], { ...topics.env, KAFKA_BROKERS: '127.0.0.1:1', KAFKA_CONNECT_TIMEOUT_MS: '3000' });
    const { code, ms } = await run.exited;
    assert.notEqual(code, 0);
    assert.ok(ms < 20_000, `took ${ms} ms`);
    assert.match(run.stderr(), /Kafka broker unreachable at 127\.0\.0\.1:1.*KAFKA_BROKERS/);
  });

  it('exits non-zero with a clear message within the bounded wait when the registry is unreachable, showing no password', async () => {
    const topics = uniqueTopics('ingest-noregistry');
    const password = 'pw-ingest-Kq7-never-shown';
    const run = runService(MAIN, ['simulate', '--count', '10'], {
      ...topics.env, SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1/apis/ccompat/v7', SCHEMA_REGISTRY_TIMEOUT_MS: '3000',
      SCHEMA_REGISTRY_USERNAME: 'ingest', SCHEMA_REGISTRY_PASSWORD: password,
    });
    const { code, ms } = await run.exited;
    assert.notEqual(code, 0);
    assert.ok(ms < 20_000, `took ${ms} ms`);
    assert.match(run.stderr(), /schema registry unreachable at http:\/\/127\.0\.0\.1:1.*SCHEMA_REGISTRY_URL/);
    assert.ok(!`${run.stdout()}${run.stderr()}`.includes(password), 'the password is in the output');
  });

  it('fails fast on bad configuration, naming the variable', async () => {
    const run = runService(MAIN, ['simulate'], { KAFKA_BROKERS: 'not a broker list', TOPIC_PARTITIONS: 'zero' });
    const { code } = await run.exited;
    assert.equal(code, 78);
    assert.match(run.stderr(), /KAFKA_BROKERS must be a comma-separated list of host:port/);
    assert.match(run.stderr(), /TOPIC_PARTITIONS must be a positive integer; got "zero"/);
  });

  it('on SIGTERM mid-replay stops, flushes, exits 0, and everything it acknowledged is in Kafka exactly once', { skip: INDEX_DATA.skip }, async () => {
    const topics = uniqueTopics('ingest-sigterm');
    const run = runService(MAIN, ['replay', INDEX_DATA.path, '--rate', '4000'], topics.env);
    // Start-up (bootstrap, connect) takes about a second; then a few seconds of publishing.
    await new Promise((r) => setTimeout(r, 5000));
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    assert.equal(code, 0, run.stderr());
    assert.match(run.stdout(), /stopped early by signal/);
    const { published } = summaryOf(run.stdout());
    assert.ok(published > 1000 && published < 51_249, `published ${published}`);
    const got = await readDecoded<RawTick>(topics.raw, 'rawTick');
    assert.equal(got.length, published, 'Kafka holds exactly what was acknowledged');
    assert.equal(new Set(got.map((m) => m.value.source.line)).size, published, 'no duplicates');
  });

  it('SIGKILL mid-run: the open transaction stays invisible, and a rerun of the same source aborts it at once so readers see the rerun', async () => {
    const topics = uniqueTopics('ingest-sigkill');
    const killed = runService(MAIN, ['simulate', '--seed', '11', '--count', '400000', '--rate', '20000'], { ...topics.env, HTTP_PORT: '19114' });
    const committed = await waitForMetric(19114, 'stockstream_ingest_records_published_total', 4000, 30_000);
    assert.ok(committed >= 4000, `the run committed ${committed} records within 30 s`);
    killed.child.kill('SIGKILL');
    assert.equal((await killed.exited).signal, 'SIGKILL');

    const lines = (msgs: { value: RawTick }[]) => msgs.map((m) => m.value.source.line);
    const first = lines(await readDecoded<RawTick>(topics.raw, 'rawTick'));
    // Transactions commit in order: what a reader sees of the killed run is a prefix of it, each record once.
    assert.ok(first.length >= committed, `read ${first.length} committed records, the metric said ${committed}`);
    assert.deepEqual([...first].sort((a, b) => a - b), Array.from({ length: first.length }, (_, i) => i + 1));

    const rerun = runService(MAIN, ['simulate', '--seed', '11', '--count', '1000'], topics.env);
    const { code, ms } = await rerun.exited;
    assert.equal(code, 0, rerun.stderr());
    assert.ok(ms < 30_000, `the rerun took ${ms} ms (the broker's transaction timeout is 60 s)`);
    assert.deepEqual(summaryOf(rerun.stdout()), { published: 1000, deadLettered: 0 });
    // The rerun's records sit after the killed run's open transaction: read_committed shows them only if it was aborted.
    const after = lines(await readDecoded<RawTick>(topics.raw, 'rawTick'));
    assert.equal(after.length, first.length + 1000);
    const seen = new Map<number, number>();
    for (const l of after) seen.set(l, (seen.get(l) ?? 0) + 1);
    for (let l = 1; l <= 1000; l++) assert.equal(seen.get(l), l <= first.length ? 2 : 1, `line ${l}`);
  });

  it('--resume: runs SIGKILLed mid-run and restarted publish every record of the source exactly once, in order per index', async () => {
    const topics = uniqueTopics('ingest-resume');
    const args = ['simulate', '--seed', '12', '--count', '60000', '--rate', '15000', '--resume'];
    let published = 0;
    for (let kill = 0; kill < 2; kill++) {
      const run = runService(MAIN, args, { ...topics.env, HTTP_PORT: '19115' });
      published = await waitForMetric(19115, 'stockstream_ingest_records_published_total', 3000, 30_000);
      assert.ok(published >= 3000, `run ${kill + 1} committed ${published} records within 30 s`);
      run.child.kill('SIGKILL');
      assert.equal((await run.exited).signal, 'SIGKILL');
    }
    const last = runService(MAIN, args, topics.env);
    const { code } = await last.exited;
    assert.equal(code, 0, last.stderr());
    assert.match(last.stdout(), /resumed after \d+ items of an earlier run/);
    const msgs = await readDecoded<RawTick>(topics.raw, 'rawTick');
    const lines = msgs.map((m) => m.value.source.line).sort((a, b) => a - b);
    assert.deepEqual(lines, Array.from({ length: 60000 }, (_, i) => i + 1));
    // Per index (one partition each), the generator's order: the resumed runs continued where the last commit ended.
    const byIndex = new Map<string, number[]>();
    for (const m of msgs) byIndex.set(m.value.index, [...(byIndex.get(m.value.index) ?? []), m.value.source.line]);
    for (const [index, ls] of byIndex) assert.deepEqual(ls, [...ls].sort((a, b) => a - b), index);
    // A run after the source was fully published publishes nothing.
    const again = runService(MAIN, args, topics.env);
    assert.equal((await again.exited).code, 0, again.stderr());
    assert.deepEqual(summaryOf(again.stdout()), { published: 0, deadLettered: 0 });
  });
});
