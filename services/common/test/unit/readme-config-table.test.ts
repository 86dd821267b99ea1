// The README's configuration table is generated (`make config-table`) from the
// settings each service declares; this keeps the two equal.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { defaultSchemasDir } from '../../src/serde/schema-files.js';

const root = dirname(defaultSchemasDir());

test('the README holds the configuration table the services declare, exactly', () => {
  const table = execFileSync(process.execPath, [join(root, 'scripts', 'print-config-table.mjs')], { encoding: 'utf8', cwd: root }).trim();
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.match(/<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/);
  assert.ok(section, 'README has the config-table markers');
  const missing = table.split('\n').filter((row) => !section[1]!.split('\n').includes(row));
  assert.deepEqual(missing, [], 'README rows out of date: run `make config-table` and paste the table between the markers');
  assert.equal(section[1], table, 'README configuration table has rows the services no longer declare: run `make config-table` and paste it between the markers');
  assert.ok(table.split('\n').length > 20, 'the generated table has the settings of every service');
});
