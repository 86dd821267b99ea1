// deploy/k8s against the code: what each container is given is what its
// service declares and accepts (services/*/src/config.ts), its probes and
// ports are what the services serve, its image and command are the ones the
// Dockerfile and docker-compose.yml build, KEDA watches the groups and topics
// the services consume and never scales past the partitions, and the network
// policies let out to the endpoints the settings name. No cluster needed.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { loadConfig, type SettingsSpec } from '@stockstream/common';
import { REPO, loadCompose } from './support/compose-file.js';
import { IMAGE_COMMANDS } from './support/image-commands.js';
import {
  OVERLAYS, environment, idOf, render, selects, workloads,
  type Container, type EnvSource, type K8sObject, type KustomizationName, type Probe, type Workload,
} from './support/k8s-manifests.js';

const importDist = async <T>(service: string, file: string): Promise<T> =>
  (await import(pathToFileURL(join(REPO, 'services', service, 'dist', 'src', file)).href)) as T;
const SPECS: Record<string, SettingsSpec> = {
  ingest: (await importDist<Record<string, SettingsSpec>>('ingest', 'config.js')).ingestSettings!,
  enrichment: (await importDist<Record<string, SettingsSpec>>('enrichment', 'config.js')).enrichmentSettings!,
  's3-sink': (await importDist<Record<string, SettingsSpec>>('s3-sink', 'config.js')).sinkSettings!,
};
const { parseIngestArgs } = await importDist<{ parseIngestArgs(argv: string[]): { mode: string; file?: string } }>('ingest', 'cli/args.js');

/** Read by Node and libuv, not by a service's settings (scripts/node-env.sh gives the image's defaults). */
const NODE_VARIABLES = new Set(['NODE_OPTIONS', 'UV_THREADPOOL_SIZE']);
/** Settings whose default means "on this machine": a pod must be told. */
const MUST_SET = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL'];
/** The topic each consumer reads, by its config key. */
const CONSUMES: Record<string, string> = { enrichment: 'rawTopic', 's3-sink': 'enrichedTopic' };
/** KAFKA_SASL_MECHANISM in KEDA's kafka scaler's words. */
const KEDA_SASL: Record<string, string> = { PLAIN: 'plaintext', 'SCRAM-SHA-256': 'scram_sha256', 'SCRAM-SHA-512': 'scram_sha512' };

const APPLIED: KustomizationName[] = [...OVERLAYS, 'replay/production', 'replay/local'];
const cache = new Map<KustomizationName, K8sObject[]>();
const objectsOf = (name: KustomizationName) => cache.get(name) ?? cache.set(name, render(name)).get(name)!;

interface Service {
  name: string;
  workload: Workload;
  container: Container;
  command: string;
  env: Map<string, EnvSource>;
  /** The values the service would see (placeholders for Secrets made in the cluster and for the pod name). */
  values: Record<string, string>;
  cfg: Record<string, unknown>;
}

/** The service containers (not init containers) of a render, with their environment and the config their service makes of it. */
function servicesOf(name: KustomizationName): Service[] {
  const objects = objectsOf(name);
  return workloads(objects).flatMap((workload) =>
    (workload.pod.containers as Container[]).map((container) => {
      const command = container.args?.[0] ?? '';
      const spec = SPECS[command];
      assert.ok(spec, `${name}: ${idOf(workload.object)}: ${container.name} runs "${command}", which is not a service of the image (${Object.keys(SPECS).join(', ')})`);
      const env = environment(container, objects);
      const values = Object.fromEntries(
        [...env].map(([k, s]) => [
          k,
          s.kind === 'field' ? (s.fieldPath === 'metadata.name' ? `${workload.object.metadata.name}-0` : `field-${s.fieldPath}`) : s.kind === 'secret' ? (s.value ?? `placeholder-of-${s.key}`) : s.value,
        ]),
      );
      return { name: `${name}: ${idOf(workload.object)}/${container.name}`, workload, container, command, env, values, cfg: loadConfig(spec, values) as Record<string, unknown> };
    }),
  );
}

function portNumber(c: Container, port: number | string | undefined): number | undefined {
  return typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
}
const budgetSeconds = (p: Probe) => (p.initialDelaySeconds ?? 0) + (p.periodSeconds ?? 10) * (p.failureThreshold ?? 3);

