import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger } from '@stockstream/common';

describe('logger', () => {
  it('redacts credentials wherever config objects carry them', () => {
    let out = '';
    const sink = new Writable({ write(chunk, _e, cb) { out += String(chunk); cb(); } });
    const logger = createLogger('t', 'info', sink);
    logger.info({ cfg: { saslPassword: 'sec1', registryPassword: 'sec2', brokers: ['b:1'] }, s3: { secretAccessKey: 'sec3' }, 'sasl.password': 'sec4' }, 'config');
    for (const secret of ['sec1', 'sec2', 'sec3', 'sec4']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    assert.match(out, /b:1/);
    assert.match(out, /\[redacted\]/);
  });
});
