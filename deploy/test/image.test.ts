// The project image (Dockerfile), started with testcontainers against the
// stack the tests run on (host networking: the native stack on 127.0.0.1, or
// whatever cluster the environment names): each service answers /readyz and
// /metrics and stops cleanly on SIGTERM; a bad setting ends it non-zero with
// the sentence naming the variable; the entrypoint runs the stockstream command.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { isReady, uniqueTopics } from '@stockstream/common/testing';
import { containerSkip, docker } from './support/docker.js';
import { freePort } from './support/ports.js';

const IMAGE = 'stockstream:latest';
const skip = containerSkip([IMAGE]);
/** What the containers need of the test's environment to reach the stack. */
const STACK_VARIABLES = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'S3_ENDPOINT', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY', 'S3_REGION', 'S3_FORCE_PATH_STYLE',
  'KAFKA_SECURITY_PROTOCOL', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'SCHEMA_REGISTRY_USERNAME', 'SCHEMA_REGISTRY_PASSWORD'];

function stackEnv(): Record<string, string> {
  return Object.fromEntries(STACK_VARIABLES.filter((k) => process.env[k]).map((k) => [k, process.env[k]!]));
}

async function untilReady(port: number, container: StartedTestContainer, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await isReady(port))) {
    if (Date.now() > deadline) {
      const logs = await docker(['logs', '--tail', '30', container.getId()]).catch(() => '');
      assert.fail(`/readyz on port ${port} not 200 within ${timeoutMs} ms; last logs:\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function exitCode(id: string): Promise<number> {
  return Number((await docker(['inspect', '-f', '{{.State.ExitCode}}', id])).trim());
}

describe('the stockstream image against the stack', { skip }, () => {
  const topics = uniqueTopics('image');
  const id = randomUUID().slice(0, 8);
  const started: string[] = [];
  before(async () => {
    // Topics, schemas and default FX rates, as any first service run would make them.
    const c = await new GenericContainer(IMAGE).withNetworkMode('host')
      .withEnvironment({ ...stackEnv(), ...topics.env, HTTP_PORT: String(await freePort()), LOG_LEVEL: 'warn' })
      .withCommand(['ingest', 'simulate', '--count', '2000', '--seed', '3'])
      .withWaitStrategy(Wait.forOneShotStartup()).withStartupTimeout(120_000).start();
    started.push(c.getId());
    assert.equal(await exitCode(c.getId()), 0, 'a bounded generator run in the image exits 0');
  });
  after(async () => {
    if (started.length > 0) await docker(['rm', '-f', ...started]).catch(() => undefined);
  });

  const services = [
    { name: 'ingest', command: ['ingest', 'simulate', '--count', '1000000', '--seed', '9', '--rate', '500'], metric: 'stockstream_ingest_records_published_total' },
    { name: 'enrichment', command: ['enrichment'], metric: 'stockstream_enrichment_' },
    { name: 's3-sink', command: ['s3-sink'], metric: 'stockstream_sink_' },
  ];
  for (const s of services) {
    it(`${s.name}: answers /readyz and /metrics, and exits 0 on SIGTERM`, async () => {
      const port = await freePort();
      const container = await new GenericContainer(IMAGE).withNetworkMode('host')
        .withEnvironment({
          ...stackEnv(), ...topics.env, HTTP_PORT: String(port), LOG_LEVEL: 'info',
          ENRICHMENT_GROUP_ID: `it-image-enrichment-${id}`, ENRICHMENT_INSTANCE_ID: `it-image-${id}`,
          SINK_GROUP_ID: `it-image-sink-${id}`, S3_PREFIX: `it-image/${id}`,
        })
        .withCommand(s.command).withStartupTimeout(60_000).start();
      started.push(container.getId());
      await untilReady(port, container, 90_000);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.ok(metrics.includes(s.metric), `${s.name}: /metrics has ${s.metric}…`);
      assert.match(metrics, /^process_cpu_seconds_total|^stockstream_\w*process_cpu_seconds_total/m, `${s.name}: process metrics`);
      // PID 1 is tini: the service is its child, gets the SIGTERM and its exit status is the container's.
      const ps = await container.exec(['sh', '-c', 'cat /proc/1/comm']);
      assert.equal(ps.output.trim(), 'tini');
      await container.stop({ timeout: 60_000, remove: false });
      assert.equal(await exitCode(container.getId()), 0, `${s.name}: a clean stop on SIGTERM`);
    });
  }

  it('runs the stockstream command (help, exit codes, a replay file checked first) and other programs as given', async () => {
    // `docker run`'s status is the container's; output is kept whatever the status.
    const run = (args: string[]) =>
      new Promise<{ code: number | string | null | undefined; stdout: string; stderr: string }>((resolve) => {
        execFile('docker', ['run', '--rm', IMAGE, ...args], { timeout: 60_000 }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
      });
    const help = await run([]); // the image's CMD: help
    assert.equal(help.code, 0, help.stderr);
    for (const c of ['ingest', 'enrichment', 's3-sink', 'query', 'catalog', 'healthcheck']) assert.match(help.stdout, new RegExp(`^ {2}${c} `, 'm'), `help lists ${c}`);
    const unknown = await run(['injest']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^stockstream: unknown command "injest"$/m);
    const replay = await run(['ingest', 'replay', '/data/none.csv']);
    assert.equal(replay.code, 66);
    assert.match(replay.stderr, /^ingest: cannot read \/data\/none\.csv: no such file$/m);
    const shell = await run(['sh', '-c', 'echo "$UV_THREADPOOL_SIZE"']);
    assert.equal(shell.stdout, '8\n', 'sh runs as given, with the Node settings of scripts/node-env.sh');
  });

  it('a bad setting ends the service non-zero, naming the variable', async () => {
    // Started once the sentence is in its log (it exits right after).
    const container = await new GenericContainer(IMAGE).withNetworkMode('host')
      .withEnvironment({ ...stackEnv(), HTTP_PORT: String(await freePort()), ENRICHMENT_BATCH_MAX: 'lots' })
      .withCommand(['enrichment'])
      .withWaitStrategy(Wait.forLogMessage(/ENRICHMENT_BATCH_MAX must be a positive integer; got "lots"/)).withStartupTimeout(60_000).start();
    started.push(container.getId());
    assert.notEqual(Number((await docker(['wait', container.getId()])).trim()), 0, 'exit status');
  });
});