describe('deploy/k8s against the image', () => {
  it('runs the image docker-compose.yml builds, with the entrypoint\'s commands', () => {
    const built = new Set(Object.values(loadCompose().services).filter((s) => s.build !== undefined).map((s) => s.image!.split(':')[0]!));
    assert.deepEqual([...built], ['stockstream'], 'docker-compose.yml builds one image');
    for (const c of ['ingest', 'enrichment', 's3-sink', 'query', 'catalog']) assert.ok(IMAGE_COMMANDS.includes(c), `the entrypoint has no "${c}"`);
    for (const name of ['base', ...APPLIED] as KustomizationName[]) {
      const images = new Set<string>();
      for (const w of workloads(objectsOf(name))) {
        for (const c of [...(w.pod.initContainers ?? []), ...w.pod.containers] as Container[]) {
          const id = `${name}: ${idOf(w.object)}/${c.name}`;
          images.add(c.image);
          // registry/path/stockstream:tag -> stockstream
          const repository = c.image.replace(/@.*$/, '').replace(/:[^/:]+$/, '').split('/').pop();
          assert.ok(built.has(repository!), `${id}: image ${c.image} is not ${[...built].join(', ')}`);
          if (name === 'base') assert.equal(c.image, 'stockstream', `${id}: the base names the image as compose does; overlays set registry and tag`);
          // `command` would replace `tini -- stockstream`: tini forwards SIGTERM, and a service may end itself with SIGKILL.
          assert.equal(c.command, undefined, `${id}: keeps the image's entrypoint (args only)`);
          const word = c.args?.[0];
          if (w.pod.initContainers?.includes(c)) {
            assert.equal(word, 'sh', `${id}: an init container runs a shell command through the entrypoint`);
          } else {
            assert.ok(IMAGE_COMMANDS.includes(word ?? ''), `${id}: "${word}" is not a command of the image (${IMAGE_COMMANDS.join(', ')})`);
          }
        }
      }
      assert.equal(images.size, 1, `${name}: every container runs the same image: ${[...images].join(', ')}`);
    }
  });

  it('gives ingest arguments its command line accepts, and the replay a file on a volume the Job waits for', () => {
    for (const name of APPLIED) {
      for (const s of servicesOf(name).filter((x) => x.command === 'ingest')) {
        const cmd = parseIngestArgs(s.container.args!.slice(1));
        if (s.workload.object.kind === 'Job') {
          assert.equal(cmd.mode, 'replay', `${s.name}: a Job replays a file`);
          const mount = s.container.volumeMounts?.find((m) => cmd.file!.startsWith(`${m.mountPath}/`));
          assert.ok(mount, `${s.name}: ${cmd.file} is on no volume of the container`);
          const wait = (s.workload.pod.initContainers as Container[] | undefined)?.find((c) => c.volumeMounts?.some((m) => m.name === mount.name));
          assert.ok(wait?.args?.join(' ').includes(cmd.file!), `${s.name}: no init container waits for ${cmd.file}`);
          assert.equal(s.workload.object.spec.backoffLimit, 0, `${s.name}: a retried replay publishes the file again from its first row`);
          assert.equal(s.workload.pod.restartPolicy, 'Never');
        } else {
          assert.equal(cmd.mode, 'simulate', `${s.name}: the Deployment runs the generator`);
          // The producer's transactional.id comes from the seed: two pods of one seed fence each other.
          assert.ok((s.workload.object.spec.replicas ?? 1) <= 1, `${s.name}: one replica`);
          assert.equal(s.workload.object.spec.strategy?.type, 'Recreate', `${s.name}: Recreate (a rolling update runs two generators of one seed)`);
        }
      }
    }
  });
});

