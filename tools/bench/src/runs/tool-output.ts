// What the benchmark reads from the output of the programs it runs. Pure.

export interface PerfFigures {
  records: number;
  recordsPerSecond: number;
  mbPerSecond: number;
}

/** kafka-producer-perf-test's closing line: '1000000 records sent, 285714.3 records/sec (27.25 MB/sec), ... 50th, ...'. */
export function parseProducerPerf(output: string): PerfFigures | null {
  const m = /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\).*50th/m.exec(output);
  return m ? { records: Number(m[1]), recordsPerSecond: Number(m[2]), mbPerSecond: Number(m[3]) } : null;
}

/**
 * kafka-consumer-perf-test's header and data line. Its own rate (nMsg.sec)
 * counts the group join (rebalance.time.ms); the fetch rate is the consuming
 * alone, comparable with the other ceilings' clocks, which start at the first record.
 */
export function parseConsumerPerf(output: string): (PerfFigures & { rebalanceMs: number }) | null {
  const lines = output.split('\n').map((l) => l.trim());
  const h = lines.findIndex((l) => l.startsWith('start.time'));
  if (h < 0 || !lines[h + 1]) return null;
  const names = lines[h]!.split(',').map((s) => s.trim());
  const cells = lines[h + 1]!.split(',').map((s) => s.trim());
  const get = (name: string) => Number(cells[names.indexOf(name)]);
  const r = { records: get('data.consumed.in.nMsg'), recordsPerSecond: get('fetch.nMsg.sec'), mbPerSecond: get('fetch.MB.sec'), rebalanceMs: get('rebalance.time.ms') };
  return Object.values(r).every(Number.isFinite) ? r : null;
}

/** The JSON line a ceiling script prints last. */
export function parseJsonLine<T>(output: string): T {
  const line = output.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as T;
  } catch {
    throw new Error(`expected a JSON line, got: ${output.slice(-500)}`);
  }
}

export interface QueryOutput {
  /** Seconds of each query, by its title, in order. */
  queries: { title: string; seconds: number }[];
  objects: number;
  megabytes: number;
  /** Fetching the lake (listing, and downloading what is not on disk yet). */
  fetchSeconds: number;
}

/** `stockstream query --example all --format table`: the lake line on stderr, a '<title> (0.123 s)' line per query on stdout. */
export function parseQueryOutput(stdout: string, stderr: string): QueryOutput | null {
  const lake = /: (\d+) objects, ([\d.]+) MB \(\d+ fetched\) in ([\d.]+) s/.exec(stderr);
  if (!lake) return null;
  const queries = [...stdout.matchAll(/^(.+) \(([\d.]+) s\)$/gm)].map((m) => ({ title: m[1]!, seconds: Number(m[2]) }));
  return { queries, objects: Number(lake[1]), megabytes: Number(lake[2]), fetchSeconds: Number(lake[3]) };
}

export interface Landing {
  key: string;
  records: number;
  landedAt: number;
}

/** The sink's debug lines 'object landed' (one per uploaded object) among its JSON log lines. */
export function parseLandings(log: string): Landing[] {
  const out: Landing[] = [];
  for (const line of log.split('\n')) {
    if (!line.includes('"object landed"')) continue;
    try {
      const j = JSON.parse(line) as { key: string; records: number; landedAt: number };
      out.push({ key: j.key, records: j.records, landedAt: j.landedAt });
    } catch {
      // a torn line: not ours to judge here; the record count check catches a missing landing
    }
  }
  return out;
}
