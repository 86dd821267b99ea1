import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Registry, collectDefaultMetrics, Counter, Gauge, Histogram } from 'prom-client';
import { defaultSchemasDir } from '../serde/schema-files.js';

export { Registry, Counter, Gauge, Histogram };

/** The project's own metrics are prefixed so that one Prometheus can scrape every service beside others. */
export const METRIC_PREFIX = 'stockstream_';

/**
 * prom-client's defaults that break Prometheus's naming rules (gauges ending
 * in `_total`, which `promtool check metrics` rejects); the per-type gauges
 * `nodejs_active_handles`, `..._requests`, `..._resources` say the same.
 */
const NONCONFORMING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * A registry with the process and Node.js runtime metrics under their
 * standard names (no prefix: community Node.js dashboards and alerts read
 * them as they are), every series labelled with the service, and
 * `stockstream_build_info`.
 */
export function createMetricsRegistry(service: string, build: BuildInfo = buildInfo()): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  for (const name of NONCONFORMING_DEFAULTS) registry.removeSingleMetric(name);
  new Gauge({
    name: `${METRIC_PREFIX}build_info`, help: 'Always 1; the labels say which build runs (version, git commit, Node.js and librdkafka versions).',
    labelNames: ['version', 'commit', 'node_version', 'librdkafka_version'] as const, registers: [registry],
  }).set({ version: build.version, commit: build.commit, node_version: build.nodeVersion, librdkafka_version: build.librdkafkaVersion }, 1);
  return registry;
}

export interface BuildInfo {
  version: string;
  commit: string;
  nodeVersion: string;
  librdkafkaVersion: string;
}

/**
 * What runs: the project's version (root package.json), its git commit
 * (STOCKSTREAM_GIT_COMMIT, set in the image at build time; else read from
 * the checkout's .git; else "unknown"), Node's and librdkafka's versions.
 */
export function buildInfo(librdkafkaVersion = 'unknown'): BuildInfo {
  const repo = dirname(defaultSchemasDir());
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version?: string }).version ?? version;
  } catch {
    // a layout without the root package.json
  }
  return { version, commit: process.env.STOCKSTREAM_GIT_COMMIT || gitCommit(repo), nodeVersion: process.version, librdkafkaVersion };
}

function gitCommit(repo: string): string {
  try {
    const head = readFileSync(join(repo, '.git', 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    try {
      return readFileSync(join(repo, '.git', ref), 'utf8').trim();
    } catch {
      const packed = readFileSync(join(repo, '.git', 'packed-refs'), 'utf8');
      return packed.split('\n').find((l) => l.endsWith(` ${ref}`))?.split(' ')[0] ?? 'unknown';
    }
  } catch {
    return 'unknown';
  }
}

/** Seconds buckets from 0.5 ms to ~16 s, for produce and transaction latencies. */
export const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16];

/**
 * Latency histograms observe one record in this many (ingest: produce to
 * commit; enrichment: ingest to visible; sink: ingest to S3): still
 * thousands of observations per second at full speed, a fraction of the cost.
 * A power of two.
 */
export const LATENCY_SAMPLE_EVERY = 16;

/** Seconds buckets from 50 ms to 10 min, for a record's way through the pipeline (ingest to visible, ingest to S3). */
export const PIPELINE_LATENCY_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60, 120, 300, 600];

/**
 * What a consumer-group member reports, under the service's prefix: lag per
 * partition (series of partitions it no longer owns are removed), the
 * partitions it owns, the rebalances it went through and the offset commits
 * the broker refused. GroupConsumer.instrument() keeps them current.
 */
export interface ConsumerMetrics {
  lag: Gauge<'topic' | 'partition'>;
  assignedPartitions: Gauge;
  rebalances: Counter<'event'>;
  commitFailures: Counter;
}

export function createConsumerMetrics(registry: Registry, prefix: string, topicDescription: string): ConsumerMetrics {
  return {
    lag: new Gauge({ name: `${prefix}consumer_lag_records`, help: `Records behind the end of each assigned partition of the ${topicDescription}.`, labelNames: ['topic', 'partition'] as const, registers: [registry] }),
    assignedPartitions: new Gauge({ name: `${prefix}assigned_partitions`, help: `Partitions of the ${topicDescription} assigned to this instance.`, registers: [registry] }),
    rebalances: new Counter({ name: `${prefix}rebalances_total`, help: 'Assignment changes applied, by event (assign or revoke).', labelNames: ['event'] as const, registers: [registry] }),
    commitFailures: new Counter({ name: `${prefix}commit_failures_total`, help: 'Offset commits the broker refused (each is retried or leads to recovery).', registers: [registry] }),
  };
}
