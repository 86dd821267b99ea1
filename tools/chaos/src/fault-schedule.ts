// The faults of one chaos run, drawn from its seed alone: the same seed gives
// the same faults at the same offsets, so a failing run can be replayed.

import { mulberry32 } from '@stockstream/ingest/dist/src/source/prng.js';

export const SERVICES = ['ingest', 'enrichment', 's3-sink'] as const;
export type ServiceName = (typeof SERVICES)[number];
export type Component = 'kafka' | 'registry' | 's3';

export type Fault =
  | { kind: 'sigkill'; service: ServiceName }
  /** stack.sh down, then up again after `downSeconds` (0: at once, a restart). */
  | { kind: 'outage'; component: Component; downSeconds: number }
  /** A second instance of enrichment and of the sink joins their consumer groups... */
  | { kind: 'scale-out' }
  /** ...and leaves again (SIGTERM). */
  | { kind: 'scale-in' };

export interface ScheduledFault {
  /** Seconds after the services were started. */
  at: number;
  fault: Fault;
}

export interface ScheduleShape {
  /** Faults fall in [from, to) seconds: while ingest is still publishing. */
  from: number;
  to: number;
  killsPerService: number;
  /** Seconds the S3 server stays down. */
  s3DownSeconds: number;
}

/** Two kills of one service at least this far apart: the restart must have come up in between. */
export const MIN_KILL_GAP_S = 6;
/** Outages (broker, registry, S3) at least this far apart, so each one is recovered from on its own. */
export const MIN_OUTAGE_GAP_S = 10;

/**
 * The seeded schedule: `killsPerService` SIGKILLs of each service at random
 * times, one broker restart, one registry restart, one S3 outage (no two of
 * them within MIN_OUTAGE_GAP_S), and a scale-out followed by a scale-in.
 * Sorted by time. Throws when the window is too short to fit them.
 */
export function faultSchedule(seed: number, shape: ScheduleShape): ScheduledFault[] {
  const { from, to } = shape;
  if (!(to > from)) throw new RangeError(`empty fault window [${from}, ${to})`);
  const random = mulberry32(seed);
  const uniform = (a: number, b: number) => Math.round((a + random() * (b - a)) * 10) / 10;
  /** `n` times in [a, b) at least `gap` apart: random gaps on top of the required ones. */
  const spread = (n: number, a: number, b: number, gap: number): number[] => {
    const slack = b - a - gap * (n - 1);
    if (slack < 0) throw new RangeError(`cannot fit ${n} faults ${gap} s apart in [${a}, ${b})`);
    const offsets = Array.from({ length: n }, () => uniform(0, slack)).sort((x, y) => x - y);
    return offsets.map((o, i) => Math.round((a + o + i * gap) * 10) / 10);
  };

  const out: ScheduledFault[] = [];
  for (const service of SERVICES) {
    for (const at of spread(shape.killsPerService, from, to, MIN_KILL_GAP_S)) out.push({ at, fault: { kind: 'sigkill', service } });
  }
  // The three outages in a random order, each fitting in the window with its down time.
  const outages: Fault[] = [
    { kind: 'outage', component: 'kafka', downSeconds: 0 },
    { kind: 'outage', component: 'registry', downSeconds: 0 },
    { kind: 'outage', component: 's3', downSeconds: shape.s3DownSeconds },
  ];
  for (let i = outages.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [outages[i], outages[j]] = [outages[j]!, outages[i]!];
  }
  const outageTimes = spread(outages.length, from, to - shape.s3DownSeconds, MIN_OUTAGE_GAP_S + shape.s3DownSeconds);
  outages.forEach((fault, i) => out.push({ at: outageTimes[i]!, fault }));
  const [scaleOut, scaleIn] = spread(2, from, to, MIN_OUTAGE_GAP_S);
  out.push({ at: scaleOut!, fault: { kind: 'scale-out' } }, { at: scaleIn!, fault: { kind: 'scale-in' } });
  return out.sort((a, b) => a.at - b.at);
}

export function describeFault(f: Fault): string {
  switch (f.kind) {
    case 'sigkill':
      return `SIGKILL ${f.service}`;
    case 'outage':
      return f.downSeconds > 0 ? `stop ${f.component} for ${f.downSeconds} s` : `restart ${f.component}`;
    case 'scale-out':
      return 'add a second enrichment and s3-sink instance';
    case 'scale-in':
      return 'remove the second enrichment and s3-sink instance (SIGTERM)';
  }
}