describe('deploy/k8s against the services\' settings', () => {
  it('sets only settings each service declares, every required one, with values its config accepts', () => {
    for (const name of APPLIED) {
      const services = servicesOf(name);
      assert.deepEqual([...new Set(services.map((s) => s.command))].sort(), ['enrichment', 'ingest', 's3-sink'], `${name}: runs the three services`);
      for (const s of services) {
        const spec = SPECS[s.command]!;
        const declared = new Set(Object.values(spec).map((x) => x.env));
        for (const key of s.env.keys()) assert.ok(declared.has(key) || NODE_VARIABLES.has(key), `${s.name}: ${key} is not a setting of ${s.command}`);
        for (const setting of Object.values(spec)) {
          if (setting.default === undefined && !setting.optional) assert.ok(s.env.has(setting.env), `${s.name}: required ${setting.env} is not set`);
          // Secrets only by reference: never a value in a manifest or a ConfigMap.
          if (setting.secret && s.env.has(setting.env)) assert.equal(s.env.get(setting.env)!.kind, 'secret', `${s.name}: ${setting.env} is a secret and must come from a Secret`);
        }
        for (const key of MUST_SET) {
          assert.ok(s.env.has(key), `${s.name}: ${key} is not set (its default is 127.0.0.1)`);
          assert.doesNotMatch(s.values[key]!, /127\.0\.0\.1|localhost/, `${s.name}: ${key} points at the pod itself`);
        }
        // loadConfig (called by servicesOf) accepted them all; this says so for the record.
        assert.doesNotThrow(() => loadConfig(spec, s.values), `${s.name}: rejected by ${s.command}'s settings`);
      }
    }
  });

  it('gives each enrichment pod its own stable instance id: the pod name of a StatefulSet', () => {
    for (const name of APPLIED) {
      for (const s of servicesOf(name).filter((x) => x.command === 'enrichment')) {
        assert.equal(s.workload.object.kind, 'StatefulSet', `${s.name}: a StatefulSet (stable pod names)`);
        assert.deepEqual(s.env.get('ENRICHMENT_INSTANCE_ID'), { kind: 'field', fieldPath: 'metadata.name' }, `${s.name}: ENRICHMENT_INSTANCE_ID from the pod name`);
      }
    }
  });

  it('connects production to external Kafka over SASL/TLS with the Secret\'s credentials, and to AWS S3 with no keys', () => {
    for (const s of servicesOf('replay/production')) {
      assert.equal(s.values.KAFKA_SECURITY_PROTOCOL, 'sasl_ssl', `${s.name}: KAFKA_SECURITY_PROTOCOL`);
      assert.ok(s.values.KAFKA_SASL_MECHANISM, `${s.name}: KAFKA_SASL_MECHANISM`);
      for (const key of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']) {
        const source = s.env.get(key);
        assert.ok(source?.kind === 'secret' && !source.optional, `${s.name}: ${key} from a Secret key that must exist (a pod without it does not start)`);
      }
      for (const key of ['SCHEMA_REGISTRY_USERNAME', 'SCHEMA_REGISTRY_PASSWORD']) {
        const source = s.env.get(key);
        assert.ok(source?.kind === 'secret' && source.optional, `${s.name}: ${key} from the Secret, optional (not every registry has basic auth)`);
      }
      assert.equal(s.values.CREATE_TOPICS, 'false', `${s.name}: topics are managed by the cluster's owners`);
      if (s.command === 's3-sink') {
        for (const key of ['S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY']) assert.ok(!s.env.has(key), `${s.name}: ${key} set: AWS S3 with workload identity takes none`);
      }
    }
    for (const s of servicesOf('replay/local').filter((x) => x.command === 's3-sink')) {
      assert.ok(s.values.S3_ENDPOINT && s.values.S3_FORCE_PATH_STYLE === 'true', `${s.name}: an S3-compatible server, path-style`);
      assert.equal(s.env.get('S3_SECRET_ACCESS_KEY')?.kind, 'secret', `${s.name}: the dev keys from the generated Secret`);
    }
  });
});

