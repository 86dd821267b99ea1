// The schema-registry client's credentials and failures, against a small local HTTP server that answers like a
// Confluent-compatible registry and records what it is sent. (The real registry is in test/integration.)
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import {
  RegistryRefusedError, RegistryUnreachableError, SchemaRegistryClient, UnknownSchemaIdError, createLogger, loadConfig, loadSchema, registrySettings,
} from '@stockstream/common';

const USER = 'stockstream-svc';
const PASSWORD = 'pw-Zq81-never-shown';
const BASIC = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
const schema = loadSchema('rawTick');
const KNOWN_ID = 7;

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
}

/** Answers the calls the client makes; anything without the expected Basic auth gets 401, as a secured registry would. */
function fakeRegistry(): { server: Server; seen: Seen[] } {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const path = (req.url ?? '').replace(/^\/ccompat/, '');
      seen.push({ method: req.method ?? '', path, authorization: req.headers.authorization });
      const answer = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
        res.end(JSON.stringify(json));
      };
      if (req.headers.authorization !== BASIC) return answer(401, { error_code: 40101, message: 'Unauthorized' });
      const route = `${req.method} ${path}`;
      if (/^GET \/config\/[^/]+$/.test(route)) return answer(404, { error_code: 40401, message: 'Subject not found.' });
      if (/^PUT \/config\/[^/]+$/.test(route)) return answer(200, JSON.parse(body));
      if (/^POST \/subjects\/[^/]+\/versions$/.test(route)) return answer(200, { id: KNOWN_ID });
      if (route === `GET /schemas/ids/${KNOWN_ID}`) return answer(200, { schema: JSON.stringify(schema) });
      if (/^GET \/schemas\/ids\/\d+$/.test(route)) return answer(404, { error_code: 40403, message: `Schema ${path.split('/').pop()} not found.` });
      if (/^GET \/subjects\/[^/]+\/versions\/(1|latest)$/.test(route)) {
        return answer(200, { subject: path.split('/')[2], version: 1, id: KNOWN_ID, schema: JSON.stringify(schema) });
      }
      answer(500, { error_code: 50001, message: `no route ${route}` });
    });
  });
  return { server, seen };
}

