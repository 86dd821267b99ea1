// Query latency of the example questions over the pipeline's lake, as users
// ask them: `stockstream query --example all`, twice (the first run fetches
// the lake from S3 to local disk, the second finds it there).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLE_NAMES, EXAMPLE_QUERIES } from '@stockstream/s3-sink/dist/src/lake/example-queries.js';
import type { QueryRun } from '../report/model.js';
import { STOCKSTREAM, type BenchContext } from './bench-runs.js';
import { parseQueryOutput, type QueryOutput } from './tool-output.js';

export async function queryRun(ctx: BenchContext, bucket: string, records: number): Promise<QueryRun> {
  const cache = mkdtempSync(join(tmpdir(), 'bench-lake-'));
  const meter = ctx.meter();
  try {
    const once = async (): Promise<QueryOutput> => {
      const p = meter.spawn({
        name: 'query', service: false, command: process.execPath, args: [STOCKSTREAM, 'query', '--example', 'all', '--format', 'table'],
        env: { S3_BUCKET: bucket, LAKE_CACHE_DIR: cache, LOG_LEVEL: 'warn' },
      });
      const out = parseQueryOutput(await p.succeeded(), p.stderr());
      if (!out) throw new Error(`no timings from stockstream query: ${p.stderr().slice(-1000)}`);
      return out;
    };
    const first = await once();
    const second = await once();
    const seconds = (out: QueryOutput, title: string) => out.queries.find((q) => q.title === title)?.seconds ?? Number.NaN;
    return {
      records, objects: first.objects, megabytes: first.megabytes, fetchSeconds: first.fetchSeconds,
      queries: EXAMPLE_NAMES.map((name) => {
        const title = EXAMPLE_QUERIES[name].title;
        return { name, title, seconds: seconds(first, title), againSeconds: seconds(second, title) };
      }),
      processes: meter.finish(),
    };
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
}
