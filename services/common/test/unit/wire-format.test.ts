import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avsc from 'avsc';
import { frame, unframe, loadSchema, AvroSerializer, type RawTick } from '@stockstream/common';

describe('Confluent wire format', () => {
  it('frames as magic 0 + big-endian id + body and unframes back', () => {
    const buf = frame(0x01020304, Buffer.from([9, 8]));
    assert.deepEqual([...buf], [0, 1, 2, 3, 4, 9, 8]);
    const u = unframe(buf);
    assert.ok(u.ok);
    assert.equal(u.schemaId, 0x01020304);
    assert.deepEqual([...u.body], [9, 8]);
  });

  it('names what is wrong with a value that is not framed', () => {
    assert.deepEqual(unframe(Buffer.from('{"json":1}')), { ok: false, reason: 'not_framed', message: 'value starts with byte 123, not the Confluent magic byte 0' });
    assert.equal(unframe(Buffer.from([0, 1])).ok, false);
    assert.equal(unframe(null).ok, false);
  });

  it('serializes a RawTick with the repo schema into a decodable frame', () => {
    const type = avsc.Type.forSchema(loadSchema('rawTick') as avsc.Schema);
    const tick: RawTick = {
      index: 'NYA', date: -1, open: null, high: null, low: null, close: null, adjClose: null, volume: null, sourceCloseUsd: null,
      source: { kind: 'GENERATOR', name: 'gen', line: 1 }, ingestedAt: 0,
    };
    const buf = new AvroSerializer<RawTick>(type, 7).encode(tick);
    const u = unframe(buf);
    assert.ok(u.ok);
    assert.equal(u.schemaId, 7);
    assert.deepEqual(JSON.parse(JSON.stringify(type.fromBuffer(u.body))), tick); // decoded records are class instances
  });
});
