import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, usage } from '../../src/command-line.js';
import { COMMANDS, findCommand, moduleUrl, type Command } from '../../src/commands.js';

const ingest = findCommand('ingest')!;

describe('the command table', () => {
  it('has the services and tools, each a distinct word with a one-line summary', () => {
    const names = COMMANDS.map((c) => c.name);
    // What docker-compose.yml, deploy/k8s and the image's HEALTHCHECK run; more may come.
    for (const n of ['ingest', 'enrichment', 's3-sink', 'query', 'catalog', 'healthcheck']) assert.ok(names.includes(n), `no ${n}`);
    assert.equal(new Set(names).size, names.length, 'each name once');
    for (const c of COMMANDS) {
      assert.match(c.name, /^[a-z][a-z0-9-]*$/, c.name);
      assert.ok(c.summary.length > 0 && c.summary.length <= 90 && !c.summary.includes('\n'), `${c.name}: summary of one short line`);
    }
  });

  it('runs modules that are built', () => {
    for (const c of COMMANDS) assert.ok(existsSync(fileURLToPath(moduleUrl(c))), `${c.name}: ${c.module} not built`);
  });
});

describe('stockstream command lines', () => {
  it('hands everything after the command word to the command, --help included', () => {
    assert.deepEqual(parseCommandLine(['ingest', 'replay', 'f.csv', '--rate', '5'], COMMANDS), { kind: 'run', command: ingest, args: ['replay', 'f.csv', '--rate', '5'] });
    assert.deepEqual(parseCommandLine(['ingest', '--help'], COMMANDS), { kind: 'run', command: ingest, args: ['--help'] });
    assert.deepEqual(parseCommandLine(['enrichment'], COMMANDS), { kind: 'run', command: findCommand('enrichment'), args: [] });
  });

  it('help, --help and -h alone are its own help; help COMMAND is the command\'s', () => {
    for (const word of ['help', '--help', '-h']) assert.deepEqual(parseCommandLine([word], COMMANDS), { kind: 'help' });
    assert.deepEqual(parseCommandLine(['help', 'ingest'], COMMANDS), { kind: 'run', command: ingest, args: ['--help'] });
  });

  it('a missing or unknown command is a usage error naming the word', () => {
    assert.deepEqual(parseCommandLine([], COMMANDS), { kind: 'usage-error', message: 'a command is required' });
    assert.deepEqual(parseCommandLine(['injest', 'replay'], COMMANDS), { kind: 'usage-error', message: 'unknown command "injest"' });
    assert.deepEqual(parseCommandLine(['help', 'injest'], COMMANDS), { kind: 'usage-error', message: 'unknown command "injest"' });
    // Options before the command are not stockstream's: it has none besides --help.
    assert.deepEqual(parseCommandLine(['--rate', '5', 'ingest'], COMMANDS), { kind: 'usage-error', message: 'unknown command "--rate"' });
  });

  it('its help lists every command with its summary, aligned, and says where each one\'s details are', () => {
    const text = usage(COMMANDS);
    assert.match(text, /^Usage: stockstream COMMAND \[ARGS\.\.\.\]\n/);
    for (const c of COMMANDS) assert.match(text, new RegExp(`^ {2}${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    const columns = new Set(COMMANDS.map((c) => text.split('\n').find((l) => l.startsWith(`  ${c.name} `))!.indexOf(c.summary)));
    assert.equal(columns.size, 1, 'summaries start in one column');
    assert.match(text, /stockstream COMMAND --help/);
  });

  it('a new command is one more entry in the table', () => {
    const extra: Command = { name: 'chaos', summary: 'break things on purpose', module: './chaos.js' };
    const table = [...COMMANDS, extra];
    assert.deepEqual(parseCommandLine(['chaos', 'run', '--seed', '7'], table), { kind: 'run', command: extra, args: ['run', '--seed', '7'] });
    assert.deepEqual(parseCommandLine(['help', 'chaos'], table), { kind: 'run', command: extra, args: ['--help'] });
    assert.match(usage(table), /^ {2}chaos +break things on purpose$/m);
  });
});