describe('deploy/k8s against what the services serve', () => {
  const server = readFileSync(join(REPO, 'services/common/src/observability/http-server.ts'), 'utf8');
  const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
  const exposed = (dockerfile.match(/^EXPOSE (.+)$/m)?.[1] ?? '').split(/\s+/).map(Number);

  it('probes /readyz and /healthz on the port the service listens on, named metrics', () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) assert.ok(server.includes(`'${path}'`), `the services serve ${path}`);
    for (const name of APPLIED) {
      for (const s of servicesOf(name)) {
        const httpPort = s.cfg.httpPort as number;
        assert.equal(httpPort, Number(Object.values(SPECS[s.command]!).find((x) => x.env === 'HTTP_PORT')!.default), `${s.name}: HTTP_PORT is the service's own default`);
        assert.ok(exposed.includes(httpPort), `${s.name}: the Dockerfile does not EXPOSE ${httpPort}`);
        const metrics = s.container.ports?.find((p) => p.name === 'metrics');
        assert.equal(metrics?.containerPort, httpPort, `${s.name}: port "metrics" is HTTP_PORT (${httpPort})`);
        const probes: [string, Probe | undefined, string][] = [
          ['startupProbe', s.container.startupProbe, '/readyz'],
          ['readinessProbe', s.container.readinessProbe, '/readyz'],
          ['livenessProbe', s.container.livenessProbe, '/healthz'],
        ];
        for (const [kind, probe, path] of probes) {
          assert.equal(probe?.httpGet?.path, path, `${s.name}: ${kind} GET ${path}`);
          assert.equal(portNumber(s.container, probe!.httpGet!.port), httpPort, `${s.name}: ${kind} on HTTP_PORT`);
        }
      }
    }
  });

  it('gives the start-up probe time for the bounded start-up and the shutdown time for its clean-up', () => {
    const deadlineMs = Number(readFileSync(join(REPO, 'services/common/src/lifecycle/shutdown.ts'), 'utf8').match(/deadlineMs = ([\d_]+)/)![1]!.replaceAll('_', ''));
    for (const name of APPLIED) {
      for (const s of servicesOf(name)) {
        const c = s.cfg;
        // Each start-up step is bounded and ends the process when it fails: one wait for a broker per
        // client (admin, producer, consumer), the registry's retries, the FX table (enrichment), S3's
        // attempts (sink), then 30 s for the group join. /readyz is true after the last.
        const boundMs =
          3 * (c.connectTimeoutMs as number) +
          (c.registryTimeoutMs as number) +
          (s.command === 'enrichment' ? (c.fxLoadTimeoutMs as number) : 0) +
          (s.command === 's3-sink' ? (c.s3MaxAttempts as number) * (c.s3ConnectTimeoutMs as number) : 0) +
          30_000;
        assert.ok(budgetSeconds(s.container.startupProbe!) * 1000 >= boundMs, `${s.name}: start-up probe budget ${budgetSeconds(s.container.startupProbe!)} s < the bounded start-up ${boundMs / 1000} s`);
        // The liveness probe leaves a blocked event loop a minute; the readiness probe reacts faster.
        assert.ok(budgetSeconds(s.container.livenessProbe!) >= 60, `${s.name}: liveness gives up after less than a minute`);
        const grace = s.workload.pod.terminationGracePeriodSeconds as number;
        assert.ok(grace * 1000 >= deadlineMs + 10_000, `${s.name}: terminationGracePeriodSeconds ${grace} does not cover the service's shutdown deadline (${deadlineMs / 1000} s)`);
        if (s.command === 's3-sink') {
          // Closing the open files means uploading them: an attempt that times out and its retry.
          assert.ok(grace * 1000 >= 2 * (c.s3RequestTimeoutMs as number), `${s.name}: ${grace} s is less than two upload attempts (S3_REQUEST_TIMEOUT_MS)`);
        }
      }
    }
  });

  it('has a Service per component on the metrics port, and the PodMonitor scrapes /metrics there', () => {
    for (const name of APPLIED) {
      const objects = objectsOf(name);
      for (const s of servicesOf(name)) {
        const httpPort = s.cfg.httpPort as number;
        const services = objects.filter((o) => o.kind === 'Service' && selects(o.spec.selector, s.workload.labels));
        assert.equal(services.length, 1, `${s.name}: one Service selects it`);
        const port = (services[0]!.spec.ports as { name: string; port: number; targetPort: number | string }[]).find((p) => p.name === 'metrics');
        assert.ok(port, `${s.name}: ${idOf(services[0]!)} has no port named metrics`);
        assert.equal(port.port, httpPort, `${s.name}: ${idOf(services[0]!)} port`);
        assert.equal(portNumber(s.container, port.targetPort), httpPort, `${s.name}: ${idOf(services[0]!)} targetPort`);
        for (const m of objects.filter((o) => o.kind === 'PodMonitor')) {
          assert.ok(selects(m.spec.selector, s.workload.labels), `${s.name}: ${idOf(m)} does not select it`);
          for (const e of m.spec.podMetricsEndpoints as { port: string; path?: string }[]) {
            assert.equal(portNumber(s.container, e.port), httpPort, `${s.name}: ${idOf(m)} scrapes port ${e.port}`);
            assert.equal(e.path ?? '/metrics', '/metrics');
          }
        }
      }
    }
    assert.equal(objectsOf('overlays/production').filter((o) => o.kind === 'PodMonitor').length, 1, 'production is scraped by a PodMonitor');
  });
});

