// The targets of the pipeline's benchmark (issue 15), over a report's runs.
// Reported, never asserted: a missed one says by how much.
import type { ProcessFigures, RunFigures } from './model.js';
import { judge, ratio, type Verdict } from './targets.js';

/** 1,000,000 records end to end in at most 10 seconds (on 2 cores). */
export const END_TO_END_RECORDS = 1_000_000;
export const END_TO_END_SECONDS = 10;
/** Every stage at least this fraction of its same-run ceiling. */
export const STAGE_CEILING_RATIO = 0.6;
/** Every service's peak RSS at most this (MiB). */
export const SERVICE_PEAK_RSS_MIB = 256;

export const MIB = 1024 * 1024;

export function benchVerdicts(runs: readonly RunFigures[]): Verdict[] {
  const verdicts: Verdict[] = [];
  // The target is for 1M records: start-up costs make a shorter run's time no fraction of it to judge.
  const pipeline = runs.find((r) => r.id === 'pipeline' && r.records === END_TO_END_RECORDS);
  if (pipeline) verdicts.push(judge('1M records end to end', pipeline.seconds, 'at most', END_TO_END_SECONDS, 's'));
  for (const stage of runs.filter((r) => r.kind === 'stage')) {
    const ceiling = runs.find((r) => r.id === stage.ceiling);
    const q = ceiling ? ratio(stage.recordsPerSecond, ceiling.recordsPerSecond) : null;
    if (q !== null) verdicts.push(judge(`${stage.title} to its ceiling`, q, 'at least', STAGE_CEILING_RATIO, ''));
  }
  for (const [name, bytes] of servicePeaks(runs.flatMap((r) => r.processes))) {
    verdicts.push(judge(`${name} peak RSS`, bytes / MIB, 'at most', SERVICE_PEAK_RSS_MIB, 'MiB'));
  }
  return verdicts;
}

/** The largest peak RSS of each service over all runs, in the order services first appear. */
function servicePeaks(processes: readonly ProcessFigures[]): Map<string, number> {
  const peaks = new Map<string, number>();
  for (const p of processes) {
    if (!p.service || p.peakRssBytes === null) continue;
    peaks.set(p.name, Math.max(peaks.get(p.name) ?? 0, p.peakRssBytes));
  }
  return peaks;
}
