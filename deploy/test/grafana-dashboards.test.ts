// The Grafana dashboards: the committed JSON is what the code in
// deploy/src/dashboards generates, and it is sound for Grafana (schema version,
// the provisioned Prometheus as data source, unique panel ids, a query on every
// panel, template variables declared and used, metrics the services expose).
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { DASHBOARDS_DIR, generateDashboards, staleDashboardFiles } from '../src/dashboards/generate.js';
import { DATASOURCE } from '../src/dashboards/panels.js';
import { dashboardExpressions, everyExpression, ruleExpressions, unknownMetrics } from '../src/dashboards/queries.js';
import { REPO } from './support/compose-file.js';

console.log(
  '# no Grafana binary can be had here (not in the Debian archive, no image registry reachable): ' +
    'the dashboard JSON is checked structurally, and its queries against a live Prometheus elsewhere',
);

interface Target {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id?: number;
  type?: string;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: unknown[];
  gridPos?: { x: number; y: number; w: number; h: number };
}
interface DashboardJson {
  uid?: string;
  title?: string;
  schemaVersion?: number;
  panels?: Panel[];
  templating?: { list?: { name: string; type: string; query?: unknown; datasource?: { uid?: string } }[] };
  annotations?: { list?: { name: string; builtIn?: number; expr?: string; datasource?: { uid?: string } }[] };
}

const REGENERATE = 'regenerate with: npx tsc -b deploy && node deploy/dist/src/dashboards/generate.js';
const committed = readdirSync(DASHBOARDS_DIR)
  .filter((n) => n.endsWith('.json'))
  .sort()
  .map((name) => ({ name, board: JSON.parse(readFileSync(join(DASHBOARDS_DIR, name), 'utf8')) as DashboardJson }));
const queryPanels = (d: DashboardJson) => (d.panels ?? []).filter((p) => p.type !== 'row');
const exprsOf = (d: DashboardJson) => queryPanels(d).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
/** Grafana's own variables, which need no declaration. */
const BUILTIN = new Set(['__rate_interval', '__interval', '__interval_ms', '__range', '__range_s', '__range_ms', '__dashboard', '__name']);

