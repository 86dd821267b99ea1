// docker-compose.yml, the image and the Prometheus/Grafana provisioning agree
// with what the services declare and serve. No engine needed: these run everywhere.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { loadConfig, type SettingsSpec } from '@stockstream/common';
import { COMPOSE_FILE, REPO, environmentOf, loadCompose, publishedPorts, type ComposeService } from './support/compose-file.js';
import { IMAGE_COMMANDS, moduleFileOf } from './support/image-commands.js';

const settingsOf = async (service: string, name: string): Promise<SettingsSpec> =>
  ((await import(pathToFileURL(join(REPO, 'services', service, 'dist', 'src', 'config.js')).href)) as Record<string, SettingsSpec>)[name]!;

const SPECS = {
  ingest: await settingsOf('ingest', 'ingestSettings'),
  enrichment: await settingsOf('enrichment', 'enrichmentSettings'),
  's3-sink': await settingsOf('s3-sink', 'sinkSettings'),
};
/** The settings each image command a compose service runs reads. */
const COMMANDS: Record<string, { spec: SettingsSpec }> = {
  ingest: { spec: SPECS.ingest },
  enrichment: { spec: SPECS.enrichment },
  's3-sink': { spec: SPECS['s3-sink'] },
  query: { spec: SPECS['s3-sink'] },
};
/** Read by a command but not a declared setting. */
const EXTRA_VARIABLES = new Set(['LAKE_CACHE_DIR']);

const compose = loadCompose();
const services = Object.entries(compose.services);
const appServices = services.filter(([, s]) => s.image === 'stockstream:latest');

/** The image command a service runs: its entrypoint's word after `stockstream`, else its command's first word. */
function commandOf(s: ComposeService): string {
  const i = (s.entrypoint ?? []).indexOf('stockstream');
  return i >= 0 && s.entrypoint![i + 1] ? s.entrypoint![i + 1]! : s.command![0]!;
}

