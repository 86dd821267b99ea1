// The line ingest prints when it ends, and its reading back: benchmarks
// (services/ingest/bench, tools/bench) take their figures from it, so the two
// live side by side and a change to one shows in the other's test.
import type { PublishSummary } from '../publish/publisher.js';

/** `resumedAfter`: with --resume, the items an earlier run had published (skipped by this one). */
export function formatSummaryLine(summary: PublishSummary, topics: { rawTopic: string; dlqTopic: string }, resumedAfter = 0): string {
  const mb = summary.bytes / 1e6;
  return (
    `ingest: read ${summary.read} rows, published ${summary.published} to ${topics.rawTopic}, ` +
    `dead-lettered ${summary.deadLettered} to ${topics.dlqTopic}${summary.deadLettered ? ` ${JSON.stringify(summary.deadLetteredByReason)}` : ''}, ` +
    `${summary.recordsPerSecond} records/s, ${(mb / (summary.seconds || 1)).toFixed(1)} MB/s` +
    `${resumedAfter ? ` (resumed after ${resumedAfter} items of an earlier run)` : ''}` +
    `${summary.stoppedEarly ? ' (stopped early by signal)' : ''}\n`
  );
}

export interface SummaryFigures {
  published: number;
  deadLettered: number;
  /** From the first record to the last commit: the service's start-up is not in it. */
  recordsPerSecond: number;
  mbPerSecond: number;
}

/** The figures of the summary line in `output` (a run's whole stdout), or null when it has none. */
export function parseSummaryLine(output: string): SummaryFigures | null {
  const m = /published (\d+) .*?dead-lettered (\d+) .*?, (\d+) records\/s, ([\d.]+) MB\/s/.exec(output);
  if (!m) return null;
  return { published: Number(m[1]), deadLettered: Number(m[2]), recordsPerSecond: Number(m[3]), mbPerSecond: Number(m[4]) };
}
