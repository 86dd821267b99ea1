// Every PromQL expression StockStream ships: the dashboards' panel queries and
// variable selectors, and the alert rules' expressions. A test against a live
// Prometheus sends them all to its query API (parse, and data after a run).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { dashboards } from './generate.js';

/** deploy/prometheus/rules (from deploy/dist/src/dashboards). */
export const RULES_DIR = fileURLToPath(new URL('../../../prometheus/rules/', import.meta.url));

export interface Expression {
  /** A panel's query, a template variable's series selector, an annotation's query, or an alerting/recording rule. */
  kind: 'panel' | 'variable' | 'annotation' | 'rule';
  /** Where it is: "<dashboard uid> #<panel id> <panel title> [<refId>]", "<uid> $<variable>", "<uid> annotation <name>", "<rules file>: <group>/<alert>". */
  where: string;
  /** As written (with Grafana's variables such as $instance, $__rate_interval). */
  expr: string;
  /** What Prometheus gets: variables replaced (see expandVariables). */
  promql: string;
  /** Whether there is data once the pipeline has run with every service up (false: only when something goes wrong). */
  expectsData?: boolean;
}

/** The values Grafana would put in for the dashboards' variables: All for instance and topic. */
export const DEFAULT_VARIABLES: Readonly<Record<string, string>> = {
  instance: '.*',
  topic: '.*',
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
};

/** Replaces $name and ${name} with `values` (Grafana's own variables and the dashboards' ones). */
export function expandVariables(expr: string, values: Readonly<Record<string, string>> = DEFAULT_VARIABLES): string {
  return expr.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for ${whole} in ${expr}`);
    return v;
  });
}

/**
 * Queries whose series exist only once something went wrong: counters with a
 * label set on first use (dead letters by reason). A clean run leaves them
 * empty, unless the query falls back to `vector(0)`. Counters without labels
 * (failures, aborts) are exported as 0 from the start.
 */
const expectsData = (expr: string) => !/records_dead_lettered_total/.test(expr) || /or vector\(0\)/.test(expr);

interface PanelJson {
  id: number;
  type: string;
  title: string;
  targets?: { refId?: string; expr?: string }[];
}

/** Every panel query and variable selector of every dashboard. */
export function dashboardExpressions(): Expression[] {
  const out: Expression[] = [];
  for (const d of dashboards()) {
    for (const p of (d.panels ?? []) as PanelJson[]) {
      for (const t of p.targets ?? []) {
        if (!t.expr) continue;
        out.push({
          kind: 'panel',
          where: `${d.uid} #${p.id} ${p.title} [${t.refId}]`,
          expr: t.expr,
          promql: expandVariables(t.expr),
          expectsData: expectsData(t.expr),
        });
      }
    }
    for (const v of d.templating?.list ?? []) {
      const q = typeof v.query === 'string' ? v.query : '';
      const selector = q.match(/^label_values\((.+),\s*[A-Za-z_][A-Za-z0-9_]*\)$/)?.[1];
      if (selector) out.push({ kind: 'variable', where: `${d.uid} $${v.name}`, expr: selector, promql: selector, expectsData: true });
    }
    for (const a of (d.annotations?.list ?? []) as { name: string; expr?: string }[]) {
      if (a.expr) out.push({ kind: 'annotation', where: `${d.uid} annotation ${a.name}`, expr: a.expr, promql: expandVariables(a.expr), expectsData: false });
    }
  }
  return out;
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

/** Every rule's expression in the rules folder's *.yml (not its tests). */
export function ruleExpressions(dir = RULES_DIR): Expression[] {
  const out: Expression[] = [];
  for (const file of readdirSync(dir).filter((n) => n.endsWith('.yml')).sort()) {
    const rules = parse(readFileSync(join(dir, file), 'utf8')) as RuleFile;
    for (const g of rules.groups) {
      for (const r of g.rules) out.push({ kind: 'rule', where: `${file}: ${g.name}/${r.alert ?? r.record}`, expr: r.expr, promql: r.expr });
    }
  }
  return out;
}

/** Every PromQL expression of every dashboard panel, variable and rule. */
export function everyExpression(): Expression[] {
  return [...dashboardExpressions(), ...ruleExpressions()];
}

/**
 * The metrics the dashboards and rules may read, by type: the services'
 * (every series has a `service` label), prom-client's defaults, and `up`.
 */
