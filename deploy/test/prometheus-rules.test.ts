// The Prometheus config and alert rules pass promtool (Debian's package):
// check config (on a copy whose rule_files point at the repository's rules
// folder instead of the container's /etc/prometheus/rules), check rules, and
// the rules' unit tests (tests/*.yml: series in, alerts out). Without promtool
// this fails and says how to install it.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { dashboardExpressions, unknownMetrics } from '../src/dashboards/queries.js';
import { REPO } from './support/compose-file.js';

const PROMTOOL = process.env.PROMTOOL || 'promtool';
const PROMETHEUS_DIR = join(REPO, 'deploy/prometheus');
const RULES_DIR = join(PROMETHEUS_DIR, 'rules');
const TESTS_DIR = join(RULES_DIR, 'tests');
const ruleFiles = readdirSync(RULES_DIR).filter((n) => n.endsWith('.yml')).sort().map((n) => join(RULES_DIR, n));
const testFiles = readdirSync(TESTS_DIR).filter((n) => n.endsWith('.yml')).sort().map((n) => join(TESTS_DIR, n));

function promtool(...args: string[]): string {
  const r = spawnSync(PROMTOOL, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    assert.fail(`${PROMTOOL} not found: install Debian's prometheus package, which brings promtool (apt-get install prometheus), or set PROMTOOL to its path`);
  }
  if (r.error) throw r.error;
  const out = `${r.stdout}${r.stderr}`;
  assert.equal(r.status, 0, `promtool ${args.join(' ')} exited ${r.status}:\n${out}`);
  return out;
}

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = ruleFiles.flatMap((f) => (parse(readFileSync(f, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules));
const alerts = rules.filter((r) => r.alert);

interface UnitTests {
  rule_files: string[];
  tests: { name?: string; alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}
const unitTests = testFiles.map((f) => ({ file: f, spec: parse(readFileSync(f, 'utf8')) as UnitTests }));

describe('Prometheus config and alert rules (promtool)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'stockstream-prometheus-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('promtool is installed', () => {
    console.log(`# ${promtool('--version').split('\n')[0]}`);
  });

  it('promtool check config: the shipped prometheus.yml, its rule_files pointed at the repository', () => {
    const config = parse(readFileSync(join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as { rule_files: string[] };
    assert.deepEqual(config.rule_files, ['/etc/prometheus/rules/*.yml'], 'rule_files as mounted by compose');
    config.rule_files = [join(RULES_DIR, '*.yml')];
    writeFileSync(join(tmp, 'prometheus.yml'), stringify(config));
    const out = promtool('check', 'config', join(tmp, 'prometheus.yml'));
    for (const f of ruleFiles) assert.ok(out.includes(f), `check config read ${f}:\n${out}`);
  });

  it('promtool check rules', () => {
    assert.ok(ruleFiles.length > 0, 'no rule files');
    const out = promtool('check', 'rules', ...ruleFiles);
    assert.match(out, new RegExp(`SUCCESS: ${rules.length} rules found`));
  });

  it('promtool test rules: every unit test passes', () => {
    assert.ok(testFiles.length > 0, 'no rule unit tests');
    const out = promtool('test', 'rules', ...testFiles);
    assert.doesNotMatch(out, /FAILED/);
  });

  it('every dashboard query parses as PromQL (promtool check rules, as recording rules)', () => {
    const exprs = [...new Set(dashboardExpressions().map((e) => e.promql))];
    const file = join(tmp, 'dashboard-queries.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard-queries', rules: exprs.map((expr, i) => ({ record: `stockstream:dashboard_query_${i}`, expr })) }] }));
    assert.match(promtool('check', 'rules', file), new RegExp(`SUCCESS: ${exprs.length} rules found`));
  });

  it('every alert has a severity, a summary and a one-line runbook, and reads known metrics', () => {
    assert.ok(alerts.length >= 10);
    for (const r of alerts) {
      assert.ok(['critical', 'warning'].includes(r.labels?.severity ?? ''), `${r.alert}: severity ${r.labels?.severity}`);
      assert.ok(r.annotations?.summary?.trim(), `${r.alert}: no summary`);
      const runbook = r.annotations?.runbook ?? '';
      assert.ok(runbook.trim() && !runbook.includes('\n'), `${r.alert}: the runbook is one line`);
      assert.match(runbook, /First:/, `${r.alert}: the runbook says what to look at first`);
      assert.deepEqual(unknownMetrics(r.expr), [], `${r.alert}: ${r.expr}`);
    }
    const names = new Set(alerts.map((r) => r.alert));
    for (const name of [
      'StockStreamServiceDown', 'StockStreamIngestDown', 'StockStreamSinkPaused', 'StockStreamEnrichmentLagGrowing', 'StockStreamSinkLagGrowing',
      'StockStreamLakeStale', 'StockStreamDeadLetterRateHigh', 'StockStreamSinkUploadFailures', 'StockStreamCommitFailures', 'StockStreamFxTableStale',
    ]) {
      assert.ok(names.has(name), `no alert ${name}`);
    }
  });

  it('unit-tests every alert firing and not firing, against the shipped rule files', () => {
    for (const { file, spec } of unitTests) {
      for (const r of spec.rule_files) assert.ok(ruleFiles.includes(join(TESTS_DIR, r)), `${file}: rule_files ${r} is not a shipped rules file`);
    }
    const cases = unitTests.flatMap(({ spec }) => spec.tests.flatMap((t) => t.alert_rule_test ?? []));
    for (const name of new Set(alerts.map((r) => r.alert!))) {
      const of = cases.filter((c) => c.alertname === name);
      assert.ok(of.some((c) => (c.exp_alerts ?? []).length > 0), `${name}: no test where it fires`);
      assert.ok(of.some((c) => (c.exp_alerts ?? []).length === 0), `${name}: no test where it does not fire`);
    }
    // Each rule of an alert name with several rules (a label per stage) fires in some test.
    for (const r of alerts.filter((a) => alerts.filter((b) => b.alert === a.alert).length > 1)) {
      const fired = cases.filter((c) => c.alertname === r.alert).flatMap((c) => (c.exp_alerts ?? []) as { exp_labels?: Record<string, string> }[]);
      const distinct = Object.entries(r.labels ?? {}).filter(([k]) => k !== 'severity');
      assert.ok(
        fired.some((a) => distinct.every(([k, v]) => a.exp_labels?.[k] === v)),
        `${r.alert} ${JSON.stringify(r.labels)}: no test where this rule fires`,
      );
    }
  });
});
