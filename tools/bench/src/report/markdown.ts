// The report as Markdown: what `make bench` prints at the end and writes to
// report.md. Pure.
import type { BenchReport, ProcessFigures, RunFigures } from './model.js';
import { MIB } from './bench-targets.js';
import { describeVerdict, figure, ratio } from './targets.js';

const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

function perProcess(procs: readonly ProcessFigures[], value: (p: ProcessFigures) => string | null): string {
  return procs
    .map((p) => {
      const v = value(p);
      return v === null ? null : `${p.name}${p.count > 1 ? ` ×${p.count}` : ''} ${v}`;
    })
    .filter((s) => s !== null)
    .join(', ');
}

/** CPU seconds per million records, per kind of process. */
export function cpuCell(run: Pick<RunFigures, 'records' | 'processes'>): string {
  return perProcess(run.processes, (p) => figure((p.cpuSeconds * 1e6) / run.records));
}

/** Peak RSS in MiB per kind of process; '~' marks a largest RSS seen while polling rather than the process's own peak. */
export function rssCell(procs: readonly ProcessFigures[]): string {
  return perProcess(procs, (p) => (p.peakRssBytes === null ? null : `${p.rss === 'sampled' ? '~' : ''}${Math.round(p.peakRssBytes / MIB)}`));
}

function ratioCell(run: RunFigures, runs: readonly RunFigures[]): string {
  const ceiling = runs.find((r) => r.id === run.ceiling);
  const q = ceiling ? ratio(run.recordsPerSecond, ceiling.recordsPerSecond) : null;
  return q === null || !ceiling ? '' : `${q.toFixed(2)} of ${ceiling.title}`;
}

const seconds = (s: number) => `${figure(s)} s`;

export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const out: string[] = [];
  out.push(`# StockStream benchmark, ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC`, '');
  out.push(`${m.host}: ${m.cpus} × ${m.cpuModel}, ${figure(m.memoryGiB)} GiB, Node ${m.node}, Kafka ${m.kafka}. ` +
    `Broker, registry, S3 server and the services share the machine.`, '');
  out.push(row(['run', 'records', 'seconds', 'records/s', 'MB/s', 'ratio to its ceiling', 'CPU s per 1M records', 'peak RSS MiB']));
  out.push(row(['---', '---:', '---:', '---:', '---:', '---', '---', '---']));
  for (const r of report.runs) {
    out.push(row([r.title, figure(r.records), figure(r.seconds), figure(r.recordsPerSecond), r.mbPerSecond === null ? '' : figure(r.mbPerSecond),
      ratioCell(r, report.runs), cpuCell(r), rssCell(r.processes)]));
  }
  out.push('', 'Clocks: ' + report.runs.map((r) => `${r.title}: ${r.clock}`).join('; ') + '.');
  out.push('Peak RSS: the process\'s own peak (VmHWM); "~" the largest RSS seen every 200 ms during the run (the shared JVMs).');

  const latencies = report.runs.filter((r) => r.latency !== null);
  if (latencies.length > 0) {
    out.push('', '## Latency: ingestedAt → its object landed in S3', '');
    out.push(row(['run', 'rotation', 'records', 'p50', 'p90', 'p99', 'max']));
    out.push(row(['---', '---', '---:', '---:', '---:', '---:', '---:']));
    for (const r of latencies) {
      const l = r.latency!;
      const rot = Object.entries(l.rotation).map(([k, v]) => `${k}=${v}`).join(' ');
      out.push(row([r.title, rot, figure(l.seconds.count), seconds(l.seconds.p50), seconds(l.seconds.p90), seconds(l.seconds.p99), seconds(l.seconds.max)]));
    }
  }

  if (report.queries) {
    const q = report.queries;
    out.push('', `## Example queries over the pipeline's lake (${figure(q.records)} rows, ${q.objects} objects, ${figure(q.megabytes)} MB)`, '');
    out.push(`\`stockstream query --example all\`, twice: first fetching the lake from S3 (${seconds(q.fetchSeconds)}), then with it on disk.`, '');
    out.push(row(['query', 'first run', 'second run']));
    out.push(row(['---', '---:', '---:']));
    for (const x of q.queries) out.push(row([x.name, seconds(x.seconds), seconds(x.againSeconds)]));
    out.push('', `Query process: CPU ${perProcess(q.processes, (p) => seconds(p.cpuSeconds))}; peak RSS MiB ${rssCell(q.processes)}.`);
  }

  out.push('', '## Targets', '');
  for (const v of report.verdicts) out.push(`- ${describeVerdict(v)}`);
  if (report.notes.length > 0) {
    out.push('', '## Notes', '');
    for (const n of report.notes) out.push(`- ${n}`);
  }
  return out.join('\n') + '\n';
}
