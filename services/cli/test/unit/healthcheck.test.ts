import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { enrichmentSettings } from '@stockstream/enrichment/dist/src/config.js';
import { ingestSettings } from '@stockstream/ingest/dist/src/config.js';
import { sinkSettings } from '@stockstream/s3-sink/dist/src/config.js';
import { SERVICE_PORTS, anyHealthy } from '../../src/service-health.js';
import { stockstreamAsync } from '../support/bin.js';

describe('stockstream healthcheck', () => {
  const servers: Server[] = [];
  const ports: Record<'ok' | 'failing', number> = { ok: 0, failing: 0 };
  before(async () => {
    for (const [name, status] of [['ok', 200], ['failing', 503]] as const) {
      const server = createServer((req, res) => res.writeHead(req.url === '/healthz' ? status : 404).end());
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      ports[name] = (server.address() as { port: number }).port;
    }
  });
  after(() => {
    for (const s of servers) s.close();
  });

  it('asks the ports the services serve on by default', () => {
    assert.deepEqual(SERVICE_PORTS, [ingestSettings, enrichmentSettings, sinkSettings].map((s) => Number(s.httpPort.default)));
  });

  it('is healthy when one of the ports answers /healthz with 200', async () => {
    assert.equal(await anyHealthy([ports.ok]), true);
    assert.equal(await anyHealthy([ports.failing, ports.ok]), true);
    assert.equal(await anyHealthy([ports.failing]), false);
    assert.equal(await anyHealthy([1]), false, 'nothing listening');
  });

  it('exits 0 or 1 for Docker, asking HTTP_PORT; a bad HTTP_PORT is named', async () => {
    assert.equal((await stockstreamAsync(['healthcheck'], { HTTP_PORT: String(ports.ok) })).code, 0);
    assert.equal((await stockstreamAsync(['healthcheck'], { HTTP_PORT: String(ports.failing) })).code, 1);
    const bad = await stockstreamAsync(['healthcheck'], { HTTP_PORT: 'ninety' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /HTTP_PORT must be a TCP port; got "ninety"/);
    assert.equal((await stockstreamAsync(['healthcheck', '9101'])).code, 64, 'takes no arguments');
  });
});
