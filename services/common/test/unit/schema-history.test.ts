// Every earlier version of a schema kept in schemas/history/ is readable by the
// current one (BACKWARD), and the fields added since take their defaults.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import avsc from 'avsc';
import { SCHEMA_FILES, defaultSchemasDir, loadSchema, type SchemaName } from '@stockstream/common';

const dir = defaultSchemasDir();
/** Decoded records are class instances: compare their data. */
const plain = (v: unknown): unknown => (v !== null && typeof v === 'object' ? JSON.parse(JSON.stringify(v)) : v);
const history = readdirSync(join(dir, 'history')).filter((f) => f.endsWith('.avsc'));

describe('schemas/history', () => {
  it('holds at least the enriched tick v1', () => {
    assert.ok(history.includes('enriched-tick.v1.avsc'), history.join(', '));
  });

  for (const file of history) {
    it(`${file}: the current schema reads its records, new fields at their defaults`, () => {
      const base = file.replace(/\.v\d+\.avsc$/, '.avsc');
      const name = (Object.keys(SCHEMA_FILES) as SchemaName[]).find((n) => SCHEMA_FILES[n] === base);
      assert.ok(name, `${file}: no current schema ${base}`);
      const old = avsc.Type.forSchema(JSON.parse(readFileSync(join(dir, 'history', file), 'utf8')) as avsc.Schema);
      const current = avsc.Type.forSchema(loadSchema(name) as avsc.Schema);
      const resolver = current.createResolver(old);
      const sample = old.random();
      const read = current.fromBuffer(old.toBuffer(sample), resolver) as Record<string, unknown>;
      const oldFields = new Set((old.schema() as { fields: { name: string }[] }).fields.map((f) => f.name));
      for (const f of (loadSchema(name) as { fields: { name: string; default?: unknown }[] }).fields) {
        if (oldFields.has(f.name)) assert.deepEqual(plain(read[f.name]), plain((sample as unknown as Record<string, unknown>)[f.name]), f.name);
        else {
          assert.ok('default' in f, `${f.name}: a field added since ${file} needs a default`);
          assert.deepEqual(read[f.name], f.default, `${f.name} takes its default`);
        }
      }
    });
  }
});
