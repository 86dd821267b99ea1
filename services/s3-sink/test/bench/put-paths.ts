// The two paths of small PUTs (smallPutPath() in s3-storage.ts) against the
// local S3-compatible server, alternating run by run so both see the same
// machine:
//   eval "$(deploy/local/stack.sh env)"; source scripts/node-env.sh
//   node services/s3-sink/dist/test/bench/put-paths.js [puts per run] [runs] [concurrency]
// Each run PUTs one lake-sized Parquet file (300 rows) under `puts` keys
// (overwritten run after run), `concurrency` at a time. Per path it prints the
// medians over the runs (a warm-up run of each is left out) of this process's
// CPU time per PUT (user + system: what the sink pays per object) and of PUTs/s
// (bounded by the server here, and by whatever else runs on the machine).
// Event-loop utilisation is not shown: it counts time the process waits for a
// core, so on a busy machine it says more about the neighbours than the path.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '@stockstream/common';
import { s3StorageConfig, sinkSettings } from '../../src/config.js';
import { ColumnBatch } from '../../src/format/column-batch.js';
import { ParquetRecordWriter } from '../../src/format/parquet-record-writer.js';
import { S3Storage, type SmallPutPath } from '../../src/storage/s3-storage.js';
import { manyRows } from '../unit/support/ticks.js';

const puts = Number(process.argv[2] ?? 500);
const runs = Number(process.argv[3] ?? 5);
const concurrency = Number(process.argv[4] ?? 8);
const cfg = loadConfig(sinkSettings);
if (!cfg.s3Endpoint) throw new Error('S3_ENDPOINT is not set (run: eval "$(deploy/local/stack.sh env)")');

const body = new ParquetRecordWriter().encode(ColumnBatch.of(manyRows(300)));
const bucket = `bench-put-${randomUUID().slice(0, 8)}`;
const PATHS: SmallPutPath[] = ['signed', 'sdk'];
const storages = new Map(PATHS.map((p) => [p, new S3Storage({ ...s3StorageConfig(cfg), bucket, smallPutPath: p })]));

interface Sample {
  cpuMsPerPut: number;
  putsPerSecond: number;
}

async function run(path: SmallPutPath): Promise<Sample> {
  const storage = storages.get(path)!;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < puts) {
        const i = next++;
        await storage.put(`bench/${path}/${i}.parquet`, body, 'application/vnd.apache.parquet');
      }
    }),
  );
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { cpuMsPerPut: (cpu.user + cpu.system) / 1000 / puts, putsPerSecond: puts / (wall / 1000) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  await storages.get('sdk')!.ensureBucket();
  console.log(`put-paths: ${puts} PUTs of ${body.length} B per run, ${concurrency} at a time, ${runs} runs per path (alternating, after a warm-up run of each) at ${cfg.s3Endpoint}`);
  for (const p of PATHS) await run(p);
  const samples = new Map<SmallPutPath, Sample[]>(PATHS.map((p) => [p, []]));
  for (let r = 0; r < runs; r++) {
    // Alternate which path goes first, so neither always follows the other's garbage.
    for (const p of r % 2 ? [...PATHS].reverse() : PATHS) samples.get(p)!.push(await run(p));
  }
  for (const p of PATHS) {
    const s = samples.get(p)!;
    const cpu = s.map((x) => x.cpuMsPerPut);
    console.log(
      `${p.padEnd(6)}  CPU ${median(cpu).toFixed(3)} ms/PUT (runs ${cpu.map((x) => x.toFixed(3)).join(' ')})  ` +
        `${median(s.map((x) => x.putsPerSecond)).toFixed(0)} PUTs/s`,
    );
  }
} finally {
  const storage = storages.get('sdk')!;
  for await (const o of storage.list('')) await storage.delete(o.key);
  await storage.client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
  for (const s of storages.values()) s.close();
}