export const KNOWN_METRICS: Readonly<Record<string, 'counter' | 'gauge' | 'histogram'>> = {
  up: 'gauge',
  ALERTS: 'gauge',
  process_cpu_seconds_total: 'counter',
  process_cpu_user_seconds_total: 'counter',
  process_cpu_system_seconds_total: 'counter',
  process_resident_memory_bytes: 'gauge',
  process_start_time_seconds: 'gauge',
  nodejs_heap_size_used_bytes: 'gauge',
  nodejs_heap_size_total_bytes: 'gauge',
  nodejs_external_memory_bytes: 'gauge',
  nodejs_eventloop_lag_seconds: 'gauge',
  nodejs_eventloop_lag_p99_seconds: 'gauge',
  nodejs_gc_duration_seconds: 'histogram',
  nodejs_active_handles: 'gauge',
  stockstream_build_info: 'gauge',
  stockstream_ingest_records_read_total: 'counter',
  stockstream_ingest_records_published_total: 'counter',
  stockstream_ingest_records_dead_lettered_total: 'counter',
  stockstream_ingest_delivery_failures_total: 'counter',
  stockstream_ingest_bytes_published_total: 'counter',
  stockstream_ingest_produce_latency_seconds: 'histogram',
  stockstream_ingest_transactions_committed_total: 'counter',
  stockstream_ingest_transactions_aborted_total: 'counter',
  stockstream_ingest_transaction_commit_duration_seconds: 'histogram',
  stockstream_enrichment_records_in_total: 'counter',
  stockstream_enrichment_records_out_total: 'counter',
  stockstream_enrichment_records_dead_lettered_total: 'counter',
  stockstream_enrichment_transaction_duration_seconds: 'histogram',
  stockstream_enrichment_transactions_aborted_total: 'counter',
  stockstream_enrichment_producer_renewals_total: 'counter',
  stockstream_enrichment_consumer_lag_records: 'gauge',
  stockstream_enrichment_fx_table_rates: 'gauge',
  stockstream_enrichment_fx_table_age_seconds: 'gauge',
  stockstream_enrichment_latency_seconds: 'histogram',
  stockstream_enrichment_assigned_partitions: 'gauge',
  stockstream_enrichment_rebalances_total: 'counter',
  stockstream_enrichment_commit_failures_total: 'counter',
  stockstream_sink_records_consumed_total: 'counter',
  stockstream_sink_records_written_total: 'counter',
  stockstream_sink_bytes_written_total: 'counter',
  stockstream_sink_objects_written_total: 'counter',
  stockstream_sink_open_files: 'gauge',
  stockstream_sink_upload_duration_seconds: 'histogram',
  stockstream_sink_upload_failures_total: 'counter',
  stockstream_sink_consumer_lag_records: 'gauge',
  stockstream_sink_end_to_end_latency_seconds: 'histogram',
  stockstream_sink_lake_newest_record_timestamp_seconds: 'gauge',
  stockstream_sink_records_dead_lettered_total: 'counter',
  stockstream_sink_assigned_partitions: 'gauge',
  stockstream_sink_rebalances_total: 'counter',
  stockstream_sink_commit_failures_total: 'counter',
  stockstream_sink_paused: 'gauge',
  stockstream_sink_files_rotated_total: 'counter',
  stockstream_sink_object_records: 'histogram',
  stockstream_sink_object_bytes: 'histogram',
};

const NOT_METRICS = new Set([
  ...['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan'],
  // aggregations, which may be followed by `by (...)` rather than their argument
  ...['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile'],
]);

/** The series names an expression reads (functions, labels, keywords and strings left out). */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals
    .replace(/\{[^}]*\}/g, '') // label matchers
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1') // grouping labels
    .replace(/\[[^\]]*\]/g, ''); // ranges and subqueries
  const names = new Set<string>();
  for (const m of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = m[0];
    const next = bare.slice(m.index + name.length).trimStart();
    const before = bare[m.index - 1] ?? ' ';
    // Function calls, keywords, and exponents of numbers (1e3) are not series.
    if (next.startsWith('(') || NOT_METRICS.has(name.toLowerCase()) || /[0-9.]/.test(before)) continue;
    names.add(name);
  }
  // {__name__=~"a|b"} selectors name their metrics in the matcher.
  for (const m of expr.matchAll(/__name__=~?"([^"]+)"/g)) for (const n of m[1]!.split('|')) names.add(n);
  return [...names].sort();
}

/** Names in `expr` that are not a known metric (histograms: only their _bucket, _sum and _count series). */
export function unknownMetrics(expr: string): string[] {
  return metricNames(expr).filter((n) => {
    if (KNOWN_METRICS[n] && KNOWN_METRICS[n] !== 'histogram') return false;
    const base = n.replace(/_(bucket|sum|count)$/, '');
    return !(base !== n && KNOWN_METRICS[base] === 'histogram');
  });
}
