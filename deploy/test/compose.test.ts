// `docker compose up` of docker-compose.yml, as users run it: the whole
// pipeline in containers, a generator run, containers SIGKILLed mid-run and
// started again by their restart policy, and the lake read back with the
// query tool: exactly the enriched records of the run, each once. Then
// `down -v` must leave nothing behind. Images come from deploy/docker/images.sh
// (tagged as the compose file names them); Grafana's image cannot be built
// here, so it is the one service not started (its provisioning is checked in
// compose-config.test.ts).
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { COMPOSE_FILE, REPO, loadCompose } from './support/compose-file.js';
import { composeCli, containerSkip, docker } from './support/docker.js';
import { freePort } from './support/ports.js';

const exec = promisify(execFile);
const compose = loadCompose();
const NOT_BUILT_HERE = ['grafana'];
const started = Object.entries(compose.services).filter(([name, s]) => !NOT_BUILT_HERE.includes(name) && !s.profiles).map(([name]) => name);
const skip = containerSkip([...new Set(started.map((name) => compose.services[name]!.image!))]);

const COUNT = 105_000; // the default run's bars (1995-2023: all valid; later dates are dead letters as date_in_future)
const RATE = 3_500; // a 30 s run: long enough to kill two services in the middle of it

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(intervalMs);
  }
}