describe('docker-compose.yml against the services', () => {
  it('runs every service of the pipeline from the project image, with its own command', () => {
    const commands = appServices.map(([, s]) => commandOf(s));
    for (const c of ['ingest', 'enrichment', 's3-sink', 'query']) assert.ok(commands.includes(c), `no compose service runs "${c}"`);
    for (const [name, s] of appServices) {
      assert.ok(IMAGE_COMMANDS.includes(commandOf(s)), `${name}: "${commandOf(s)}" is not a command of the image (${IMAGE_COMMANDS.join(', ')})`);
      assert.ok(COMMANDS[commandOf(s)], `${name}: "${commandOf(s)}": which settings it reads is not known to this test`);
      assert.ok(moduleFileOf(commandOf(s)), `${name}: what "${commandOf(s)}" runs is not built`);
      assert.ok(s.build !== undefined, `${name}: no build section (v2 would try to pull stockstream:latest)`);
    }
  });

  it('gives every service settings its config accepts: required ones set, none unknown, all valid', () => {
    for (const [name, s] of appServices) {
      const { spec } = COMMANDS[commandOf(s)]!;
      const env = environmentOf(s);
      const declared = new Set(Object.values(spec).map((x) => x.env));
      for (const key of Object.keys(env)) assert.ok(declared.has(key) || EXTRA_VARIABLES.has(key), `${name}: ${key} is not a setting of ${commandOf(s)}`);
      // loadConfig names every missing or malformed variable at once.
      assert.doesNotThrow(() => loadConfig(spec, env), `${name}: its compose environment is rejected`);
    }
  });

  it('serves health and metrics where compose, the healthcheck and Prometheus look', () => {
    const prometheus = parse(readFileSync(join(REPO, 'deploy/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = new Map(prometheus.scrape_configs.map((j) => [j.job_name, j.static_configs.flatMap((c) => c.targets)]));
    for (const name of ['ingest', 'enrichment', 's3-sink']) {
      const s = compose.services[name]!;
      const { spec } = COMMANDS[commandOf(s)]!;
      const port = Number(loadConfig(spec, environmentOf(s)).httpPort);
      assert.equal(port, Number(Object.values(spec).find((x) => x.env === 'HTTP_PORT')!.default), `${name}: HTTP_PORT differs from the service's default`);
      assert.deepEqual(targets.get(name), [`${name}:${port}`], `${name}: Prometheus scrapes ${String(targets.get(name))}`);
      assert.ok(publishedPorts(s).some((p) => p.container === port), `${name}: port ${port} not published`);
      assert.deepEqual(s.healthcheck?.test, ['CMD', 'stockstream', 'healthcheck'], `${name}: healthcheck`);
    }
    assert.ok(moduleFileOf('healthcheck'), 'the image has a healthcheck command');
    const healthcheck = readFileSync(join(REPO, 'services/cli/src/service-health.ts'), 'utf8');
    assert.match(healthcheck, /env: 'HTTP_PORT'/, 'the healthcheck reads HTTP_PORT');
    assert.match(healthcheck, /\/healthz/, 'the healthcheck asks /healthz');
    const server = readFileSync(join(REPO, 'services/common/src/observability/http-server.ts'), 'utf8');
    for (const path of ['/healthz', '/readyz', '/metrics']) assert.ok(server.includes(`'${path}'`), `the services serve ${path}`);
  });

  it('restarts every long-running service, limits its memory and keeps the enrichment instance id stable', () => {
    for (const [name, s] of services) {
      assert.ok(s.restart, `${name}: no restart policy`);
      if (s.restart !== 'no') assert.match(s.mem_limit ?? '', /^\d+[mg]$/, `${name}: no memory limit`);
    }
    for (const [name, s] of appServices) {
      if (s.restart === 'no') continue;
      // A restart of the container must not leave it as its own PID 1 (it could not SIGKILL itself).
      assert.deepEqual(s.entrypoint ?? null, null, `${name}: keeps the image's tini entrypoint`);
    }
    assert.equal(environmentOf(compose.services.enrichment!).ENRICHMENT_INSTANCE_ID, 'enrichment-0');
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
    assert.match(dockerfile, /ENTRYPOINT \["\/usr\/bin\/tini", "--", "stockstream"\]/);
    assert.match(dockerfile, /^HEALTHCHECK .* CMD \["stockstream", "healthcheck"\]$/m);
    assert.match(dockerfile, /^USER node$/m, 'the runtime image runs as a non-root user');
  });

  it('builds into the image every workspace the stockstream command runs', () => {
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
    const cli = JSON.parse(readFileSync(join(REPO, 'services/cli/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const workspaces = ['cli', ...Object.keys(cli.dependencies).filter((d) => d.startsWith('@stockstream/')).map((d) => d.slice('@stockstream/'.length))];
    const copied = dockerfile.match(/for s in ([a-z0-9 -]+); do/)?.[1]?.split(' ') ?? [];
    for (const w of workspaces) {
      assert.ok(dockerfile.includes(`COPY services/${w}/package.json services/${w}/`), `the Dockerfile installs services/${w}'s dependencies`);
      assert.ok(copied.includes(w), `the runtime image gets services/${w}/dist`);
    }
    assert.match(dockerfile, /RUN npx tsc -b services\/cli /, 'it compiles stockstream (and, by reference, what it runs)');
    assert.match(readFileSync(join(REPO, 'scripts/docker-entrypoint.sh'), 'utf8'), /^exec node \/app\/services\/cli\/dist\/src\/stockstream\.js "\$@"$/m);
  });

  it('uses the native stack\'s versions, persistence and compatibility rule', () => {
    const stack = readFileSync(join(REPO, 'deploy/local/stack.sh'), 'utf8');
    const version = (name: string) => stack.match(new RegExp(`${name}=\\$\\{${name}:-([^}]+)\\}`))![1];
    assert.equal(compose.services.kafka!.image, `apache/kafka:${version('KAFKA_VERSION')}`);
    assert.equal(compose.services.registry!.image, `apicurio/apicurio-registry:${version('APICURIO_VERSION')}`);
    assert.equal(compose.services.s3!.image, `andrewgaul/s3proxy:${version('S3PROXY_VERSION')}`);
    const registry = environmentOf(compose.services.registry!);
    assert.equal(registry.APICURIO_RULES_GLOBAL_COMPATIBILITY, 'BACKWARD');
    assert.match(registry.APICURIO_DATASOURCE_URL ?? '', /^jdbc:h2:file:\/registry\//);
    for (const name of ['kafka', 'registry', 's3']) {
      assert.ok((compose.services[name]!.volumes ?? []).some((v) => compose.volumes && v.split(':')[0]! in compose.volumes), `${name}: data on a named volume`);
    }
  });

  it('names exactly the images deploy/docker/images.sh builds, plus Grafana', () => {
    const tags = new Map(
      execFileSync(join(REPO, 'deploy/docker/images.sh'), ['tags'], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split(' ') as [string, string]),
    );
    const built = new Set(tags.values());
    for (const image of new Set(services.map(([, s]) => s.image!))) {
      if (image.startsWith('grafana/')) continue; // in no registry these machines reach
      assert.ok(built.has(image), `${image} is not built by images.sh`);
    }
    const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
    assert.equal(dockerfile.match(/^ARG NODE_IMAGE=(\S+)$/m)?.[1], tags.get('node'), 'the Dockerfile builds FROM the node image images.sh makes');
  });
});

describe('Prometheus and Grafana provisioning', () => {
  // Bind mounts of the repository's files (a user's folder given by a variable, e.g. REPLAY_DIR, is not one).
  const raw = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
  const mounts = (s: ComposeService) =>
    (s.volumes ?? []).filter((v) => v.startsWith('./')).map((v) => ({ source: join(REPO, v.split(':')[0]!), target: v.split(':')[1]! }));
  const repoMounts = (name: string) => (raw.services[name]!.volumes ?? []).filter((v) => v.startsWith('./'));

  it('mounts files that exist in the repository', () => {
    let n = 0;
    for (const [name] of services) {
      for (const v of repoMounts(name)) {
        n++;
        assert.ok(existsSync(join(REPO, v.split(':')[0]!)), `${name}: ${v} mounts a path that does not exist`);
      }
    }
    assert.ok(n >= 3, 'Prometheus config, Grafana provisioning and dashboards are mounted');
  });

  it('points Grafana at the compose Prometheus and at the mounted dashboards folder', () => {
    const grafana = compose.services.grafana!;
    const dir = join(REPO, 'deploy/grafana/provisioning');
    const datasources = parse(readFileSync(join(dir, 'datasources/prometheus.yml'), 'utf8')) as { datasources: { url: string; type: string }[] };
    const promPort = publishedPorts(compose.services.prometheus!)[0]!.container;
    assert.deepEqual(datasources.datasources.map((d) => [d.type, d.url]), [['prometheus', `http://prometheus:${promPort}`]]);
    const providers = parse(readFileSync(join(dir, 'dashboards/stockstream.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
    const dashboards = mounts(grafana).find((m) => m.source === join(REPO, 'deploy/grafana/dashboards'));
    assert.ok(dashboards, 'deploy/grafana/dashboards is mounted');
    assert.deepEqual(providers.providers.map((p) => p.options.path), [dashboards.target]);
    for (const f of readdirSync(join(REPO, 'deploy/grafana/dashboards')).filter((n) => n.endsWith('.json'))) {
      const board = JSON.parse(readFileSync(join(REPO, 'deploy/grafana/dashboards', f), 'utf8')) as { uid?: string; panels?: unknown[] };
      assert.ok(board.uid && Array.isArray(board.panels), `${f}: a dashboard with a uid and panels`);
    }
  });

  it('loads rule files from the mounted rules folder', () => {
    const prometheus = parse(readFileSync(join(REPO, 'deploy/prometheus/prometheus.yml'), 'utf8')) as { rule_files: string[] };
    const target = mounts(compose.services.prometheus!).find((m) => m.source === join(REPO, 'deploy/prometheus'))!.target;
    assert.deepEqual(prometheus.rule_files, [`${target}/rules/*.yml`]);
    assert.ok(existsSync(COMPOSE_FILE));
  });
});
