// The two sizes of a chaos run. Ingest is paced (--rate) so that it is still
// publishing when the last planned fault comes: the faults hit a pipeline at work.
import type { ChaosOptions } from './chaos-run.js';

type Variant = { summary: string; options: Omit<ChaosOptions, 'seed' | 'print'> };

export const CHAOS_VARIANTS: Record<'short' | 'full', Variant> = {
  short: {
    summary: '100,000 records, one fault of each kind (the variant make test runs, <= 2 minutes)',
    options: {
      validRows: 100_000, badRowCopies: 1, ratePerSecond: 1_700, partitions: 3, settleTimeoutS: 120, // a deadline, not a wait: a broker restart took 42 s to answer on a loaded 2-core machine, then the paced ingest still has its rest to publish
      schedule: { from: 5, to: 55, killsPerService: 1, s3DownSeconds: 10 },
    },
  },
  full: {
    summary: '1,000,000 records, every service SIGKILLed 3 times, broker and registry restarted, S3 down 10 s, a rebalance',
    options: {
      validRows: 1_000_000, badRowCopies: 3, ratePerSecond: 6_000, partitions: 6, settleTimeoutS: 240,
      schedule: { from: 8, to: 140, killsPerService: 3, s3DownSeconds: 10 },
    },
  },
};
