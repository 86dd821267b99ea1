// The pipeline on a secured stack, through the settings the services declare:
// `STACK_SECURE=1 deploy/local/stack.sh up` in a folder of its own (its own
// ports, next to the shared stack) runs Kafka with only a SASL_SSL listener
// (SCRAM-SHA-512, a CA the stack makes), Apicurio Registry behind its own
// HTTP Basic auth and S3Proxy with keys of its own; the test gives each a
// random secret. Checks that ingest -> enrichment -> s3-sink land exactly the
// records of a file in the lake (counted with `stockstream query`) and the
// dead letters expected of it; that a wrong SASL password, an untrusted CA and
// a wrong registry password stop a service within seconds, saying which
// settings to check; and that no secret (nor its base64 form, as in a Basic
// auth header) appears in any line any of those processes wrote, or in the
// stack's own logs.
import { strict as assert } from 'node:assert';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { SchemaRegistryClient, decodeTopic, kafkaSettings, loadConfig, registrySettings, type DeadLetter } from '@stockstream/common';
import { runService, stopService, uniqueTopics, waitForMetric, type ServiceRun } from '@stockstream/common/testing';
import { REPO } from './support/compose-file.js';
import { freePort } from './support/ports.js';

const STACK = join(REPO, 'deploy/local/stack.sh');
const INGEST = join(REPO, 'services/ingest/dist/src/main.js');
const ENRICH = join(REPO, 'services/enrichment/dist/src/main.js');
const SINK = join(REPO, 'services/s3-sink/dist/src/main.js');
const CLI = join(REPO, 'services/cli/bin/stockstream.js');
const VALID = 3000;
const run = promisify(execFile);

/** Distinctive, so that a hit cannot be a coincidence; only characters the stack accepts. */
const secret = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;

/** A file of VALID good bars over four indices (three currencies to convert), then rows each stage must reject. */
function inputFile(path: string): { expectedDeadLetters: string[] } {
  const symbols = ['NYA', 'HSI', 'GDAXI', 'N225'];
  const lines = ['Index,Date,Open,High,Low,Close,Adj Close,Volume'];
  for (let i = 0; i < VALID; i++) {
    const day = new Date(Date.UTC(2001, 0, 2) + Math.floor(i / symbols.length) * 86_400_000).toISOString().slice(0, 10);
    const open = 100 + (i % 7);
    lines.push(`${symbols[i % symbols.length]},${day},${open},${open + 5},${open - 5},${open + 1},${open + 1},${1000 + i}`);
  }
  lines.push(
    'HSI,2001-01-02,1,2,0.5', // too few columns: ingest
    'HSI,2001-01-02,abc,2,0.5,1.5,1.5,100', // text in a number: ingest
    'XXX,2001-01-02,1,2,0.5,1.5,1.5,100', // unknown index: enrichment
    'NYA,2001-01-02,1,2,3,1.5,1.5,100', // low above high: enrichment
    'HSI,2001-01-02,null,null,null,null,null,null', // a holiday's empty bar: published, then rejected by enrichment
  );
  writeFileSync(path, lines.join('\n') + '\n');
  return { expectedDeadLetters: ['INGEST column_count', 'INGEST invalid_number', 'ENRICHMENT low_above_high', 'ENRICHMENT missing_price', 'ENRICHMENT unknown_index'] };
}