describe('KEDA and the consumer groups', () => {
  const consumerSource = readFileSync(join(REPO, 'services/common/src/kafka/consumer.ts'), 'utf8');
  const offsetReset = consumerSource.match(/'auto\.offset\.reset': '(\w+)'/)![1];

  it('scales each consumer on its own group\'s lag of the topic it reads, never past the partitions', () => {
    for (const name of APPLIED) {
      const objects = objectsOf(name);
      const services = servicesOf(name);
      const scaled = objects.filter((o) => o.kind === 'ScaledObject');
      if (name.includes('production')) assert.equal(scaled.length, 2, `${name}: the enrichment and the sink scale with KEDA`);
      for (const s of services.filter((x) => CONSUMES[x.command])) {
        const partitions = s.cfg.topicPartitions as number;
        const so = scaled.find((o) => o.spec.scaleTargetRef.name === s.workload.object.metadata.name && o.spec.scaleTargetRef.kind === s.workload.object.kind);
        if (!so) {
          assert.ok((s.workload.object.spec.replicas ?? 1) <= partitions, `${s.name}: more replicas than TOPIC_PARTITIONS`);
          continue;
        }
        const id = `${name}: ${idOf(so)}`;
        assert.equal(s.workload.object.spec.replicas, undefined, `${s.name}: replicas set while KEDA owns them (every apply would reset KEDA's count)`);
        assert.ok(so.spec.maxReplicaCount <= partitions, `${id}: maxReplicaCount ${so.spec.maxReplicaCount} > TOPIC_PARTITIONS ${partitions}`);
        assert.ok(so.spec.minReplicaCount >= 1 && so.spec.minReplicaCount <= so.spec.maxReplicaCount, `${id}: minReplicaCount`);
        const triggers = so.spec.triggers as { type: string; metadata: Record<string, string>; authenticationRef?: { name: string } }[];
        assert.deepEqual(triggers.map((t) => t.type), ['kafka'], `${id}: one kafka trigger`);
        const t = triggers[0]!;
        assert.equal(t.metadata.bootstrapServers, (s.cfg.brokers as string[]).join(','), `${id}: bootstrapServers are KAFKA_BROKERS`);
        assert.equal(t.metadata.topic, s.cfg[CONSUMES[s.command]!], `${id}: the topic ${s.command} consumes`);
        assert.equal(t.metadata.consumerGroup, s.cfg.groupId, `${id}: ${s.command}'s consumer group`);
        assert.equal(t.metadata.offsetResetPolicy, offsetReset, `${id}: offsetResetPolicy as the services' auto.offset.reset`);
        assert.notEqual(t.metadata.allowIdleConsumers, 'true', `${id}: idle consumers would let KEDA pass the partition count`);
        const lag = Number(t.metadata.lagThreshold);
        if (s.command === 's3-sink') {
          // The sink commits after uploading: its open files' records are lag while all is well.
          assert.ok(lag > (s.cfg.maxBufferedRecords as number), `${id}: lagThreshold ${lag} <= SINK_MAX_BUFFERED_RECORDS: the open files alone would scale it out`);
        } else {
          assert.ok(lag > (s.cfg.batchMax as number), `${id}: lagThreshold ${lag} <= ENRICHMENT_BATCH_MAX`);
        }
        // The scaler reaches the brokers as the services do.
        const protocol = s.cfg.securityProtocol as string;
        assert.equal(t.metadata.tls ?? 'disable', /ssl/.test(protocol) ? 'enable' : 'disable', `${id}: tls as KAFKA_SECURITY_PROTOCOL=${protocol}`);
        assert.equal(t.metadata.sasl ?? 'none', protocol.startsWith('sasl') ? KEDA_SASL[s.cfg.saslMechanism as string] : 'none', `${id}: sasl as KAFKA_SASL_MECHANISM`);
        if (protocol.startsWith('sasl')) {
          const auth = objects.find((o) => o.kind === 'TriggerAuthentication' && o.metadata.name === t.authenticationRef?.name);
          assert.ok(auth, `${id}: SASL needs a TriggerAuthentication`);
          for (const [parameter, variable] of [['username', 'KAFKA_SASL_USERNAME'], ['password', 'KAFKA_SASL_PASSWORD']] as const) {
            const ref = (auth.spec.secretTargetRef as { parameter: string; name: string; key: string }[]).find((r) => r.parameter === parameter);
            const source = s.env.get(variable);
            assert.ok(ref && source?.kind === 'secret' && ref.name === source.name && ref.key === source.key, `${id}: KEDA's ${parameter} is the services' ${variable}`);
          }
        }
      }
    }
  });
});

