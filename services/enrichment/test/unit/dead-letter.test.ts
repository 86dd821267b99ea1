import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deadLetterFor, recordJson } from '../../src/enrich/dead-letter.js';
import { rawTick } from './support/ticks.js';

const coords = { topic: 'ticks.raw', partition: 1, offset: 977 };

describe('deadLetterFor', () => {
  it('a decoded tick: stage, reason, Kafka coordinates, file and line, the record as JSON', () => {
    const raw = rawTick({ open: null });
    assert.deepEqual(deadLetterFor(raw, coords, 'missing_price', 'open is null', 555), {
      stage: 'ENRICHMENT',
      reason: 'missing_price',
      message: 'open is null',
      sourceTopic: 'ticks.raw',
      sourcePartition: 1,
      sourceOffset: 977,
      sourceFile: 'indexData.csv',
      sourceLine: 42,
      originalText: JSON.stringify(raw),
      originalBytes: null,
      failedAt: 555,
    });
    assert.deepEqual(JSON.parse(deadLetterFor(raw, coords, 'r', 'm', 0).originalText!), raw);
  });

  it('a generated tick: no file, the generator sequence as the line', () => {
    const d = deadLetterFor(rawTick({ source: { kind: 'GENERATOR', name: 'seed-7', line: 12 } }), coords, 'no_fx_rate', 'm', 1);
    assert.equal(d.sourceFile, null);
    assert.equal(d.sourceLine, 12);
    assert.match(d.originalText!, /"kind":"GENERATOR","name":"seed-7"/);
  });

  it('undecodable bytes: kept as a copy, no text, no file or line', () => {
    const bytes = Buffer.from([0, 0, 0, 0, 7, 0xff, 0x01]);
    const d = deadLetterFor(bytes, coords, 'undecodable', 'unknown schema id 7', 9);
    assert.deepEqual(d, {
      stage: 'ENRICHMENT', reason: 'undecodable', message: 'unknown schema id 7', sourceTopic: 'ticks.raw', sourcePartition: 1, sourceOffset: 977,
      sourceFile: null, sourceLine: null, originalText: null, originalBytes: Buffer.from([0, 0, 0, 0, 7, 0xff, 0x01]), failedAt: 9,
    });
    bytes[0] = 99;
    assert.equal(d.originalBytes![0], 0, 'a copy, safe from buffer reuse');
    const plain = deadLetterFor(new Uint8Array([1, 2]), coords, 'undecodable', 'm', 9);
    assert.ok(Buffer.isBuffer(plain.originalBytes));
  });

  it('keeps NaN, Infinity and bigint visible in the JSON text', () => {
    const text = deadLetterFor(rawTick({ high: Number.NaN, low: Number.NEGATIVE_INFINITY }), coords, 'non_finite_price', 'm', 0).originalText!;
    assert.match(text, /"high":"NaN","low":"-Infinity"/);
    assert.equal(recordJson({ volume: 2n ** 70n }), '{"volume":"1180591620717411303424"}');
  });

  it('serialises a class instance by its data', () => {
    class Rec {
      constructor(readonly index: string) {}
      method(): number {
        return 1;
      }
    }
    assert.equal(recordJson(new Rec('HSI')), '{"index":"HSI"}');
  });
});
