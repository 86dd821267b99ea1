// The evolution rules of schemas/README.md, checked on the real registry.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import avsc from 'avsc';
import { AvroDeserializer, AvroSerializer, SchemaRegistryClient, loadSchema, type RawTick } from '@stockstream/common';
import { testRegistryConfig } from '@stockstream/common/testing';

const v1 = loadSchema('rawTick');
const v2 = {
  ...v1,
  fields: [
    ...(v1.fields as object[]),
    { name: 'currencyHint', type: ['null', 'string'], default: null, doc: 'v2: an optional field with a default (BACKWARD-compatible).' },
  ],
};
const tick: RawTick = {
  index: 'HSI', date: 7305, open: 1, high: 2, low: 0.5, close: 1.5, adjClose: 1.5, volume: 10, sourceCloseUsd: null,
  source: { kind: 'FILE', name: 'x.csv', line: 2 }, ingestedAt: 1_700_000_000_000,
};

/** Decoded Avro records are class instances; compare their data. */
const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

describe('schema evolution on the real registry', () => {
  const registry = new SchemaRegistryClient(testRegistryConfig());
  const subject = `it.evolution-${randomUUID().slice(0, 8)}-value`;

  it('registers v1 once (idempotent), then a v2 with a new optional field; old and new readers decode each other', async () => {
    const id1 = await registry.register(subject, v1);
    assert.equal(await new SchemaRegistryClient(testRegistryConfig()).register(subject, v1), id1, 'unchanged schema: same id');
    const id2 = await registry.register(subject, v2);
    assert.notEqual(id2, id1);
    assert.deepEqual(
      [await registry.schemaId(subject, 1), await registry.schemaId(subject, 2), await registry.schemaId(subject, 'latest')],
      [id1, id2, id2],
      'two versions: v1 and v2, the latest',
    );

    const t1 = avsc.Type.forSchema(v1 as avsc.Schema);
    const t2 = avsc.Type.forSchema(v2 as avsc.Schema);
    const fresh = () => new SchemaRegistryClient(testRegistryConfig()); // no cached types: ids are fetched from the registry
    // new reader, old data: the new field takes its default
    const oldData = new AvroSerializer<RawTick>(t1, id1).encode(tick);
    const readNew = await new AvroDeserializer<RawTick & { currencyHint: string | null }>(fresh(), t2).decode(oldData);
    assert.deepEqual(plain(readNew), { ...tick, currencyHint: null });
    // old reader, new data: the new field is ignored
    const newData = new AvroSerializer<object>(t2, id2).encode({ ...tick, currencyHint: 'HKD' });
    const readOld = await new AvroDeserializer<RawTick>(fresh(), t1).decode(newData);
    assert.deepEqual(plain(readOld), tick);
  });

  it('refuses a change that breaks BACKWARD compatibility (a new field without default)', async () => {
    const s = `it.evolution-bad-${randomUUID().slice(0, 8)}-value`;
    await registry.register(s, v1);
    const broken = { ...v1, fields: [...(v1.fields as object[]), { name: 'mandatory', type: 'string', doc: 'no default' }] };
    await assert.rejects(registry.register(s, broken), (err: Error) => /409|incompatible|compatib/i.test(`${err.message} ${JSON.stringify(err)}`));
  });

  it('asks the registry once per subject and schema; a refused registration is asked again', async () => {
    const s = `it.evolution-once-${randomUUID().slice(0, 8)}-value`;
    const client = new SchemaRegistryClient(testRegistryConfig());
    // Counts what reaches the registry (the real one: the calls go through).
    const inner = (client as unknown as { client: { register: (...args: unknown[]) => Promise<unknown> } }).client;
    let asked = 0;
    const real = inner.register.bind(inner);
    inner.register = (...args: unknown[]) => {
      asked++;
      return real(...args);
    };
    const id = await client.register(s, v1);
    assert.equal(await client.register(s, v1), id);
    assert.equal(await client.register(s, structuredClone(v1)), id, 'an equal schema object');
    assert.equal(asked, 1, 'the same subject and schema again is answered from memory');
    const id2 = await client.register(s, v2);
    assert.notEqual(id2, id);
    assert.equal(asked, 2, 'another schema is registered');
    const broken = { ...v1, fields: [...(v1.fields as object[]), { name: 'mandatory', type: 'string', doc: 'no default' }] };
    await assert.rejects(client.register(s, broken));
    await assert.rejects(client.register(s, broken));
    assert.equal(asked, 4, 'a refusal is not remembered');
  });

  it('lets several services register a new subject at the same moment (same id, no error)', async () => {
    const s = `it.evolution-race-${randomUUID().slice(0, 8)}-value`;
    const ids = await Promise.all(Array.from({ length: 5 }, () => new SchemaRegistryClient(testRegistryConfig()).register(s, v1)));
    assert.equal(new Set(ids).size, 1, `ids ${ids.join(', ')}`);
  });
});