describe('Grafana dashboards as code', () => {
  it('committed JSON equals what the code generates, byte for byte, and nothing else is there', () => {
    const generated = generateDashboards();
    assert.deepEqual(committed.map((c) => c.name), Object.keys(generated).sort(), `the dashboard files differ from the generated set; ${REGENERATE}`);
    for (const [name, text] of Object.entries(generated)) {
      assert.equal(readFileSync(join(DASHBOARDS_DIR, name), 'utf8'), text, `${name} differs from the code; ${REGENERATE}`);
      assert.ok(text.endsWith('}\n') && text.includes('\n  "'), `${name}: 2-space JSON with a trailing newline`);
    }
    assert.deepEqual(staleDashboardFiles(), []);
  });

  it('has the pipeline overview and the runtime dashboard', () => {
    assert.deepEqual(committed.map((c) => c.board.uid).sort(), ['stockstream-overview', 'stockstream-runtime']);
    for (const { name, board } of committed) {
      assert.equal(name, `${board.uid}.json`);
      assert.ok(board.title, `${name}: a title`);
      assert.equal(typeof board.schemaVersion, 'number', `${name}: schemaVersion`);
      assert.ok(board.schemaVersion! >= 39, `${name}: schemaVersion ${board.schemaVersion} (Grafana 12 writes 41+)`);
    }
  });

  it('uses the provisioned Prometheus (uid prometheus) everywhere', () => {
    const provisioned = parse(readFileSync(join(REPO, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: { uid: string; type: string }[];
    };
    assert.deepEqual(provisioned.datasources.map((d) => [d.type, d.uid]), [[DATASOURCE.type, DATASOURCE.uid]]);
    for (const { name, board } of committed) {
      for (const p of queryPanels(board)) {
        assert.deepEqual(p.datasource, { type: 'prometheus', uid: 'prometheus' }, `${name} #${p.id} ${p.title}: data source`);
        for (const t of p.targets ?? []) assert.equal(t.datasource?.uid, 'prometheus', `${name} #${p.id} ${p.title} [${t.refId}]: data source`);
      }
      for (const v of board.templating?.list ?? []) assert.equal(v.datasource?.uid, 'prometheus', `${name} $${v.name}: data source`);
      const annotations = board.annotations?.list ?? [];
      assert.ok(annotations.some((a) => a.builtIn === 1), `${name}: Grafana's built-in annotations`);
      for (const a of annotations.filter((x) => !x.builtIn)) {
        assert.equal(a.datasource?.uid, 'prometheus', `${name} annotation ${a.name}: data source`);
        assert.ok(a.expr?.trim(), `${name} annotation ${a.name}: a query`);
      }
    }
  });

  it('gives every panel a unique id, a title, a description and at least one query', () => {
    for (const { name, board } of committed) {
      const panels = board.panels ?? [];
      assert.ok(queryPanels(board).length >= 5, `${name}: panels`);
      const ids = panels.map((p) => p.id);
      for (const id of ids) assert.ok(Number.isInteger(id) && id! > 0, `${name}: panel id ${id}`);
      assert.equal(new Set(ids).size, ids.length, `${name}: duplicate panel ids ${ids.join(',')}`);
      for (const p of panels) {
        assert.ok(p.title?.trim(), `${name} #${p.id}: no title`);
        if (p.type === 'row') {
          // An expanded row owns the panels after it; panels nested in it would not be shown.
          assert.deepEqual(p.panels ?? [], [], `${name} row ${p.title}: nested panels`);
          continue;
        }
        assert.ok(p.description?.trim(), `${name} #${p.id} ${p.title}: no description`);
        assert.ok((p.targets ?? []).length > 0, `${name} #${p.id} ${p.title}: no query`);
        const refIds = (p.targets ?? []).map((t) => t.refId);
        assert.equal(new Set(refIds).size, refIds.length, `${name} #${p.id} ${p.title}: duplicate refIds`);
        for (const t of p.targets ?? []) assert.ok(t.expr?.trim(), `${name} #${p.id} ${p.title} [${t.refId}]: empty expr`);
      }
      const titles = queryPanels(board).map((p) => p.title);
      assert.equal(new Set(titles).size, titles.length, `${name}: two panels with the same title`);
    }
  });

  it('lays panels out on the 24-column grid without overlaps', () => {
    for (const { name, board } of committed) {
      const boxes = (board.panels ?? []).map((p) => ({ p, g: p.gridPos! }));
      for (const { p, g } of boxes) {
        assert.ok(g && g.w > 0 && g.h > 0 && g.x >= 0 && g.y >= 0 && g.x + g.w <= 24, `${name} #${p.id}: gridPos ${JSON.stringify(g)}`);
      }
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) {
          const overlap = a.g.x < b.g.x + b.g.w && b.g.x < a.g.x + a.g.w && a.g.y < b.g.y + b.g.h && b.g.y < a.g.y + a.g.h;
          assert.ok(!overlap, `${name}: #${a.p.id} and #${b.p.id} overlap`);
        }
      }
    }
  });

  it('declares its template variables and uses each of them in queries; uses no undeclared one', () => {
    const expected: Record<string, string[]> = { 'stockstream-overview': ['instance', 'topic'], 'stockstream-runtime': ['instance'] };
    for (const { name, board } of committed) {
      const vars = board.templating?.list ?? [];
      assert.deepEqual(vars.map((v) => v.name).sort(), expected[board.uid!], `${name}: template variables`);
      const exprs = exprsOf(board);
      for (const v of vars) {
        assert.equal(v.type, 'query', `${name} $${v.name}: a query variable`);
        assert.match(String(v.query), /^label_values\(.+, *[a-z_]+\)$/, `${name} $${v.name}: label_values query`);
        const used = exprs.filter((e) => new RegExp(`\\$\\{?${v.name}\\b`).test(e)).length;
        assert.ok(used > 0, `${name}: $${v.name} is used by no query`);
      }
      const declared = new Set(vars.map((v) => v.name));
      for (const e of exprs) {
        for (const m of e.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
          assert.ok(declared.has(m[1]!) || BUILTIN.has(m[1]!), `${name}: ${e} uses undeclared $${m[1]}`);
        }
      }
      // $instance filters every query of the runtime view, and every stockstream_ series of the overview.
      for (const e of exprs) {
        if (board.uid === 'stockstream-runtime' || /stockstream_/.test(e)) assert.match(e, /instance=~"\$instance"/, `${name}: ${e} ignores $instance`);
      }
    }
  });

  it('reads only metrics the services expose, and covers what an operator asks first', () => {
    for (const e of everyExpression()) assert.deepEqual(unknownMetrics(e.expr), [], `${e.where}: ${e.expr}`);
    const overview = exprsOf(committed.find((c) => c.board.uid === 'stockstream-overview')!.board).join('\n');
    for (const metric of [
      'stockstream_ingest_records_published_total', 'stockstream_enrichment_records_out_total', 'stockstream_sink_records_written_total',
      'stockstream_ingest_records_dead_lettered_total', 'stockstream_enrichment_records_dead_lettered_total', 'stockstream_sink_records_dead_lettered_total',
      'stockstream_sink_end_to_end_latency_seconds_bucket', 'stockstream_enrichment_latency_seconds_bucket', 'stockstream_sink_lake_newest_record_timestamp_seconds',
      'stockstream_enrichment_consumer_lag_records', 'stockstream_sink_consumer_lag_records',
      'stockstream_ingest_transactions_committed_total', 'stockstream_ingest_transactions_aborted_total', 'stockstream_enrichment_transactions_aborted_total',
      'stockstream_enrichment_producer_renewals_total', 'stockstream_sink_objects_written_total', 'stockstream_sink_bytes_written_total',
      'stockstream_sink_upload_failures_total', 'stockstream_sink_upload_duration_seconds_bucket', 'stockstream_sink_files_rotated_total',
      'stockstream_enrichment_assigned_partitions', 'stockstream_sink_assigned_partitions', 'stockstream_enrichment_rebalances_total',
      'stockstream_sink_rebalances_total', 'stockstream_sink_paused', 'stockstream_enrichment_commit_failures_total', 'stockstream_sink_commit_failures_total',
      'stockstream_enrichment_fx_table_age_seconds',
    ]) {
      assert.ok(overview.includes(metric), `the overview shows no ${metric}`);
    }
    assert.match(overview, /time\(\) - max by \(table\) \(stockstream_sink_lake_newest_record_timestamp_seconds/, 'lake freshness');
    for (const q of [0.5, 0.95, 0.99]) assert.ok(overview.includes(`histogram_quantile(${q}, sum by (le) (rate(stockstream_sink_end_to_end_latency_seconds_bucket`), `end-to-end p${q * 100}`);
    const runtime = exprsOf(committed.find((c) => c.board.uid === 'stockstream-runtime')!.board).join('\n');
    for (const metric of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds_sum']) {
      assert.ok(runtime.includes(metric), `the runtime dashboard shows no ${metric}`);
    }
  });

  it('lists every panel query and rule expression for a live Prometheus, variables filled in', () => {
    const panelExprs = dashboardExpressions().filter((e) => e.kind === 'panel');
    const committedExprs = committed.flatMap((c) => exprsOf(c.board));
    assert.deepEqual(panelExprs.map((e) => e.expr).sort(), [...committedExprs].sort());
    assert.deepEqual(dashboardExpressions().filter((e) => e.kind === 'variable').map((e) => e.promql).sort(), [
      'stockstream_build_info',
      'stockstream_build_info',
      '{__name__=~"stockstream_enrichment_consumer_lag_records|stockstream_sink_consumer_lag_records"}',
    ]);
    assert.equal(dashboardExpressions().filter((e) => e.kind === 'annotation').length, committed.length, 'the alerts annotation of each dashboard');
    assert.ok(ruleExpressions().length >= 10, 'rule expressions are listed');
    for (const e of everyExpression()) assert.doesNotMatch(e.promql, /\$/, `${e.where}: ${e.promql}`);
    assert.ok(panelExprs.some((e) => e.expectsData) && panelExprs.some((e) => !e.expectsData));
  });
});
