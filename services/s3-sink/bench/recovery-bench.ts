// The sink's recovery cost against lakes of growing size: how long the real
// sink (dist/src/main.js) takes from start to "partitions assigned; recovered
// uploaded offsets" (after which it consumes), and the recovery itself
// (recoveryMs of that line), with 10^4, 10^5 and 10^6 objects in the table.
//
// The lakes are made directly in the local stack's S3Proxy (filesystem
// backend: an object is a file under <STACK_DIR>/s3/data/<bucket>/<key>), as
// empty files with lake keys of another topic: a listing walks them all, the
// checkpoints never look at them. Per lake size, the sink is started twice on
// a fresh topic: the first start finds no checkpoint (a lake an older version
// wrote: one listing, then the checkpoints are written), the second reads them.
//
//   scripts/bench.sh sink-recovery [--objects 10000,100000,1000000] [--timeout-s 900] [--starts 2] [--checkpointed] [--sink path/to/main.js]
//
// --sink runs another build's sink (e.g. an older one, which lists every time).
// --checkpointed puts each partition's checkpoint in place first (what a first
// run of this version leaves), so every start measures the checkpoint path:
// at 10^6 objects the one-time listing alone takes many minutes.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { uniqueTopics } from '@stockstream/common/testing';
import { checkpointFor, encodeCheckpoint } from '../src/pipeline/checkpoint.js';
import { checkpointKey } from '../src/storage/object-key.js';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '10000,100000,1000000' },
    'timeout-s': { type: 'string', default: '900' },
    sink: { type: 'string', default: fileURLToPath(new URL('../src/main.js', import.meta.url)) },
    starts: { type: 'string', default: '2' },
    checkpointed: { type: 'boolean', default: false },
  },
});
const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const DATA = join(process.env.STACK_DIR ?? join(REPO, '.stack'), 's3', 'data');
const PREFIX = 'lake';
const INDICES = Array.from({ length: 14 }, (_, i) => `IDX${String(i).padStart(2, '0')}`);
const YEARS = Array.from({ length: 60 }, (_, i) => 1966 + i); // 840 lake partitions, as many as the real data has at most

/** N empty objects under <bucket>/lake/ticks/index=../year=../, made once per bucket (a marker file says it is complete). */
function makeLake(bucket: string, n: number): void {
  const done = join(DATA, bucket, '.bench-complete');
  if (existsSync(done)) return;
  const per = Math.ceil(n / (INDICES.length * YEARS.length));
  let made = 0;
  for (const index of INDICES) {
    for (const year of YEARS) {
      const dir = join(DATA, bucket, PREFIX, 'ticks', `index=${index}`, `year=${year}`);
      mkdirSync(dir, { recursive: true });
      for (let k = 0; k < per && made < n; k++, made++) {
        const first = String(k * 1000).padStart(20, '0');
        const last = String(k * 1000 + 999).padStart(20, '0');
        writeFileSync(join(dir, `bench.other+${k % 3}+${first}+${last}.parquet`), '');
      }
    }
  }
  writeFileSync(done, String(made));
}

interface Start {
  wallMs: number | null;
  recoveryMs: number | null;
  listed: number[] | null;
}

/** Starts the sink, waits for its recovery line (or the timeout), stops it. */
async function startSink(bucket: string, topics: ReturnType<typeof uniqueTopics>, group: string, timeoutMs: number): Promise<Start> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [values.sink!], {
    env: { ...process.env, ...topics.env, S3_BUCKET: bucket, S3_PREFIX: PREFIX, SINK_GROUP_ID: group, HTTP_PORT: '0', LOG_LEVEL: 'info', S3_REQUEST_TIMEOUT_MS: String(timeoutMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const result = await new Promise<Start>((resolve) => {
    const timer = setTimeout(() => resolve({ wallMs: null, recoveryMs: null, listed: null }), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('recovered uploaded offsets'));
      if (!line) return;
      clearTimeout(timer);
      const j = JSON.parse(line) as { recoveryMs?: number; listed?: number[] };
      resolve({ wallMs: performance.now() - t0, recoveryMs: j.recoveryMs ?? null, listed: j.listed ?? null });
    });
    child.on('exit', () => {
      clearTimeout(timer);
      resolve({ wallMs: null, recoveryMs: null, listed: null });
    });
  });
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await new Promise((r) => child.once('exit', r));
    clearTimeout(killer);
  }
  if (result.wallMs === null && child.exitCode !== null && child.exitCode !== 0 && child.signalCode === null) console.error(err.slice(-2000));
  return result;
}

const timeoutMs = Number(values['timeout-s']) * 1000;
console.log(`sink: ${values.sink}`);
console.log('objects    start  start->recovered(s)  recovery(s)  listed');
for (const n of values.objects!.split(',').map(Number)) {
  const bucket = `rec-bench-${n}`;
  const t = performance.now();
  makeLake(bucket, n);
  const made = (performance.now() - t) / 1000;
  if (made > 1) console.log(`(made the ${n}-object lake in ${made.toFixed(0)} s)`);
  // The same topic for every start (checkpoints are per topic and partition), a new group each time.
  const topics = uniqueTopics('recbench');
  if (values.checkpointed) {
    for (let p = 0; p < Number(topics.env.TOPIC_PARTITIONS); p++) {
      const file = join(DATA, bucket, checkpointKey(PREFIX, 'ticks', topics.enriched, p));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, encodeCheckpoint(checkpointFor(topics.enriched, p, new Map(), [])));
    }
  }
  for (let i = 1; i <= Number(values.starts); i++) {
    const r = await startSink(bucket, topics, `g-${topics.enriched}-${i}`, timeoutMs);
    const wall = r.wallMs === null ? `> ${values['timeout-s']}` : (r.wallMs / 1000).toFixed(2);
    const rec = r.recoveryMs === null ? '-' : (r.recoveryMs / 1000).toFixed(3);
    console.log(`${String(n).padEnd(10)} ${String(i).padEnd(6)} ${wall.padEnd(20)} ${rec.padEnd(12)} ${r.listed === null ? '-' : JSON.stringify(r.listed)}`);
  }
}