describe('the deployment guide (deploy/k8s/README.md)', () => {
  const guide = readFileSync(join(REPO, 'deploy/k8s/README.md'), 'utf8');

  it('creates the Secret with every key production reads, and says how to apply and that nothing ran here', () => {
    const create = guide.match(/kubectl -n stockstream create secret generic (\S+)((?:.|\n)*?)```/);
    assert.ok(create, 'the guide shows `kubectl -n stockstream create secret generic ...`');
    const keys = new Set([...create[2]!.matchAll(/--from-literal=([A-Z_]+)=/g)].map((m) => m[1]!));
    const objects = objectsOf('replay/production');
    const refs = [
      ...servicesOf('replay/production').flatMap((s) => [...s.env.values()].filter((e) => e.kind === 'secret').map((e) => ({ name: e.name, key: e.key }))),
      ...objects.filter((o) => o.kind === 'TriggerAuthentication').flatMap((o) => o.spec.secretTargetRef as { name: string; key: string }[]),
    ];
    assert.ok(refs.length > 0);
    for (const r of refs) {
      assert.equal(r.name, create[1], `${r.name}: the guide creates ${create[1]}`);
      assert.ok(keys.has(r.key), `the guide's Secret has no ${r.key}`);
    }
    assert.match(guide, /kubectl apply -k deploy\/k8s\/overlays\/production/);
    assert.match(guide, /validated, not run/i);
  });
});

describe('network policies and the endpoints', () => {
  it('let every pod out to the ports of KAFKA_BROKERS and SCHEMA_REGISTRY_URL, and the sink to S3', () => {
    for (const name of APPLIED) {
      const policies = objectsOf(name).filter((o) => o.kind === 'NetworkPolicy');
      for (const s of servicesOf(name)) {
        const allowed = new Set(
          policies
            .filter((p) => selects(p.spec.podSelector, s.workload.labels))
            .flatMap((p) => (p.spec.egress ?? []) as { ports?: { port: number | string; protocol?: string }[] }[])
            .flatMap((r) => (r.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.port)),
        );
        const urlPort = (u: string) => Number(new URL(u).port || (u.startsWith('https:') ? 443 : 80));
        const needed: [string, number][] = [
          ...(s.cfg.brokers as string[]).map((b): [string, number] => [`Kafka ${b}`, Number(b.split(':').pop())]),
          [`the registry ${s.cfg.registryUrl as string}`, urlPort(s.cfg.registryUrl as string)],
        ];
        if (s.command === 's3-sink') needed.push([`S3 ${(s.cfg.s3Endpoint as string | undefined) ?? '(AWS, https)'}`, s.cfg.s3Endpoint ? urlPort(s.cfg.s3Endpoint as string) : 443]);
        for (const [what, port] of needed) assert.ok(allowed.has(port), `${s.name}: no egress to ${what} (TCP ${port}); allowed: ${[...allowed].join(', ')}`);
      }
    }
  });
});
