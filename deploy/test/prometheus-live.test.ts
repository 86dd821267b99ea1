// The monitoring as shipped, against the real thing: a real Prometheus
// (Debian's binary, natively on 127.0.0.1) with the scrape jobs and rules of
// deploy/prometheus, pointed at the three services running natively on the
// test stack, while a generator run goes through the pipeline. Checks that
// every service's /metrics passes `promtool check metrics`, every target is
// up, every PromQL expression of every dashboard panel and every rule is
// accepted by Prometheus, the rules evaluate without errors, and every
// dashboard panel returns data after the run. (No Grafana binary can be had
// here: the dashboards' JSON is checked by structure in grafana-dashboards.test.ts.)
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse, stringify } from 'yaml';
import { isReady, runService, stopService, uniqueTopics, type ServiceRun } from '@stockstream/common/testing';
import { REPO } from './support/compose-file.js';
import { freePort } from './support/ports.js';

const COUNT = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const haveBinaries = spawnSync('prometheus', ['--version']).status === 0 && spawnSync('promtool', ['--version']).status === 0;

interface Panel { id: number; title: string; targets?: { expr?: string }[]; panels?: Panel[] }

/** Every panel of every committed dashboard, with its queries (rows' nested panels included). */
function dashboardPanels(): { board: string; title: string; exprs: string[] }[] {
  const dir = join(REPO, 'deploy/grafana/dashboards');
  const out: { board: string; title: string; exprs: string[] }[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const board = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { panels?: Panel[] };
    const walk = (ps: Panel[]) => {
      for (const p of ps) {
        if (p.panels) walk(p.panels);
        const exprs = (p.targets ?? []).map((t) => t.expr ?? '').filter((e) => e.length > 0);
        if (exprs.length > 0) out.push({ board: f, title: p.title, exprs });
      }
    };
    walk(board.panels ?? []);
  }
  return out;
}

function ruleExprs(): { name: string; expr: string }[] {
  const dir = join(REPO, 'deploy/prometheus/rules');
  return readdirSync(dir).filter((n) => n.endsWith('.yml')).flatMap((f) =>
    (parse(readFileSync(join(dir, f), 'utf8')) as { groups: { rules: { alert?: string; record?: string; expr: string }[] }[] }).groups
      .flatMap((g) => g.rules.map((r) => ({ name: r.alert ?? r.record ?? '?', expr: String(r.expr) }))));
}

/** Grafana's variables as a live query can take them: every instance, every topic, fixed intervals. */
function concrete(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m').replaceAll('${__rate_interval}', '1m')
    .replaceAll('$__interval', '15s').replaceAll('$__range', '5m')
    .replace(/\$\{?(instance|topic|job|service)\}?/g, '.*');
}

