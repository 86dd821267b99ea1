// A small report for the renderers' and targets' tests.
import type { BenchReport, RunFigures } from '../../../src/report/model.js';
import { distribution, percentileCurve } from '../../../src/report/percentiles.js';

const MIB = 1024 * 1024;

export function runFigures(over: Partial<RunFigures> & Pick<RunFigures, 'id'>): RunFigures {
  return {
    title: over.id, kind: 'stage', records: 1_000_000, seconds: 1, recordsPerSecond: 1_000_000, mbPerSecond: 87, ceiling: null, clock: 'c',
    processes: [], latency: null, notes: [], ...over,
  };
}

export function report(): BenchReport {
  const latency = [1.2, 1.5, 2.0, 2.2, 9.0];
  return {
    startedAt: '2026-12-03T23:00:00.000Z', finishedAt: '2026-12-03T23:05:00.000Z',
    machine: { host: 'box', cpus: 2, cpuModel: 'Xeon', memoryGiB: 23.4, node: 'v20.19.0', kafka: '4.4.0' },
    settings: { records: 1_000_000 },
    runs: [
      runFigures({
        id: 'ingest', title: 'ingest', ceiling: 'ceiling.produce', recordsPerSecond: 200_000, seconds: 5,
        processes: [
          { name: 'ingest', count: 1, cpuSeconds: 9, peakRssBytes: 180 * MIB, rss: 'peak', service: true },
          { name: 'broker', count: 1, cpuSeconds: 4, peakRssBytes: 900 * MIB, rss: 'sampled', service: false },
        ],
      }),
      runFigures({ id: 'ceiling.produce', title: 'producer ceiling', kind: 'ceiling', recordsPerSecond: 250_000, seconds: 4 }),
      runFigures({
        id: 's3-sink', title: 's3-sink', ceiling: 'ceiling.consume', recordsPerSecond: 100_000, seconds: 10, mbPerSecond: null,
        processes: [{ name: 's3-sink', count: 1, cpuSeconds: 14, peakRssBytes: 300 * MIB, rss: 'peak', service: true }],
      }),
      runFigures({ id: 'ceiling.consume', title: 'consume ceiling', kind: 'ceiling', recordsPerSecond: 333_333, seconds: 3 }),
      runFigures({
        id: 'pipeline', title: 'pipeline, full speed', kind: 'pipeline', seconds: 12.5, recordsPerSecond: 80_000,
        processes: [{ name: 'ingest', count: 3, cpuSeconds: 12, peakRssBytes: 150 * MIB, rss: 'peak', service: true }],
        latency: { rotation: { SINK_ROTATE_IDLE_MS: '1000' }, seconds: distribution(latency), curve: percentileCurve(latency) },
      }),
    ],
    queries: {
      records: 1_000_000, objects: 1800, megabytes: 31.2, fetchSeconds: 2.1,
      queries: [{ name: 'latest_close_usd', title: 'Latest close in USD per index', seconds: 0.12, againSeconds: 0.08 }],
      processes: [{ name: 'query', count: 2, cpuSeconds: 3, peakRssBytes: 200 * MIB, rss: 'peak', service: false }],
    },
    verdicts: [],
    notes: ['the machine was busy'],
  };
}
