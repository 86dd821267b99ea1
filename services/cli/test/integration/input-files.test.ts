// The real bin given a file it cannot read, with a Kafka broker, schema
// registry and S3 endpoint that count connections: it must fail at once with
// one plain sentence naming the file, and connect to nothing. (It used to wait
// 15 s for the registry and report that instead.) Needs no stack: the servers
// are the test's own.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stockstreamAsync } from '../support/bin.js';

describe('stockstream with an unreadable input file', () => {
  const servers: Server[] = [];
  let connections = 0;
  const env: Record<string, string> = {};
  const folder = mkdtempSync(join(tmpdir(), 'stockstream-cli-'));

  before(async () => {
    const listen = async () => {
      const server = createServer((socket) => {
        connections++;
        socket.destroy();
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as { port: number }).port;
    };
    Object.assign(env, {
      KAFKA_BROKERS: `127.0.0.1:${await listen()}`,
      SCHEMA_REGISTRY_URL: `http://127.0.0.1:${await listen()}/apis/ccompat/v7`,
      S3_ENDPOINT: `http://127.0.0.1:${await listen()}`, S3_FORCE_PATH_STYLE: 'true', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's',
      HTTP_PORT: '0', LOG_LEVEL: 'info',
    });
  });
  after(() => {
    for (const s of servers) s.close();
  });

  const cases: { what: string; args: string[]; extra: Record<string, string>; code: number; stderr: string }[] = [
    { what: 'a replay of a missing file', args: ['ingest', 'replay', '/no/such/file.csv'], extra: {}, code: 66, stderr: 'ingest: cannot read /no/such/file.csv: no such file\n' },
    { what: 'a replay of a folder', args: ['ingest', 'replay', folder, '--loop'], extra: {}, code: 66, stderr: `ingest: cannot read ${folder}: it is a folder\n` },
    {
      what: "enrichment's reference and rates files", args: ['enrichment'], extra: { INDEX_REFERENCE_FILE: '/no/indices.json', FX_HISTORY_FILE: folder, FX_FALLBACK_FILE: '/no/fallback.json' }, code: 78,
      stderr: `enrichment: Invalid configuration:\n  - INDEX_REFERENCE_FILE: cannot read /no/indices.json: no such file\n  - FX_HISTORY_FILE: cannot read ${folder}: it is a folder\n  - FX_FALLBACK_FILE: cannot read /no/fallback.json: no such file\n`,
    },
    {
      what: "the sink's Kafka CA file", args: ['s3-sink'], extra: { KAFKA_SECURITY_PROTOCOL: 'ssl', KAFKA_SSL_CA_LOCATION: '/no/ca.pem' }, code: 78,
      stderr: 's3-sink: Invalid configuration:\n  - KAFKA_SSL_CA_LOCATION: cannot read /no/ca.pem: no such file\n',
    },
    {
      what: "the catalog's reference file", args: ['catalog', 'ddl'], extra: { INDEX_REFERENCE_FILE: '/no/indices.json' }, code: 78,
      stderr: 'Invalid configuration:\n  - INDEX_REFERENCE_FILE: cannot read /no/indices.json: no such file\n',
    },
  ];
  for (const c of cases) {
    it(`${c.what}: one plain sentence, exit ${c.code}, nothing connected (so no connect timeout was waited for)`, async () => {
      const before = connections;
      const r = await stockstreamAsync(c.args, { ...env, ...c.extra });
      assert.equal(r.stderr, c.stderr);
      assert.equal(r.code, c.code);
      assert.equal(r.stdout, '', 'no log line: the service never started');
      // A connection attempt begun just before the exit would have arrived by now.
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(connections - before, 0, 'connections to the broker, registry or S3');
    });
  }
});
