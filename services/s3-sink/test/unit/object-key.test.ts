import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatOffset, kafkaPartitionPrefix, objectKey, parseObjectKey, tablePrefix, type ObjectKeyParts } from '../../src/storage/object-key.js';

const parts: ObjectKeyParts = {
  prefix: 'lake', table: 'ticks', partitionPath: 'index=HSI/year=1999', topic: 'ticks.enriched', kafkaPartition: 3,
  firstOffset: 1234, lastOffset: 5678, extension: 'parquet',
};

describe('objectKey', () => {
  it('names an object by lake partition, topic, Kafka partition and offset range', () => {
    assert.equal(objectKey(parts), 'lake/ticks/index=HSI/year=1999/ticks.enriched+3+00000000000000001234+00000000000000005678.parquet');
  });

  it('ignores slashes around the prefix and allows an empty or nested one', () => {
    assert.equal(objectKey({ ...parts, prefix: '/lake/' }), objectKey(parts));
    assert.equal(objectKey({ ...parts, prefix: '' }), 'ticks/index=HSI/year=1999/ticks.enriched+3+00000000000000001234+00000000000000005678.parquet');
    assert.match(objectKey({ ...parts, prefix: 'env=prod/lake' }), /^env=prod\/lake\/ticks\/index=HSI\//);
  });

  it('is a function of its inputs only: the same parts give the same key', () => {
    assert.equal(objectKey({ ...parts }), objectKey({ ...parts }));
  });

  it('pads offsets to 20 digits, wider than the largest Kafka (signed 64-bit) offset', () => {
    assert.equal(formatOffset(0), '00000000000000000000');
    assert.equal(formatOffset(Number.MAX_SAFE_INTEGER), '00009007199254740991');
    assert.ok(String(2n ** 63n - 1n).length <= 20);
    assert.equal(String(2n ** 64n - 1n).length, 20);
  });

  it('refuses parts that would make an ambiguous or unsafe key', () => {
    assert.throws(() => objectKey({ ...parts, topic: 'a+b' }), RangeError);
    assert.throws(() => objectKey({ ...parts, topic: 'a/b' }), RangeError);
    assert.throws(() => objectKey({ ...parts, partitionPath: '' }), RangeError);
    assert.throws(() => objectKey({ ...parts, partitionPath: '/index=HSI' }), RangeError);
    assert.throws(() => objectKey({ ...parts, partitionPath: 'HSI/1999' }), RangeError);
    assert.throws(() => objectKey({ ...parts, kafkaPartition: -1 }), RangeError);
    assert.throws(() => objectKey({ ...parts, firstOffset: 1.5 }), RangeError);
    assert.throws(() => objectKey({ ...parts, firstOffset: 10, lastOffset: 9 }), RangeError);
    assert.throws(() => objectKey({ ...parts, extension: '.parquet' }), RangeError);
  });

  it('has the Kafka-partition prefix and the table prefix as prefixes', () => {
    const key = objectKey(parts);
    assert.equal(kafkaPartitionPrefix(parts), 'lake/ticks/index=HSI/year=1999/ticks.enriched+3+');
    assert.ok(key.startsWith(kafkaPartitionPrefix(parts)));
    assert.ok(key.startsWith(tablePrefix('lake', 'ticks')));
    assert.equal(tablePrefix('', 'ticks'), 'ticks/');
    // Partition 3's prefix must not match partition 30's objects.
    assert.ok(!objectKey({ ...parts, kafkaPartition: 30 }).startsWith(kafkaPartitionPrefix(parts)));
  });
});

describe('parseObjectKey', () => {
  it('round-trips every key objectKey makes', () => {
    const variants: ObjectKeyParts[] = [
      parts,
      { ...parts, prefix: '' },
      { ...parts, prefix: 'a/b/c' },
      { ...parts, prefix: 'env=prod/lake' },
      { ...parts, partitionPath: 'index=%5EGSPC/year=1965', topic: 'it.enr-1a2b.enriched', kafkaPartition: 0, firstOffset: 0, lastOffset: 0 },
      { ...parts, partitionPath: 'index=000001.SS', extension: 'jsonl', firstOffset: Number.MAX_SAFE_INTEGER, lastOffset: Number.MAX_SAFE_INTEGER },
      { ...parts, extension: 'snappy.parquet' },
    ];
    for (const p of variants) assert.deepEqual(parseObjectKey(objectKey(p)), p);
  });

  it('returns the normalized prefix', () => {
    assert.equal(parseObjectKey(objectKey({ ...parts, prefix: '/lake/' }))?.prefix, 'lake');
  });

  it('returns null for keys it did not make', () => {
    const foreign = [
      '',
      'lake/ticks/index=HSI/year=1999/',
      'lake/ticks/index=HSI/year=1999/part-0000.parquet',
      'lake/ticks/index=HSI/year=1999/ticks.enriched+3+1234+5678.parquet',
      'lake/ticks/index=HSI/year=1999/ticks.enriched+03+00000000000000001234+00000000000000005678.parquet',
      'lake/ticks/index=HSI/year=1999/ticks.enriched+3+00000000000000005678+00000000000000001234.parquet',
      'lake/ticks/index=HSI/year=1999/ticks.enriched+3+00000000000000001234+00000000000000005678',
      'lake/ticks/index=HSI/year=1999/ticks.enriched+3+00000000000000001234+00000000000000005678.parquet.tmp~',
      'lake/ticks/index=HSI/year=1999/ticks.enriched+3+99999999999999999999+99999999999999999999.parquet',
      'lake/other/index=HSI/year=1999/ticks.enriched+3+00000000000000001234+00000000000000005678.parquet',
      'lake/ticks/ticks.enriched+3+00000000000000001234+00000000000000005678.parquet',
      'index=HSI/year=1999/ticks.enriched+3+00000000000000001234+00000000000000005678.parquet',
      '/lake/ticks/index=HSI/year=1999/ticks.enriched+3+00000000000000001234+00000000000000005678.parquet',
      'lake/ticks/index=HSI//ticks.enriched+3+00000000000000001234+00000000000000005678.parquet',
    ];
    for (const key of foreign) assert.equal(parseObjectKey(key), null, key);
  });
});

describe('sort order', () => {
  it('lists keys of one Kafka partition in numeric offset order (zero padding)', () => {
    const offsets = [0, 9, 10, 99, 100, 1_000_000, 5, 123_456_789_012, 42];
    const keys = offsets.map((o) => objectKey({ ...parts, firstOffset: o, lastOffset: o + 10 }));
    const byString = [...keys].sort();
    const byNumber = [...offsets].sort((a, b) => a - b).map((o) => objectKey({ ...parts, firstOffset: o, lastOffset: o + 10 }));
    assert.deepEqual(byString, byNumber);
    assert.deepEqual(byString.map((k) => parseObjectKey(k)!.firstOffset), [...offsets].sort((a, b) => a - b));
  });

  it('without padding the order would be wrong (why the padding exists)', () => {
    assert.deepEqual(['10', '9'].sort(), ['10', '9']);
    assert.deepEqual([formatOffset(10), formatOffset(9)].sort(), [formatOffset(9), formatOffset(10)]);
  });
});
