// One chaos run, the imperative shell: writes the seeded input, computes what a
// fault-free run gives, starts ingest, enrichment and the sink under a
// supervisor, injects the seeded faults, waits until the pipeline is idle, and
// checks the lake (SQL) and the dead-letter topic (read_committed) against the
// expectation. The decisions (schedule, input, expectation, accounting) are
// the pure modules next to this one.

import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  KafkaProducer, SchemaRegistryClient, bootstrapPipeline, createLogger, decodeTopic, frame, kafkaSettings, loadConfig, registerTopicSchema, registrySettings, topicSettings,
  type DeadLetter, type RawTick,
} from '@stockstream/common';
import { defaultSchemasDir } from '@stockstream/common/schema-files';
import { isReady } from '@stockstream/common/testing';
import { parseIndexReference } from '@stockstream/enrichment/dist/src/reference/index-reference.js';
import { readCsvFileBatches } from '@stockstream/ingest/dist/src/source/csv-file-source.js';
import { s3StorageConfig, sinkSettings } from '@stockstream/s3-sink/dist/src/config.js';
import { LakeSql } from '@stockstream/s3-sink/dist/src/lake/lake-sql.js';
import { mirrorLake } from '@stockstream/s3-sink/dist/src/lake/lake-mirror.js';
import { S3Storage } from '@stockstream/s3-sink/dist/src/storage/s3-storage.js';
import { checkDeadLetters, differences, formatAccounting, type Accounting, type LakeCheck } from './accounting.js';
import {
  COMPARED_COLUMNS, enrichmentContext, expectedRowCsv, itemOutcome, recordOfLine, recordOfOffset, type DeadLetterId,
} from './expected-outcome.js';
import { describeFault, faultSchedule, type ScheduleShape, type ScheduledFault } from './fault-schedule.js';
import { NO_FX_INDEX, chaosInput } from './input-file.js';
import { stack } from './stack-control.js';
import { Supervised } from './supervisor.js';

export interface ChaosOptions {
  seed: number;
  validRows: number;
  /** Copies of each bad row (BAD_ROWS) in the input. */
  badRowCopies: number;
  /** Ingest's --rate: paced so that it is still publishing while the faults happen. */
  ratePerSecond: number;
  partitions: number;
  schedule: ScheduleShape;
  /** After the last fault, how long the pipeline may take to become idle. */
  settleTimeoutS: number;
  /** Progress lines (the schedule as it happens). */
  print: (line: string) => void;
}

export interface ChaosResult {
  ok: boolean;
  accounting: Accounting;
  differences: string[];
  report: string;
  workDir: string;
}

