// "StockStream services runtime": the Node.js processes behind the pipeline,
// per instance (prom-client's default metrics under their standard names).
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { INSTANCE, Layout, board, labelVariable, percentiles, query, servicesUpPanel, statPanel, timeseriesPanel } from './panels.js';

export const RUNTIME_UID = 'stockstream-runtime';

const I = INSTANCE;
const WHO = '{{service}} {{instance}}';

export function runtimeDashboard(): Dashboard {
  const b = board(
    RUNTIME_UID,
    'StockStream services runtime',
    'CPU, memory, event loop and garbage collection of the ingest, enrichment and s3-sink processes, per instance.',
  ).withVariable(
    labelVariable('instance', 'Instance', 'Service instances (Prometheus instance label) of ingest, enrichment and s3-sink.', 'label_values(stockstream_build_info, instance)'),
  );

  new Layout(b)
    .row(
      'CPU and memory',
      timeseriesPanel({
        title: 'CPU',
        description: 'CPU time used per second of wall time, user and system together, per instance: 100% is one core. The JavaScript thread alone cannot go past one core; more means librdkafka, worker or thread-pool threads.',
        queries: [query(`sum by (service, instance) (rate(process_cpu_seconds_total{${I}}[$__rate_interval]))`, WHO)],
        unit: 'percentunit',
        min: 0,
      }),
      timeseriesPanel({
        title: 'CPU user and system',
        description: 'CPU time per second split into user and system time, per instance. High system time points at I/O: sockets (Kafka, S3) and files.',
        queries: [
          query(`sum by (service, instance) (rate(process_cpu_user_seconds_total{${I}}[$__rate_interval]))`, `${WHO} user`),
          query(`sum by (service, instance) (rate(process_cpu_system_seconds_total{${I}}[$__rate_interval]))`, `${WHO} system`),
        ],
        unit: 'percentunit',
        min: 0,
      }),
      timeseriesPanel({
        title: 'Resident memory',
        description: 'Resident set size of each process: JavaScript heap, buffers, librdkafka queues and native memory. Compare with the container memory limit (compose: 512 MiB ingest, 1 GiB enrichment and s3-sink).',
        queries: [query(`sum by (service, instance) (process_resident_memory_bytes{${I}})`, WHO)],
        unit: 'bytes',
        width: 8,
        min: 0,
      }),
      timeseriesPanel({
        title: 'JavaScript heap',
        description: 'V8 heap used and total (reserved) per instance. Used climbing across GCs without coming back down is a leak.',
        queries: [
          query(`sum by (service, instance) (nodejs_heap_size_used_bytes{${I}})`, `${WHO} used`),
          query(`sum by (service, instance) (nodejs_heap_size_total_bytes{${I}})`, `${WHO} total`),
        ],
        unit: 'bytes',
        width: 8,
        min: 0,
      }),
      timeseriesPanel({
        title: 'External memory',
        description: 'Memory of C++ objects bound to JavaScript objects (Buffers: Kafka messages, Parquet pages, S3 bodies) per instance.',
        queries: [query(`sum by (service, instance) (nodejs_external_memory_bytes{${I}})`, WHO)],
        unit: 'bytes',
        width: 8,
        min: 0,
      }),
    )
    .row(
      'Event loop and garbage collection',
      timeseriesPanel({
        title: 'Event loop lag',
        description: 'How late the event loop runs timers: p99 over the last sampling period and the latest sample, per instance. Lag in the hundreds of ms delays Kafka callbacks, health checks and scrapes.',
        queries: [
          query(`max by (service, instance) (nodejs_eventloop_lag_p99_seconds{${I}})`, `${WHO} p99`),
          query(`max by (service, instance) (nodejs_eventloop_lag_seconds{${I}})`, `${WHO} latest`),
        ],
        unit: 's',
        min: 0,
      }),
      timeseriesPanel({
        title: 'GC time per second by kind',
        description: 'Share of wall time spent in garbage collection pauses, by GC kind (minor: scavenges of the young generation; major: mark-sweep-compact; incremental, weakcb), per instance.',
        queries: [query(`sum by (service, instance, kind) (rate(nodejs_gc_duration_seconds_sum{${I}}[$__rate_interval]))`, `${WHO} {{kind}}`)],
        unit: 'percentunit',
        stacked: true,
        min: 0,
      }),
      timeseriesPanel({
        title: 'GC runs per second by kind',
        description: 'Garbage collections per second by kind, per instance. Many minor GCs follow the allocation rate (records per second).',
        queries: [query(`sum by (service, instance, kind) (rate(nodejs_gc_duration_seconds_count{${I}}[$__rate_interval]))`, `${WHO} {{kind}}`)],
        width: 8,
        min: 0,
      }),
      timeseriesPanel({
        title: 'GC pause p99',
        description: 'p99 duration of one garbage collection pause, per instance (all kinds).',
        queries: percentiles('nodejs_gc_duration_seconds', I, 'GC pause', [0.99]).map((q) => ({
          expr: q.expr.replace('sum by (le)', 'sum by (service, instance, le)'),
          legend: `${WHO} p99`,
        })),
        unit: 's',
        width: 8,
        min: 0,
      }),
      timeseriesPanel({
        title: 'Active handles by type',
        description: 'libuv handles keeping each process alive (sockets, timers, file handles), by type. A count that only grows is a leak of connections or timers.',
        queries: [query(`sum by (service, instance, type) (nodejs_active_handles{${I}})`, `${WHO} {{type}}`)],
        width: 8,
        min: 0,
      }),
    )
    .row(
      'Processes',
      statPanel({
        title: 'Uptime',
        description: 'Time since each process started. A short uptime on a long-running service (enrichment, s3-sink) means it restarted: see its logs.',
        queries: [query(`time() - max by (service, instance) (process_start_time_seconds{${I}})`, WHO)],
        unit: 's',
        base: 'yellow',
        steps: [[600, 'green']],
        width: 12,
        height: 6,
      }),
      servicesUpPanel({ width: 12, height: 6 }),
    );
  return b.build();
}