describe('docker compose: the whole pipeline in containers', { skip }, () => {
  const project = `stockstream-it-${process.pid}`;
  const cli = composeCli();
  const env: Record<string, string> = {};
  const ports: Record<string, number> = {};
  const run = async (args: string[], timeoutMs = 300_000) =>
    (await exec(cli[0]!, [...cli.slice(1), '-f', COMPOSE_FILE, '-p', project, ...args], { cwd: REPO, env, timeout: timeoutMs, maxBuffer: 64 << 20 })).stdout;
  const containerOf = async (service: string) => (await run(['ps', '-q', service])).trim();
  const inspect = async (service: string, format: string) => (await docker(['inspect', '-f', format, await containerOf(service)])).trim();
  const metric = async (port: number, name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return [...text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))].reduce((s, m) => s + Number(m[1]), 0);
  };
  const sql = async (query: string) => (await run(['run', '--rm', '--no-deps', '-T', 'query', '--sql', query, '--format', 'csv'], 120_000)).trim().split('\n');

  before(async () => {
    for (const name of ['KAFKA_PORT', 'SCHEMA_REGISTRY_PORT', 'S3_PORT', 'PROMETHEUS_PORT', 'GRAFANA_PORT', 'INGEST_METRICS_PORT', 'ENRICHMENT_METRICS_PORT', 'SINK_METRICS_PORT']) {
      ports[name] = await freePort();
    }
    // Only what compose needs: the engine, PATH, and this run's ports and generator run (not the native stack's variables).
    Object.assign(env, {
      PATH: process.env.PATH!, HOME: process.env.HOME ?? '/root', ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      INGEST_COUNT: String(COUNT), INGEST_RATE: String(RATE), INGEST_SEED: '42',
    });
    process.stdout.write(`# compose: starting ${started.join(', ')} as project ${project}; not started: ${NOT_BUILT_HERE.join(', ')} (its image is in no registry these machines reach)\n`);
    await run(['up', '-d', ...started], 600_000);
  });

  after(async () => {
    await run(['down', '-v', '--remove-orphans'], 180_000).catch(() => undefined);
  });

  it('Prometheus scrapes all three services while the generator runs', async () => {
    const jobs = await until('every scrape target up', 60_000, async () => {
      const body = (await (await fetch(`http://127.0.0.1:${ports.PROMETHEUS_PORT}/api/v1/targets`)).json()) as {
        data: { activeTargets: { labels: { job: string }; health: string }[] };
      };
      const t = body.data.activeTargets;
      return t.length >= 4 && t.every((x) => x.health === 'up') ? t.map((x) => x.labels.job).sort() : undefined;
    });
    assert.deepEqual(jobs, ['enrichment', 'ingest', 'prometheus', 's3-sink']);
  });

  it('the enrichment and the sink, SIGKILLed mid-run, are started again by their restart policy', async () => {
    for (const [service, port, name] of [
      ['enrichment', ports.ENRICHMENT_METRICS_PORT!, 'stockstream_enrichment_records_out_total'],
      ['s3-sink', ports.SINK_METRICS_PORT!, 'stockstream_sink_objects_written_total'],
    ] as const) {
      const done = await until(`${service} has written something`, 90_000, async () => ((await metric(port, name)) > 0 ? true : undefined), 250);
      assert.ok(done);
      assert.equal(await inspect('ingest', '{{.State.Running}}'), 'true', `the generator still runs when ${service} is killed`);
      // A crash: the service process SIGKILLed inside its container (tini, PID 1, then exits 137). Not `docker kill`:
      // Docker counts that as a manual stop, after which no restart policy applies.
      await docker(['exec', await containerOf(service), 'sh', '-c', 'kill -KILL -1']).catch(() => undefined);
      await until(`${service} restarted`, 60_000, async () =>
        Number(await inspect(service, '{{.RestartCount}}')) >= 1 && (await inspect(service, '{{.State.Running}}')) === 'true' ? true : undefined);
    }
  });

  it('runs the bounded generator to its end (exit 0)', async () => {
    const code = await until('the generator finished', 120_000, async () =>
      (await inspect('ingest', '{{.State.Status}}')) === 'exited' ? Number(await inspect('ingest', '{{.State.ExitCode}}')) : undefined);
    assert.equal(code, 0);
  });

  it('every service container is healthy', async () => {
    for (const service of ['kafka', 'registry', 's3', 'enrichment', 's3-sink']) {
      const status = await until(`${service} healthy`, 120_000, async () => {
        const s = await inspect(service, '{{.State.Health.Status}}');
        return s === 'healthy' ? s : undefined;
      }, 2000);
      assert.equal(status, 'healthy', service);
    }
  });

  it('lands exactly the enriched records of the run in the lake, each once', async () => {
    // The enrichment's own report (the demo's): waits until every raw record is enriched or dead-lettered.
    // It holds the three topics decoded: run with the enrichment's memory limit, not the ingest's.
    const report = await run(['run', '--rm', '--no-deps', '-T', 'enrichment', 'node', 'services/enrichment/dist/src/enrichment-report.js', '--since', '0'], 300_000);
    const m = report.match(/enrichment: (\d+) raw records -> (\d+) enriched on \S+, (\d+) dead letters/);
    assert.ok(m, `enrichment report: ${report}`);
    const [raw, enriched, dead] = [Number(m[1]), Number(m[2]), Number(m[3])];
    assert.equal(raw, COUNT, 'every generated record reached ticks.raw once');
    assert.equal(enriched + dead, raw);
    assert.equal(dead, 0, 'the generated bars are valid');
    // Files close after SINK_ROTATE_IDLE_MS without records; then the lake holds them all.
    const lake = await until('the lake holds every enriched record', 180_000, async () => {
      const [, row] = await sql('SELECT count(*) AS n, count(DISTINCT ("index", "date")) AS d FROM ticks');
      const [n, d] = row!.split(',').map(Number);
      return n! >= enriched ? { n: n!, d: d! } : undefined;
    }, 5000);
    assert.deepEqual(lake, { n: enriched, d: enriched });
    const stats = await docker(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}}', ...(await run(['ps', '-q'])).trim().split('\n')]);
    process.stdout.write(`# compose: memory after the run:\n${stats.replace(/^/gm, '#   ')}\n`);
  });

  it('down -v leaves no container, network or volume behind', async () => {
    await run(['down', '-v', '--remove-orphans'], 180_000);
    const label = `label=com.docker.compose.project=${project}`;
    assert.equal((await docker(['ps', '-aq', '--filter', label])).trim(), '', 'containers');
    assert.equal((await docker(['network', 'ls', '-q', '--filter', label])).trim(), '', 'networks');
    assert.equal((await docker(['volume', 'ls', '-q', '--filter', label])).trim(), '', 'volumes');
  });
});
