import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { InputFileError, checkFileSettings, checkInputFile, readInputFile } from '../../src/config/input-file.js';
import { ConfigError, loadConfig, setting } from '../../src/config/settings.js';

const dir = mkdtempSync(join(tmpdir(), 'input-file-'));
const present = join(dir, 'present.csv');
writeFileSync(present, 'Index,Date\n');

function failsWith(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => err instanceof InputFileError && err.message === message && !/ENOENT|errno|\n/.test(err.message));
}

test('an input file that can be read passes the check and is read whole', () => {
  assert.doesNotThrow(() => checkInputFile(present));
  assert.equal(readInputFile(present), 'Index,Date\n');
});

test('an unreadable input file is one plain sentence naming it', () => {
  failsWith(() => checkInputFile('/no/such/file.csv'), 'cannot read /no/such/file.csv: no such file');
  failsWith(() => readInputFile(join(dir, 'absent.json')), `cannot read ${join(dir, 'absent.json')}: no such file`);
  failsWith(() => checkInputFile(dir), `cannot read ${dir}: it is a folder`);
  failsWith(() => readInputFile(dir), `cannot read ${dir}: it is a folder`);
  failsWith(() => checkInputFile(join(present, 'x.csv')), `cannot read ${join(present, 'x.csv')}: a folder on its path is a file`);
});

test('a file without read permission is reported as such (as root, checked by a child process run as nobody)', () => {
  const locked = join(dir, 'locked.csv');
  writeFileSync(locked, 'x');
  chmodSync(locked, 0o000);
  if (process.getuid?.() !== 0) {
    failsWith(() => checkInputFile(locked), `cannot read ${locked}: permission denied`);
    return;
  }
  // Root reads any file, so the check runs as an unprivileged user; only the file's own mode stops it.
  chmodSync(dir, 0o755);
  const module = new URL('../../src/config/input-file.js', import.meta.url).href;
  const script = `import(${JSON.stringify(module)}).then((m) => { try { m.checkInputFile(${JSON.stringify(locked)}); console.log('read'); } catch (e) { console.log(e.name + ': ' + e.message); } })`;
  const out = execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script], { encoding: 'utf8' });
  assert.equal(out.trim(), `InputFileError: cannot read ${locked}: permission denied`);
});

test('file settings: every one set to an unreadable file is named at once; unset ones are not checked', () => {
  const spec = {
    ca: setting({ env: 'X_CA', optional: true, file: true, expect: 'a path', doc: 'CA.', schema: z.string() }),
    ref: setting({ env: 'X_REF', optional: true, file: true, expect: 'a path', doc: 'Reference.', schema: z.string() }),
    data: setting({ env: 'X_DATA', optional: true, file: true, expect: 'a path', doc: 'Data.', schema: z.string() }),
    name: setting({ env: 'X_NAME', default: '/no/such', expect: 'a name', doc: 'Not a file.', schema: z.string() }),
  };
  assert.doesNotThrow(() => checkFileSettings(spec, loadConfig(spec, { X_REF: present })));
  assert.throws(
    () => checkFileSettings(spec, loadConfig(spec, { X_CA: '/no/ca.pem', X_REF: present, X_DATA: dir })),
    (err: unknown) => err instanceof ConfigError
      && err.message === `Invalid configuration:\n  - X_CA: cannot read /no/ca.pem: no such file\n  - X_DATA: cannot read ${dir}: it is a folder`,
  );
});

test("file settings that 'none' turns off: none is not a path; anything else is checked", () => {
  const spec = { rates: setting({ env: 'X_RATES', optional: true, file: 'unless-none', expect: 'a path or none', doc: 'Rates.', schema: z.string() }) };
  assert.doesNotThrow(() => checkFileSettings(spec, loadConfig(spec, { X_RATES: 'none' })));
  assert.throws(() => checkFileSettings(spec, loadConfig(spec, { X_RATES: 'nope' })), { message: 'Invalid configuration:\n  - X_RATES: cannot read nope: no such file' });
});
