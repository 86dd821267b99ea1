// The real bin, spawned: its own help and errors, and each command's --help
// (before anything is validated or connected: no stack is needed).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../src/commands.js';
import { BIN, stockstream, stockstreamAsync, type Run } from '../support/bin.js';

const SERVICES = ['ingest', 'enrichment', 's3-sink'];

describe('stockstream', () => {
  it('is the npm bin, an executable file that runs by itself', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { bin: Record<string, string> };
    assert.equal(resolve(dirname(fileURLToPath(new URL('../../../package.json', import.meta.url))), pkg.bin.stockstream!), BIN);
    assert.ok(statSync(BIN).mode & 0o100, 'executable');
    const r = spawnSync(BIN, ['--help'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Usage: stockstream COMMAND/);
  });

  it('--help, -h and help print the commands and exit 0', () => {
    for (const word of ['--help', '-h', 'help']) {
      const r = stockstream([word]);
      assert.equal(r.code, 0, r.stderr);
      for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^ {2}${c.name} `, 'm'), `${word}: lists ${c.name}`);
    }
  });

  it('an unknown command: one line naming it, then the commands, exit 2', () => {
    const r = stockstream(['injest', 'replay', 'x.csv']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const [first, second, ...rest] = r.stderr.split('\n');
    assert.equal(first, 'stockstream: unknown command "injest"');
    assert.equal(second, '');
    for (const c of COMMANDS) assert.ok(rest.some((l) => l.startsWith(`  ${c.name} `)), `lists ${c.name}`);
    assert.equal(stockstream([]).code, 2, 'no command at all');
    assert.match(stockstream([]).stderr, /^stockstream: a command is required\n/);
  });

  it('every command answers --help and -h with its usage, exit 0; services with the settings they read', async () => {
    // A service that tried to connect would fail (nothing listens on port 1), not print its help.
    const env = { KAFKA_BROKERS: '127.0.0.1:1', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1', KAFKA_CONNECT_TIMEOUT_MS: '100' };
    const runs = COMMANDS.flatMap((c) => ['--help', '-h'].map((flag) => ({ c, flag, run: stockstreamAsync([c.name, flag], env) })));
    for (const { c, flag, run } of runs) {
      const r = await run;
      assert.equal(r.code, 0, `${c.name} ${flag}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage:\\s+stockstream ${c.name}\\b`), `${c.name} ${flag}`);
      if (SERVICES.includes(c.name)) assert.match(r.stdout, /^Settings \(environment variables\):\n {2}LOG_LEVEL /m, `${c.name}: its settings`);
    }
    const output = ({ code, stdout, stderr }: Run) => ({ code, stdout, stderr });
    assert.deepEqual(output(stockstream(['help', 'ingest'])), output(stockstream(['ingest', '--help'])), 'help ingest is ingest --help');
  });

  it('--help after a command\'s arguments is still its help', () => {
    const r = stockstream(['ingest', 'replay', '/no/such/file.csv', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage:\n {2}stockstream ingest replay/);
  });

  it('report: each report answers --help before connecting; an unknown report or a bad flag exits 64', async () => {
    const env = { KAFKA_BROKERS: '127.0.0.1:1', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1' };
    const runs = ['arrivals', 'enrichment'].map((name) => ({ name, run: stockstreamAsync(['report', name, '--help'], env) }));
    for (const { name, run } of runs) {
      const r = await run;
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: stockstream report ${name} \\[--since MS\\]`), name);
      assert.match(r.stdout, /^ {2}KAFKA_BROKERS /m, `${name}: the settings it reads`);
    }
    const listed = stockstream(['report', '--help']);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /^ {2}arrivals /m);
    assert.match(listed.stdout, /^ {2}enrichment /m);
    const unknown = stockstream(['report', 'arrival']);
    assert.equal(unknown.code, 64);
    assert.match(unknown.stderr, /^stockstream report: unknown report "arrival"\n/);
    const badFlag = stockstream(['report', 'arrivals', '--since', 'yesterday'], env);
    assert.equal(badFlag.code, 64);
    assert.match(badFlag.stderr, /^stockstream report arrivals: --since takes a whole number of milliseconds, not "yesterday"\n/);
  });

  it('a command\'s own usage errors keep its exit code', () => {
    const r = stockstream(['ingest', 'generate']);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /^ingest: unknown mode "generate": replay or simulate\n/);
  });
});