const REPO = dirname(defaultSchemasDir());
const SCRIPTS = {
  ingest: join(REPO, 'services/ingest/dist/src/main.js'),
  enrichment: join(REPO, 'services/enrichment/dist/src/main.js'),
  's3-sink': join(REPO, 'services/s3-sink/dist/src/main.js'),
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const notAvailable = stack.available();
  if (notAvailable) throw new Error(notAvailable);
  const id = `${o.seed}-${randomUUID().slice(0, 6)}`;
  const workDir = await mkdtemp(join(tmpdir(), `chaos-${o.seed}-`));
  const logDir = join(workDir, 'logs');
  await mkdir(logDir);
  const started = Date.now();
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  const say = (line: string) => o.print(`[${elapsed()} s] ${line}`);

  // ---- input and expectation
  const input = chaosInput(o.seed, o.validRows, o.badRowCopies);
  const csv = join(workDir, `chaos-${o.seed}.csv`);
  await writeFile(csv, input.lines.join('\n') + '\n');
  const shipped = JSON.parse(await readFile(join(REPO, 'services/enrichment/data/indices.json'), 'utf8')) as { indices: unknown[] };
  const referenceFile = join(workDir, 'indices.json');
  await writeFile(referenceFile, JSON.stringify({ indices: [...shipped.indices, NO_FX_INDEX] }));
  const ctx = enrichmentContext(parseIndexReference(JSON.parse(await readFile(referenceFile, 'utf8')), referenceFile), Date.now());
  const expectedCsv = join(workDir, 'expected.csv');
  const out = createWriteStream(expectedCsv);
  out.write(COMPARED_COLUMNS.map(([c]) => c).join(',') + '\n');
  const expectedDead: DeadLetterId[] = [];
  let expectedRows = 0;
  for await (const batch of readCsvFileBatches(csv, { order: 'file' })) {
    let chunk = '';
    for (const item of batch) {
      const r = itemOutcome(item, ctx);
      if (r.enriched) {
        expectedRows++;
        chunk += expectedRowCsv(r.enriched) + '\n';
      } else expectedDead.push(r.deadLetter!);
    }
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((r) => out.end(r));
  // The input must hold what it claims: each injected row dead-lettered with its own reason, nothing else.
  const wanted = input.injected.map((i) => `${i.stage}|${i.reason}|${recordOfLine(`chaos-${o.seed}.csv`, i.line)}`).sort();
  const got = expectedDead.map((d) => `${d.stage}|${d.reason}|${d.record}`).sort();
  if (JSON.stringify(wanted) !== JSON.stringify(got)) throw new Error(`the generated input is not what it should be: injected ${wanted.length} bad rows, a fault-free reading rejects ${got.length}`);
  say(`input: ${input.validRows} valid rows + ${input.injected.length} bad rows in ${csv}; expected lake rows ${expectedRows}`);

  // ---- topics, schemas, poison messages
  const topicEnv = {
    TOPIC_RAW: `chaos.${id}.raw`, TOPIC_ENRICHED: `chaos.${id}.enriched`, TOPIC_DLQ: `chaos.${id}.dlq`, TOPIC_FX: `chaos.${id}.fx`,
    TOPIC_PARTITIONS: String(o.partitions),
  };
  const env = { ...process.env, ...topicEnv } as NodeJS.ProcessEnv;
  const kafka = loadConfig(kafkaSettings, env);
  const topics = loadConfig(topicSettings, env);
  const registry = new SchemaRegistryClient(loadConfig(registrySettings, env));
  const logger = createLogger('chaos', 'warn');
  await bootstrapPipeline({ kafka, topics, registry, logger, clientId: 'stockstream-chaos' });
  const poison = await producePoison(kafka, registry, topics.rawTopic, topics.enrichedTopic, logger);
  expectedDead.push(...poison);
  say(`topics chaos.${id}.*, ${o.partitions} partitions; ${poison.length} poison messages produced (${poison.map((p) => p.reason).join(', ')})`);

  // ---- services
  const sinkPrefix = `chaos/${id}`;
  const common: Record<string, string> = { ...topicEnv, LOG_LEVEL: 'warn' };
  const enrichmentEnv = (instance: string) => ({ ...common, ENRICHMENT_GROUP_ID: `chaos-${id}-enrichment`, ENRICHMENT_INSTANCE_ID: `chaos-${id}-${instance}`, INDEX_REFERENCE_FILE: referenceFile });
  // Short rotation so the last files close soon after the input ends.
  const sinkEnv = { ...common, SINK_GROUP_ID: `chaos-${id}-sink`, S3_PREFIX: sinkPrefix, SINK_ROTATE_MS: '10000', SINK_ROTATE_IDLE_MS: '3000' };
  const ingest = new Supervised('ingest', SCRIPTS.ingest, ['replay', csv, '--order', 'file', '--rate', String(o.ratePerSecond), '--resume'], common, await freePort(), 'on-failure', logDir);
  const enrichment = new Supervised('enrichment', SCRIPTS.enrichment, [], enrichmentEnv('a'), await freePort(), 'always', logDir);
  const sink = new Supervised('s3-sink', SCRIPTS['s3-sink'], [], { ...sinkEnv, SINK_INSTANCE_ID: 'a' }, await freePort(), 'always', logDir);
  const enrichment2 = new Supervised('enrichment-2', SCRIPTS.enrichment, [], enrichmentEnv('b'), await freePort(), 'always', logDir);
  // Its own instance id: one transactional.id per live instance (the same one would fence the other's dead letters).
  const sink2 = new Supervised('s3-sink-2', SCRIPTS['s3-sink'], [], { ...sinkEnv, SINK_INSTANCE_ID: 'b' }, await freePort(), 'always', logDir);
  const main = { ingest, enrichment, 's3-sink': sink } as const;
  const all = [ingest, enrichment, sink, enrichment2, sink2];

  const schedule = faultSchedule(o.seed, o.schedule);
  const log: string[] = [];
  const done: Promise<void>[] = [];
  let accounting: Accounting | undefined;
  const diffs: string[] = [];
  try {
    for (const s of [enrichment, sink, ingest]) s.start();
    const t0 = Date.now();
    const at = () => ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
    const note = (line: string) => {
      log.push(`  ${at()} s  ${line}`);
      say(line);
    };
    note(`started ingest (--rate ${o.ratePerSecond} --resume), enrichment, s3-sink; ${schedule.length} faults planned`);
    for (const f of schedule) {
      const wait = t0 + f.at * 1000 - Date.now();
      if (wait > 0) await sleep(wait);
      done.push(inject(f, { main, enrichment2, sink2, note, failed: (d) => diffs.push(d) }));
    }
    await Promise.all(done);

    // ---- idle: ingest finished, every partition consumed, no open file, for several polls in a row
    const deadline = Date.now() + o.settleTimeoutS * 1000;
    let calm = 0;
    let why = '';
    while (Date.now() < deadline && calm < 3) {
      await sleep(1500);
      why = await notIdle(ingest, [enrichment, sink], o.partitions);
      calm = why ? 0 : calm + 1;
    }
    if (calm < 3) diffs.push(`the pipeline was not idle ${o.settleTimeoutS} s after the last fault: ${why}`);
    note(calm >= 3 ? 'pipeline idle: ingest done, lag 0 on every partition, no open file' : `gave up waiting: ${why}`);

    // ---- checks
    const health = await Promise.all(
      [ingest, enrichment, sink].map(async (s) => {
        const ready = s === ingest || !s.running ? null : await readiness(s.httpPort);
        const healthy = s === ingest ? s.completed : s.running && s.upMs >= 10_000 && ready!.ok;
        const note = s === ingest
          ? (s.completed ? 'finished, exit 0' : `not finished (last: ${s.lastExit || 'running'})`)
          : s.running
            ? `up ${Math.round(s.upMs / 1000)} s${ready!.ok ? '' : `, not ready: ${ready!.body}`}`
            : `down (last: ${s.lastExit})`;
        return { name: s.name, kills: s.kills, ownExits: s.ownExits, healthyAtEnd: healthy, note };
      }),
    );
    for (const s of [enrichment2, sink2]) health.push({ name: s.name, kills: s.kills, ownExits: s.ownExits, healthyAtEnd: !s.running, note: s.running ? 'still running' : 'removed' });
    // Idle as the metrics see it can still leave closed files on their way to S3 (the sink's open-files gauge
    // no longer counts them): rows still missing are looked for again until the settle time is up. Rows that
    // never arrive are lost; duplicates and wrong rows do not go away by waiting, so they end the wait at once.
    let lake = await checkLake(env, sinkPrefix, expectedCsv, workDir);
    const lakeDeadline = Math.max(deadline, Date.now() + 30_000);
    for (let again = 1; lake.missing > 0 && Date.now() < lakeDeadline; again++) {
      note(`lake: ${lake.missing} rows not there yet; looking again (${again})`);
      await sleep(3000);
      lake = await checkLake(env, sinkPrefix, expectedCsv, workDir);
    }
    const found = (await decodeTopic<DeadLetter>(kafka, registry, topics.dlqTopic, 'deadLetter', { isolation: 'read_committed' })).map((m) => deadLetterId(m.value));
    accounting = {
      generatedRows: input.validRows, injectedRows: input.injected.length, poisonMessages: poison.length, expectedLakeRows: expectedRows,
      lake, deadLetters: checkDeadLetters(expectedDead, found), services: health,
    };
    for (const s of Object.values(main)) {
      if (s.kills < o.schedule.killsPerService) diffs.push(`${s.name} was SIGKILLed ${s.kills} times, the schedule asked for ${o.schedule.killsPerService} (it was not running at a planned kill)`);
    }
    diffs.push(...differences(accounting));
  } finally {
    await Promise.allSettled(done);
    await Promise.all(all.map((s) => s.stop()));
  }
  const report = [
    `chaos run: seed ${o.seed}, ${o.validRows.toLocaleString('en-US')} records, ${o.partitions} partitions (replay: --seed ${o.seed})`,
    'fault schedule (seconds after the services started; planned, then what happened)',
    ...schedule.map((f) => `  ${f.at.toFixed(1).padStart(6)} s  ${describeFault(f.fault)}`),
    'what happened',
    ...log,
    formatAccounting(accounting!),
    diffs.length === 0 ? 'result: PASS, no difference' : `result: FAIL\n${diffs.map((d) => `  - ${d}`).join('\n')}\n  logs: ${logDir}`,
  ].join('\n');
  if (diffs.length === 0) await rm(workDir, { recursive: true, force: true });
  return { ok: diffs.length === 0, accounting: accounting!, differences: diffs, report, workDir };
}

interface Targets {
  main: Record<'ingest' | 'enrichment' | 's3-sink', Supervised>;
  enrichment2: Supervised;
  sink2: Supervised;
  note: (line: string) => void;
  /** A fault that could not be carried out as planned: a difference of the run. */
  failed: (difference: string) => void;
}

async function inject(f: ScheduledFault, t: Targets): Promise<void> {
  const fault = f.fault;
  switch (fault.kind) {
    case 'sigkill': {
      const s = t.main[fault.service];
      // Down at that moment (restarting after an outage): the kill waits for the restart, so each service gets its kills.
      const deadline = Date.now() + 30_000;
      while (!s.running && !s.completed && Date.now() < deadline) await sleep(250);
      t.note(s.kill() ? `SIGKILL ${fault.service}${Date.now() > deadline - 29_500 ? ' (delayed: it was restarting)' : ''}` : `SIGKILL ${fault.service}: not running (${s.completed ? 'finished' : 'restarting'}), skipped`);
      return;
    }
    case 'outage': {
      t.note(`stop ${fault.component}`);
      await stack.down(fault.component);
      if (fault.downSeconds > 0) await sleep(fault.downSeconds * 1000);
      // Started again until it answers, as its own supervisor would; a component that never comes back fails the run.
      for (let attempt = 1; ; attempt++) {
        t.note(`start ${fault.component}${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
        try {
          await stack.up(fault.component);
          break;
        } catch (err) {
          t.note(`${fault.component} did not come up: ${(err as Error).message.split('\n')[1] ?? (err as Error).message}`);
          if (attempt === 3) {
            t.failed(`${fault.component} did not come up again after 3 starts`);
            return;
          }
          await stack.down(fault.component).catch(() => undefined);
        }
      }
      t.note(`${fault.component} is up again`);
      return;
    }
    case 'scale-out':
      t.enrichment2.start();
      t.sink2.start();
      t.note('second enrichment and s3-sink instances started (same consumer groups: rebalance)');
      return;
    case 'scale-in':
      t.note('second enrichment and s3-sink instances stopping (SIGTERM: rebalance)');
      await Promise.all([t.enrichment2.stop(), t.sink2.stop()]);
      t.note('second instances gone');
      return;
  }
}

async function metricsText(port: number): Promise<string | null> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(3000) });
    return r.ok ? await r.text() : null;
  } catch {
    return null;
  }
}

/** A service's /readyz: whether it answers 200, and what it says (which check is failing) when not. */
async function readiness(port: number): Promise<{ ok: boolean; body: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5_000) });
    return { ok: res.status === 200, body: (await res.text()).replace(/\s+/g, ' ').slice(0, 300) };
  } catch (err) {
    return { ok: false, body: `no answer (${(err as Error).message})` };
  }
}

/** Why the pipeline is not idle yet, or '' when it is. */
async function notIdle(ingest: Supervised, consumers: Supervised[], partitions: number): Promise<string> {
  if (!ingest.completed) return 'ingest has not finished';
  for (const s of consumers) {
    if (!s.running) return `${s.name} is not running`;
    if (!(await isReady(s.httpPort))) return `${s.name} is not ready`;
    const text = await metricsText(s.httpPort);
    if (text === null) return `${s.name} serves no metrics`;
    const lag = [...text.matchAll(/^stockstream_\w+_consumer_lag_records\{[^}]*\} (\S+)$/gm)].map((m) => Number(m[1]));
    if (lag.length < partitions) return `${s.name} reports lag for ${lag.length} of ${partitions} partitions`;
    const behind = lag.reduce((a, b) => a + b, 0);
    if (behind > 0) return `${s.name} is ${behind} records behind`;
    const open = /^stockstream_sink_open_files (\S+)$/m.exec(text);
    if (open && Number(open[1]) > 0) return `${s.name} has ${open[1]} open files`;
  }
  return '';
}

function deadLetterId(d: DeadLetter): DeadLetterId {
  const record = d.sourceFile !== null && d.sourceLine !== null
    ? recordOfLine(d.sourceFile, d.sourceLine)
    : recordOfOffset(d.sourceTopic ?? '?', d.sourcePartition ?? -1, d.sourceOffset ?? -1);
  return { stage: d.stage, reason: d.reason, record };
}

/**
 * Messages no stage can read, produced straight to the raw and enriched
 * topics: each must come out as one dead letter with its reason. A NaN price
 * cannot be written in a CSV file (ingest reads it as invalid_number); it can
 * arrive in Avro.
 */
async function producePoison(kafka: ReturnType<typeof loadConfig<typeof kafkaSettings>>, registry: SchemaRegistryClient, rawTopic: string, enrichedTopic: string, logger: ReturnType<typeof createLogger>): Promise<DeadLetterId[]> {
  const raw = await registerTopicSchema<RawTick>(registry, rawTopic, 'rawTick');
  const nan: RawTick = {
    index: 'HSI', date: 11_324, open: Number.NaN, high: 2, low: 1, close: 1.5, adjClose: 1.5, volume: 100, sourceCloseUsd: null,
    source: { kind: 'FILE', name: 'chaos-poison', line: 1 }, ingestedAt: Date.now(),
  };
  const messages: { topic: string; stage: string; reason: string; value: Buffer }[] = [];
  for (const [topic, stage] of [[rawTopic, 'ENRICHMENT'], [enrichedTopic, 'SINK']] as const) {
    messages.push(
      { topic, stage, reason: 'not_framed', value: Buffer.from('chaos: not a Confluent-framed value') },
      { topic, stage, reason: 'unknown_schema_id', value: frame(2_000_000_000, Buffer.from([0])) },
      { topic, stage, reason: 'avro_decode_error', value: frame(raw.id, Buffer.from([0xff, 0xff, 0xff])) },
    );
  }
  const producer = await KafkaProducer.connect(kafka, logger, { clientId: 'stockstream-chaos', deliveryReports: 'each' });
  const out: DeadLetterId[] = [];
  try {
    for (const m of messages) {
      const delivered = new Promise<{ partition: number; offset: number }>((resolve, reject) => {
        const q = producer.produce(m.topic, 'chaos-poison', m.value, (err, offset, partition) => (err ? reject(err) : resolve({ partition: partition!, offset: offset! })));
        if (q) q.catch(reject);
      });
      await producer.flush();
      const at = await delivered;
      out.push({ stage: m.stage, reason: m.reason, record: recordOfOffset(m.topic, at.partition, at.offset) });
    }
    const q = producer.produce(rawTopic, 'HSI', raw.serializer.encode(nan));
    if (q) await q;
    await producer.flush();
    out.push({ stage: 'ENRICHMENT', reason: 'non_finite_price', record: recordOfLine('chaos-poison', 1) });
  } finally {
    await producer.disconnect();
  }
  return out;
}

/** The lake as a user sees it: every object of the run's prefix through DuckDB, compared row by row with the expectation. */
async function checkLake(env: NodeJS.ProcessEnv, prefix: string, expectedCsv: string, workDir: string): Promise<LakeCheck> {
  const cfg = loadConfig(sinkSettings, { ...env, S3_PREFIX: prefix });
  const mirror = await mirrorLake(new S3Storage(s3StorageConfig(cfg)), prefix, 'ticks', join(workDir, 'lake'));
  const sql = await LakeSql.open(mirror.dir, 'parquet');
  try {
    const cols = COMPARED_COLUMNS.map(([c, t]) => `'${c}': '${t}'`).join(', ');
    await sql.query(`CREATE TABLE expected AS SELECT * FROM read_csv('${expectedCsv.replaceAll("'", "''")}', header = true, quote = '"', escape = '"', columns = {${cols}})`);
    const names = COMPARED_COLUMNS.map(([c]) => `"${c}"`);
    await sql.query(`CREATE TABLE got AS SELECT ${names.join(', ')} FROM ticks`);
    const differs = COMPARED_COLUMNS.slice(2).map(([c]) => `g."${c}" IS DISTINCT FROM e."${c}"`).join(' OR ');
    const q = await sql.query(`
      SELECT (SELECT count(*) FROM got),
             (SELECT count(*) FROM (SELECT DISTINCT source_name, source_line FROM got)),
             (SELECT count(*) FROM expected e ANTI JOIN got g USING (source_name, source_line)),
             (SELECT count(*) FROM got g ANTI JOIN expected e USING (source_name, source_line)),
             (SELECT count(*) FROM got g JOIN expected e USING (source_name, source_line) WHERE ${differs})`);
    const [rows, distinct, missing, unexpected, different] = q.rows[0]!.map(Number) as [number, number, number, number, number];
    const examples: string[] = [];
    if (rows !== distinct) {
      const d = await sql.query(`SELECT source_name, source_line, count(*) AS n FROM got GROUP BY ALL HAVING n > 1 ORDER BY source_line LIMIT 3`);
      for (const r of d.rows) examples.push(`duplicated: ${r[0]}:${r[1]} x${r[2]}`);
    }
    if (missing > 0) {
      const d = await sql.query(`SELECT source_name, source_line FROM expected e ANTI JOIN got g USING (source_name, source_line) ORDER BY source_line LIMIT 3`);
      for (const r of d.rows) examples.push(`missing: ${r[0]}:${r[1]}`);
    }
    if (different > 0) {
      const d = await sql.query(`SELECT g.*, e.* FROM got g JOIN expected e USING (source_name, source_line) WHERE ${differs} LIMIT 2`);
      for (const r of d.rows) examples.push(`different: ${JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
    }
    return { rows, distinct, missing, unexpected, different, examples };
  } finally {
    sql.close();
  }
}