/** `stack.sh env` as an object: every `export K=V` line. */
function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries([...text.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
}

test('the pipeline on a secured stack: SASL_SSL + SCRAM-SHA-512, registry Basic auth, S3 keys; no secret in any log', { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'stockstream-secure-'));
  const users = { kafka: 'pipeline', registry: 'schemas' };
  const secrets = { kafka: secret('kafkapw'), registry: secret('regpw'), s3: secret('s3secret') };
  const stackEnv: Record<string, string> = {
    ...(process.env as Record<string, string>),
    STACK_DIR: join(dir, 'stack'), STACK_SECURE: '1', SCHEMA_REGISTRY_STORAGE: 'memory',
    KAFKA_PORT: String(await freePort()), KAFKA_CONTROLLER_PORT: String(await freePort()),
    SCHEMA_REGISTRY_PORT: String(await freePort()), SCHEMA_REGISTRY_MGMT_PORT: String(await freePort()), S3_PORT: String(await freePort()),
    KAFKA_SASL_USERNAME: users.kafka, KAFKA_SASL_PASSWORD: secrets.kafka,
    SCHEMA_REGISTRY_USERNAME: users.registry, SCHEMA_REGISTRY_PASSWORD: secrets.registry,
    S3_ACCESS_KEY_ID: 'lake-writer', S3_SECRET_ACCESS_KEY: secrets.s3,
  };
  /** Every line every process wrote, by who wrote it: checked for secrets at the end. */
  const outputs: { who: string; text: string }[] = [];
  const runs: ServiceRun[] = [];
  const collect = (who: string, r: ServiceRun) => {
    runs.push(r);
    outputs.push({ who: `${who} stdout`, text: '' }, { who: `${who} stderr`, text: '' });
    const [out, err] = outputs.slice(-2);
    r.child.stdout!.on('data', (d: Buffer) => (out!.text += d.toString()));
    r.child.stderr!.on('data', (d: Buffer) => (err!.text += d.toString()));
    return r;
  };
  // Registered before `up`: what a failed start left running is stopped too.
  t.after(async () => {
    for (const r of runs) await stopService(r, 20_000).catch(() => undefined);
    await run(STACK, ['down'], { env: stackEnv, timeout: 120_000 }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  const up = await run(STACK, ['up'], { env: stackEnv, timeout: 240_000 }).catch((err: { stdout?: string; stderr?: string }) =>
    assert.fail(`stack.sh up failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`));
  outputs.push({ who: 'stack.sh up', text: up.stdout + up.stderr });
  const secured = parseEnv((await run(STACK, ['env'], { env: stackEnv })).stdout);
  const topics = uniqueTopics('secure');
  // What every service gets: the secured stack's settings as `stack.sh env` prints them, over the shared stack's.
  const env: Record<string, string> = { ...secured, ...topics.env, LOG_LEVEL: 'info', S3_BUCKET: 'secure-lake', LAKE_CACHE_DIR: join(dir, 'lake-cache') };

  await t.test('stack.sh env hands out the settings the services declare, with the secrets given', () => {
    assert.deepEqual(
      [env.KAFKA_SECURITY_PROTOCOL, env.KAFKA_SASL_MECHANISM, env.KAFKA_SASL_USERNAME, env.KAFKA_SASL_PASSWORD, env.SCHEMA_REGISTRY_USERNAME,
        env.SCHEMA_REGISTRY_PASSWORD, env.S3_ACCESS_KEY_ID, env.S3_SECRET_ACCESS_KEY],
      ['sasl_ssl', 'SCRAM-SHA-512', users.kafka, secrets.kafka, users.registry, secrets.registry, 'lake-writer', secrets.s3],
    );
    assert.match(readFileSync(env.KAFKA_SSL_CA_LOCATION!, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
    assert.ok(loadConfig(kafkaSettings, env).sslCaLocation, 'KAFKA_SSL_CA_LOCATION is read by the services');
  });

  await t.test('the registry and S3 refuse requests without the credentials', async () => {
    const subjects = `${env.SCHEMA_REGISTRY_URL}/subjects`;
    const basic = (user: string, pw: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` });
    assert.equal((await fetch(subjects)).status, 401);
    assert.equal((await fetch(subjects, { headers: basic(users.registry, 'wrong') })).status, 401);
    assert.equal((await fetch(subjects, { headers: basic(users.registry, secrets.registry) })).status, 200);
    assert.equal((await fetch(`${env.S3_ENDPOINT}/`)).status, 403, 'S3Proxy answers an unsigned request with 403');
  });

  await t.test('a wrong SASL password, an untrusted CA or a wrong registry password stops each service within seconds, naming the settings', async (st) => {
    const otherCa = join(dir, 'other-ca.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=not the stack CA', '-keyout', join(dir, 'other-ca-key.pem'), '-out', otherCa], { stdio: 'ignore' });
    const wrong = { kafka: secret('wrongkafkapw'), registry: secret('wrongregpw') };
    // A connect timeout twice the bound asserted: passing means the refusal was recognised, not waited out.
    const slow = { ...env, KAFKA_CONNECT_TIMEOUT_MS: '60000', LOG_LEVEL: 'info' };
    const cases = [
      ...['ingest', 'enrichment', 's3-sink'].map((svc) => ({
        who: `${svc}, wrong SASL password`, svc, env: { ...slow, KAFKA_SASL_PASSWORD: wrong.kafka },
        says: new RegExp(`refused the SASL credentials of user "${users.kafka}" \\(SCRAM-SHA-512\\) \\(KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SASL_MECHANISM\\): SASL authentication error`),
      })),
      { who: 'ingest, untrusted CA', svc: 'ingest', env: { ...slow, KAFKA_SSL_CA_LOCATION: otherCa },
        says: new RegExp(`TLS handshake with Kafka at ${env.KAFKA_BROKERS} failed \\(KAFKA_SECURITY_PROTOCOL=sasl_ssl, KAFKA_SSL_CA_LOCATION=${otherCa}\\): SSL handshake failed: .*certificate verify failed`) },
      { who: 'ingest, wrong registry password', svc: 'ingest', env: { ...slow, SCHEMA_REGISTRY_PASSWORD: wrong.registry },
        says: new RegExp(`schema registry at .* refused user "${users.registry}" \\(HTTP 401\\) while .*\\(SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD\\)`) },
    ];
    const script = { ingest: INGEST, enrichment: ENRICH, 's3-sink': SINK } as Record<string, string>;
    const ended = await Promise.all(cases.map(async (c) => {
      const r = collect(c.who, runService(script[c.svc]!, c.svc === 'ingest' ? ['simulate', '--count', '10'] : [], c.env));
      return { c, r, exit: await r.exited };
    }));
    st.diagnostic(`exits (ms, five processes starting at once): ${ended.map((e) => `${e.c.who} ${e.exit.ms}`).join('; ')}`);
    for (const { c, r, exit } of ended) {
      assert.equal(exit.code, 1, `${c.who}: ${r.stderr()}`);
      assert.ok(exit.ms < 30_000, `${c.who}: took ${exit.ms} ms`);
      const lastLine = r.stderr().trim().split('\n').pop()!;
      assert.match(lastLine, c.says, c.who);
      for (const s of [wrong.kafka, wrong.registry]) assert.ok(!(r.stdout() + r.stderr()).includes(s), `${c.who}: the wrong password is in its output`);
    }
  });

  await t.test(`ingest -> enrichment -> s3-sink land exactly the ${VALID} good records in the lake; the dead letters are the rejected rows`, async () => {
    const file = join(dir, 'bars.csv');
    const { expectedDeadLetters } = inputFile(file);
    const ports = { enrichment: await freePort(), sink: await freePort() };
    const enrichment = collect('enrichment', runService(ENRICH, [], { ...env, HTTP_PORT: String(ports.enrichment), ENRICHMENT_INSTANCE_ID: 'secure' }));
    const sink = collect('s3-sink', runService(SINK, [], { ...env, HTTP_PORT: String(ports.sink), SINK_ROTATE_MS: '2000', SINK_ROTATE_IDLE_MS: '1000' }));
    const ingest = collect('ingest', runService(INGEST, ['replay', file], env));
    assert.equal((await ingest.exited).code, 0, ingest.stderr());
    assert.match(ingest.stderr() + ingest.stdout(), new RegExp(`published ${VALID + 3} to ${topics.raw}, dead-lettered 2`));
    assert.equal(await waitForMetric(ports.enrichment, 'stockstream_enrichment_records_in_total', VALID + 3, 90_000, 250), VALID + 3, enrichment.stderr());
    assert.equal(await waitForMetric(ports.sink, 'stockstream_sink_records_written_total', VALID, 90_000, 250), VALID, sink.stderr());
    for (const r of [enrichment, sink]) assert.equal((await stopService(r)).code, 0, r.stderr());

    const query = await run(process.execPath, [CLI, 'query', '--format', 'csv', '--sql',
      "SELECT count(*) AS n, count(DISTINCT (raw_partition, raw_offset)) AS d, count(*) FILTER (WHERE close_usd IS NULL) AS no_usd FROM ticks"],
    { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 });
    outputs.push({ who: 'stockstream query', text: query.stdout + query.stderr });
    assert.deepEqual(query.stdout.trim().split('\n'), ['n,d,no_usd', `${VALID},${VALID},0`]);

    const dlq = await decodeTopic<DeadLetter>(loadConfig(kafkaSettings, env), new SchemaRegistryClient(loadConfig(registrySettings, env)), topics.dlq, 'deadLetter');
    assert.deepEqual(dlq.map((m) => `${m.value.stage} ${m.value.reason}`).sort(), expectedDeadLetters.sort());
  });

  await t.test('no secret, nor its base64 form, in any line of any process or of the stack\'s logs', () => {
    const logsDir = join(stackEnv.STACK_DIR!, 'logs');
    const logs = [...outputs, ...readdirSync(logsDir).map((f) => ({ who: `stack log ${f}`, text: readFileSync(join(logsDir, f), 'utf8') }))];
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const forbidden = [
      ...Object.entries(secrets).flatMap(([k, s]) => [[k, s], [`${k} base64`, b64(s)]]),
      ['registry Basic auth header', b64(`${users.registry}:${secrets.registry}`)],
    ] as [string, string][];
    const lines = logs.flatMap((l) => l.text.split('\n').map((line) => ({ who: l.who, line })));
    // The check sees the real run: the services' JSON logs at their default level (they log nothing below info),
    // the failed starts, the stack's logs, the query's summary.
    assert.ok(lines.length > 200, `${lines.length} lines`);
    for (const want of ['ingest stdout', 'enrichment stdout', 's3-sink stdout', 'stockstream query', 'stack log kafka.log', 'stack log registry.log', 'stack log s3.log']) {
      assert.ok(lines.some((l) => l.who === want && l.line.length > 0), `no lines of ${want}`);
    }
    const masked = (line: string) => forbidden.reduce((l, [what, s]) => l.replaceAll(s, `<${what}>`), line).slice(0, 300);
    const hits = lines.flatMap(({ who, line }) => forbidden.filter(([, s]) => line.includes(s)).map(([what]) => `${what} in ${who}: ${masked(line)}`));
    assert.deepEqual(hits, []);
  });
});