describe('SchemaRegistryClient credentials and failures', () => {
  const { server, seen } = fakeRegistry();
  let url = '';
  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ccompat`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The settings as a service reads them from its environment. */
  const config = (env: Record<string, string> = {}) =>
    loadConfig(registrySettings, {
      SCHEMA_REGISTRY_URL: url, SCHEMA_REGISTRY_USERNAME: USER, SCHEMA_REGISTRY_PASSWORD: PASSWORD, SCHEMA_REGISTRY_TIMEOUT_MS: '2000', ...env,
    });

  /** Everything a service would show of an error: its message and stack on stderr, and the error as a log line. */
  function shown(err: unknown): string {
    let out = '';
    const sink = new Writable({ write(chunk, _e, cb) { out += String(chunk); cb(); } });
    createLogger('t', 'info', sink).error({ err, cfg: config() }, (err as Error).message);
    return `${(err as Error).stack}\n${out}`;
  }

  it('sends Basic auth on every kind of call: registering (config, versions), a schema by id, a subject version', async () => {
    seen.length = 0;
    const subject = 'ticks.raw-value';
    const id = await new SchemaRegistryClient(config()).register(subject, schema);
    assert.equal(id, KNOWN_ID);
    const fresh = new SchemaRegistryClient(config()); // nothing cached: the schema is fetched
    const writer = await fresh.writerType(KNOWN_ID);
    assert.equal(writer.name, 'io.stockstream.ticks.RawTick');
    assert.equal(await fresh.schemaId(subject, 'latest'), KNOWN_ID);
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.path}`),
      [
        `GET /config/${subject}`, `POST /subjects/${subject}/versions`, `PUT /config/${subject}`,
        `GET /schemas/ids/${KNOWN_ID}`, `GET /subjects/${subject}/versions/latest`,
      ],
    );
    for (const s of seen) assert.equal(s.authorization, BASIC, `${s.method} ${s.path}`);
  });

  it('sends no Authorization header when no user is set, and then says the registry wants credentials', async () => {
    seen.length = 0;
    const err = await new SchemaRegistryClient(config({ SCHEMA_REGISTRY_USERNAME: '', SCHEMA_REGISTRY_PASSWORD: '' })).writerType(KNOWN_ID)
      .then(() => assert.fail('resolved'), (e: unknown) => e);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.authorization, undefined);
    assert.ok(err instanceof RegistryRefusedError, String(err));
    assert.match(err.message, /asks for credentials and none are set \(HTTP 401\) while fetching schema id 7 \(SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD\)/);
  });

  it('an id the registry does not know is an UnknownSchemaIdError (asked once: a 404 is not retried)', async () => {
    seen.length = 0;
    const err = await new SchemaRegistryClient(config()).writerType(4242).then(() => assert.fail('resolved'), (e: unknown) => e);
    assert.ok(err instanceof UnknownSchemaIdError, String(err));
    assert.equal(err.schemaId, 4242);
    assert.match(err.message, /schema id 4242 .*not found/);
    assert.equal(seen.length, 1);
    assert.ok(!shown(err).includes(PASSWORD));
  });

  it('refused credentials are a RegistryRefusedError naming the user and the settings, asked once, never showing the password', async () => {
    const client = new SchemaRegistryClient(config({ SCHEMA_REGISTRY_PASSWORD: 'wrong-' + PASSWORD }));
    for (const call of [() => client.writerType(KNOWN_ID), () => client.register('ticks.raw-value', schema), () => client.schemaId('ticks.raw-value', 1)]) {
      seen.length = 0;
      const err = await call().then(() => assert.fail('resolved'), (e: unknown) => e);
      assert.ok(err instanceof RegistryRefusedError, String(err));
      assert.equal(err.status, 401);
      assert.match(err.message, new RegExp(`refused user "${USER}" \\(HTTP 401\\) while .* \\(SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD\\)$`));
      assert.equal(seen.length, 1, 'a refusal is not retried');
      assert.ok(!shown(err).includes(PASSWORD), shown(err));
    }
  });

  it('an unreachable registry is a RegistryUnreachableError after SCHEMA_REGISTRY_TIMEOUT_MS, naming SCHEMA_REGISTRY_URL, not the password', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve())); // nothing listens there now
    const down = `http://127.0.0.1:${port}/apis/ccompat/v7`;
    for (const registryUrl of [down, `http://${USER}:${PASSWORD}@127.0.0.1:${port}/apis/ccompat/v7`]) {
      const client = new SchemaRegistryClient(config({ SCHEMA_REGISTRY_URL: registryUrl, SCHEMA_REGISTRY_TIMEOUT_MS: '800' }));
      for (const call of [() => client.writerType(KNOWN_ID), () => client.register('ticks.raw-value', schema), () => client.schemaId('ticks.raw-value', 1)]) {
        const t0 = performance.now();
        const err = await call().then(() => assert.fail('resolved'), (e: unknown) => e);
        const ms = performance.now() - t0;
        assert.ok(err instanceof RegistryUnreachableError, String(err));
        assert.match(err.message, new RegExp(`schema registry unreachable at http://(${USER}:\\*\\*\\*@)?127\\.0\\.0\\.1:${port}/apis/ccompat/v7 for 800 ms .*\\(SCHEMA_REGISTRY_URL\\)`));
        assert.match(err.message, /ECONNREFUSED/);
        assert.ok(ms >= 300 && ms < 3000, `gave up after ${ms} ms`);
        assert.ok(!shown(err).includes(PASSWORD), shown(err));
      }
    }
  });

  it('a registry that takes the connection and never answers is unreachable too, after SCHEMA_REGISTRY_TIMEOUT_MS', async () => {
    const silent = createServer(() => {}); // reads requests, answers none
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const client = new SchemaRegistryClient(config({ SCHEMA_REGISTRY_URL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, SCHEMA_REGISTRY_TIMEOUT_MS: '800' }));
      for (const call of [() => client.writerType(KNOWN_ID), () => client.register('ticks.raw-value', schema)]) {
        const t0 = performance.now();
        const err = await call().then(() => assert.fail('resolved'), (e: unknown) => e);
        const ms = performance.now() - t0;
        assert.ok(err instanceof RegistryUnreachableError, String(err));
        assert.match(err.message, /for 800 ms .*\(SCHEMA_REGISTRY_URL\).*Timeout/);
        assert.ok(ms >= 1500 && ms < 4000, `gave up after ${ms} ms (one request, unanswered for twice the budget)`);
      }
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