// One test with steps: the services it starts live until it ends (runService stops them with the test that started them).
test('Prometheus with the shipped config, dashboards and rules, against the running services', async (t) => {
  assert.ok(haveBinaries, 'prometheus and promtool are not on PATH: apt-get install prometheus (scripts/test.sh does, as root)');
  const topics = uniqueTopics('prom');
  const id = randomUUID().slice(0, 8);
  const ports: Record<string, number> = {};
  const runs: Record<string, ServiceRun> = {};
  let prometheus: ChildProcess | undefined;
  let promPort = 0;
  const dir = mkdtempSync(join(tmpdir(), 'stockstream-prom-'));
  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`http://127.0.0.1:${promPort}${path}`)).json()) as { status: string; data: T; error?: string };
    assert.equal(body.status, 'success', `${path}: ${body.error ?? ''}`);
    return body.data;
  };
  const query = (expr: string) => api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`);

  const start = async () => {
    for (const s of ['ingest', 'enrichment', 's3-sink']) ports[s] = await freePort();
    const env = {
      ...topics.env, LOG_LEVEL: 'warn', ENRICHMENT_GROUP_ID: `it-prom-enrichment-${id}`, ENRICHMENT_INSTANCE_ID: `it-prom-${id}`,
      SINK_GROUP_ID: `it-prom-sink-${id}`, S3_PREFIX: `it-prom/${id}`, SINK_ROTATE_IDLE_MS: '1000',
    };
    runs.enrichment = runService(join(REPO, 'services/enrichment/dist/src/main.js'), [], { ...env, HTTP_PORT: String(ports.enrichment) });
    runs['s3-sink'] = runService(join(REPO, 'services/s3-sink/dist/src/main.js'), [], { ...env, HTTP_PORT: String(ports['s3-sink']) });
    for (const s of ['enrichment', 's3-sink']) {
      for (let i = 0; !(await isReady(ports[s]!)); i++) {
        assert.ok(i < 240, `${s} not ready in 60 s: ${runs[s]!.stderr()}`);
        await sleep(250);
      }
    }
    // The shipped scrape jobs and rules, with the targets where the services run here and a 1 s interval.
    const shipped = parse(readFileSync(join(REPO, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      global: Record<string, unknown>; rule_files: string[]; scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    promPort = await freePort();
    for (const job of shipped.scrape_configs) {
      job.static_configs = [{ targets: [`127.0.0.1:${job.job_name === 'prometheus' ? promPort : ports[job.job_name]}`] }];
    }
    shipped.global = { ...shipped.global, scrape_interval: '1s', evaluation_interval: '1s' };
    shipped.rule_files = [join(REPO, 'deploy/prometheus/rules/*.yml')];
    writeFileSync(join(dir, 'prometheus.yml'), stringify(shipped));
    prometheus = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`, '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    prometheus.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://127.0.0.1:${promPort}/-/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      assert.ok(i < 120 && prometheus.exitCode === null, `Prometheus did not start: ${log}`);
      await sleep(250);
    }
    // A paced run, so that Prometheus sees the ingest while it runs; bars into the future give dead letters too.
    runs.ingest = runService(join(REPO, 'services/ingest/dist/src/main.js'),
      ['simulate', '--count', String(COUNT), '--seed', '5', '--start', '2024-01-01', '--rate', '5000'], { ...env, HTTP_PORT: String(ports.ingest) });
  };
  t.after(async () => {
    for (const run of Object.values(runs)) await stopService(run).catch(() => undefined);
    prometheus?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  await start();

  await t.test('promtool check metrics finds nothing to say of any service', async () => {
    for (const [service, port] of Object.entries(ports)) {
      let text = '';
      for (let i = 0; text === ''; i++) {
        text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => ''); // the ingest may still be starting
        if (text === '') {
          assert.ok(i < 80, `${service}: no /metrics in 20 s`);
          await sleep(250);
        }
      }
      const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      assert.equal(`${r.stdout}${r.stderr}`.trim(), '', `${service}: promtool check metrics`);
      assert.equal(r.status, 0, service);
    }
  });

  await t.test('scrapes every service while the generator runs', async () => {
    for (let i = 0; ; i++) {
      const { activeTargets } = await api<{ activeTargets: { labels: { job: string }; health: string; lastError: string }[] }>('/api/v1/targets');
      if (activeTargets.length === 4 && activeTargets.every((t) => t.health === 'up')) break;
      assert.ok(i < 60, `targets: ${JSON.stringify(activeTargets.map((t) => [t.labels.job, t.health, t.lastError]))}`);
      await sleep(250);
    }
  });

  await t.test('runs the pipeline to the lake', async () => {
    assert.equal((await runs.ingest!.exited).code, 0, runs.ingest!.stderr());
    // Everything that was not dead-lettered is in the lake (files close after 1 s without records).
    for (let i = 0; ; i++) {
      const written = await query('sum(stockstream_sink_records_written_total)');
      const out = await query('sum(stockstream_enrichment_records_out_total)');
      const value = (r: { result: unknown[] }) => Number((r.result[0] as { value?: [number, string] } | undefined)?.value?.[1] ?? -1);
      if (value(out) > 0 && value(written) === value(out)) break;
      assert.ok(i < 120, `lake: ${value(written)} of ${value(out)} enriched records`);
      await sleep(500);
    }
    await sleep(3000); // a few more scrapes, so that rates over the run have points on both sides
  });

  await t.test('accepts every expression of every dashboard panel and every rule', async () => {
    const exprs = [...dashboardPanels().flatMap((p) => p.exprs.map((e) => ({ what: `${p.board}: ${p.title}`, expr: concrete(e) }))),
      ...ruleExprs().map((r) => ({ what: `rule ${r.name}`, expr: r.expr }))];
    assert.ok(exprs.length > 20, 'dashboards and rules have their queries');
    for (const e of exprs) await query(e.expr).catch((err: Error) => assert.fail(`${e.what}: ${e.expr}: ${err.message}`));
  });

  await t.test('evaluates every rule without an error', async () => {
    await sleep(2000);
    const { groups } = await api<{ groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] }>('/api/v1/rules');
    const rules = groups.flatMap((g) => g.rules);
    assert.equal(rules.length, ruleExprs().length, 'every shipped rule is loaded');
    for (const r of rules) assert.equal(r.health, 'ok', `${r.name}: ${r.lastError ?? ''}`);
  });

  await t.test('fills every dashboard panel after the run', async () => {
    const empty: string[] = [];
    for (const p of dashboardPanels()) {
      let any = false;
      for (const e of p.exprs) if ((await query(concrete(e))).result.length > 0) any = true;
      if (!any) empty.push(`${p.board}: ${p.title}`);
    }
    assert.deepEqual(empty, [], 'panels with no data after the run');
  });
});
