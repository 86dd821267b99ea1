import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { helpText, setting } from '../../src/config/settings.js';
import { defaultSchemasDir } from '../../src/serde/schema-files.js';

test('--help text: the usage, then every setting with its default, required or optional', () => {
  const text = helpText('Usage: x run', {
    a: setting({ env: 'A_PORT', default: '9', expect: 'a port', doc: 'Port of A.', schema: z.string() }),
    b: setting({ env: 'B_URL', expect: 'a URL', doc: 'Where B is.', schema: z.string() }),
    c: setting({ env: 'C_NAME', optional: true, expect: 'a name', doc: 'C, if any.', schema: z.string() }),
  });
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'Usage: x run');
  assert.match(lines[3]!, /^ {2}A_PORT +Port of A\. \(default 9\)$/);
  assert.match(lines[4]!, /^ {2}B_URL +Where B is\. \(required\)$/);
  assert.match(lines[5]!, /^ {2}C_NAME +C, if any\.$/);
});

test('every service answers --help with exit 0 before connecting to anything', () => {
  const root = dirname(defaultSchemasDir());
  // KAFKA_BROKERS points nowhere: a service that tried to connect would fail, not print its help.
  const env = { ...process.env, KAFKA_BROKERS: '127.0.0.1:1', KAFKA_CONNECT_TIMEOUT_MS: '100' };
  for (const script of ['services/ingest/dist/src/main.js', 'services/enrichment/dist/src/main.js', 'services/s3-sink/dist/src/main.js', 'services/s3-sink/dist/src/query-main.js']) {
    const out = execFileSync(process.execPath, [join(root, script), '--help'], { encoding: 'utf8', env, timeout: 10_000 });
    assert.match(out, /^Usage:/m, script);
  }
});
