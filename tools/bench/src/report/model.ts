// The report's data: what report.json holds and the Markdown table and the
// chart are drawn from.
import type { Distribution } from './percentiles.js';
import type { Verdict } from './targets.js';

/** One kind of process during one run, e.g. the three ingest processes of the pipeline, or the broker. */
export interface ProcessFigures {
  name: string;
  /** Processes of this name in the run (ingest runs as three side by side in the pipeline). */
  count: number;
  /** User + system CPU of all of them during the run. */
  cpuSeconds: number;
  /** The largest peak RSS of one of them, bytes; null when it could not be read. */
  peakRssBytes: number | null;
  /**
   * 'peak': the process's own peak (VmHWM), for processes the run started;
   * 'sampled': the largest RSS seen during the run (polled), for the shared
   * broker, registry and S3 server, whose VmHWM covers their whole life.
   */
  rss: 'peak' | 'sampled';
  /** A StockStream service (ingest, enrichment, s3-sink): held to the memory target. */
  service: boolean;
}

export type RunKind = 'ceiling' | 'kafka-tool' | 'stage' | 'pipeline';

export interface LatencyFigures {
  /** Rotation the sink ran with, as its variables. */
  rotation: Record<string, string>;
  /** Seconds from each record's ingestedAt to the landing of its object in S3, over every record. */
  seconds: Distribution;
  /** Percentiles 1..100 of the same, in seconds: the chart's curve. */
  curve: number[];
}

export interface RunFigures {
  id: string;
  title: string;
  kind: RunKind;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  /** Megabytes (1e6) of Kafka values per second, input side; null when unknown. */
  mbPerSecond: number | null;
  /** Id of the run it is compared with (its same-run ceiling), or null. */
  ceiling: string | null;
  /** What the clock measured, from what to what. */
  clock: string;
  processes: ProcessFigures[];
  latency: LatencyFigures | null;
  notes: string[];
}

export interface QueryFigures {
  name: string;
  title: string;
  /** First run: right after the lake was fetched from S3. */
  seconds: number;
  /** Second run of the command, with the lake already on disk. */
  againSeconds: number;
}

export interface QueryRun {
  records: number;
  objects: number;
  megabytes: number;
  /** Fetching the lake from S3 to local disk on the first run (the second finds it there). */
  fetchSeconds: number;
  queries: QueryFigures[];
  processes: ProcessFigures[];
}

export interface Machine {
  host: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  kafka: string;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: Machine;
  settings: Record<string, string | number | boolean>;
  runs: RunFigures[];
  queries: QueryRun | null;
  verdicts: Verdict[];
  notes: string[];
}
