import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HIVE_DEFAULT_PARTITION, escapePartitionValue, unescapePartitionValue } from '../../src/partitioner/hive-escape.js';
import { HivePartitioner, utcYearOfEpochDay } from '../../src/partitioner/hive-partitioner.js';
import { epochDay, tick } from './support/ticks.js';

const partitioner = new HivePartitioner();

describe('HivePartitioner', () => {
  it('puts a tick in index=<symbol>/year=<UTC year of its trading date>', () => {
    assert.equal(partitioner.partitionPath(tick({ index: 'HSI', date: epochDay('1999-03-15') })), 'index=HSI/year=1999');
  });

  it('uses the trading date, at both edges of a year', () => {
    assert.equal(partitioner.partitionPath(tick({ date: epochDay('1999-12-31') })), 'index=HSI/year=1999');
    assert.equal(partitioner.partitionPath(tick({ date: epochDay('2000-01-01') })), 'index=HSI/year=2000');
    assert.equal(partitioner.partitionPath(tick({ date: epochDay('2024-02-29') })), 'index=HSI/year=2024');
  });

  it('handles dates before 1970 (negative epoch days)', () => {
    assert.equal(partitioner.partitionPath(tick({ date: -1 })), 'index=HSI/year=1969');
    assert.equal(partitioner.partitionPath(tick({ date: epochDay('1965-01-04') })), 'index=HSI/year=1965');
    assert.equal(partitioner.partitionPath(tick({ date: epochDay('1965-01-01') })), 'index=HSI/year=1965');
    assert.equal(partitioner.partitionPath(tick({ date: epochDay('1964-12-31') })), 'index=HSI/year=1964');
    assert.equal(utcYearOfEpochDay(0), 1970);
  });

  it('gives the right year whatever it saw before: a stream crossing year ends, moving back, switching index', () => {
    const p = new HivePartitioner(); // its own cache
    const days = ['1999-12-30', '1999-12-31', '2000-01-01', '1999-12-31', '0050-12-31', '0051-01-01', '1969-12-31', '1970-01-01'];
    for (const d of days) {
      for (const index of ['HSI', 'N225']) assert.equal(p.partitionPath(tick({ index, date: epochDay(d) })), `index=${index}/year=${d.slice(0, 4)}`, `${index} ${d}`);
    }
    assert.throws(() => p.partitionPath(tick({ index: 'HSI', date: epochDay('1970-01-01') + 0.5 })), RangeError); // even with 1970 cached
    // The last and first years a Date can hold: the cache never answers for days beyond them.
    assert.equal(p.partitionPath(tick({ index: 'HSI', date: 100_000_000 })), 'index=HSI/year=275760');
    assert.throws(() => p.partitionPath(tick({ index: 'HSI', date: 100_000_001 })), RangeError);
    assert.equal(p.partitionPath(tick({ index: 'HSI', date: -100_000_000 })), 'index=HSI/year=-271821');
    assert.throws(() => p.partitionPath(tick({ index: 'HSI', date: -100_000_001 })), RangeError);
  });

  it('pads years to four digits so folders list in time order', () => {
    assert.equal(partitioner.partitionPath(tick({ date: epochDay('0999-06-01') })), 'index=HSI/year=0999');
  });

  it('keeps safe symbols as they are and escapes unsafe ones Hive-style', () => {
    assert.equal(partitioner.partitionPath(tick({ index: '000001.SS' })), 'index=000001.SS/year=1999');
    assert.equal(partitioner.partitionPath(tick({ index: '^GSPC' })), 'index=%5EGSPC/year=1999');
    assert.equal(partitioner.partitionPath(tick({ index: 'GSPTSE_X-1' })), 'index=GSPTSE_X-1/year=1999');
  });

  it('refuses a date that is not an integer number of days', () => {
    assert.throws(() => partitioner.partitionPath(tick({ date: 1.5 })), RangeError);
    assert.throws(() => partitioner.partitionPath(tick({ date: Number.NaN })), RangeError);
    assert.throws(() => partitioner.partitionPath(tick({ date: 1e12 })), RangeError);
  });
});

describe('Hive escaping of partition values', () => {
  it('percent-encodes everything outside [A-Za-z0-9._-] with upper-case hex', () => {
    assert.equal(escapePartitionValue('^GSPC'), '%5EGSPC');
    assert.equal(escapePartitionValue('a/b=c%d'), 'a%2Fb%3Dc%25d');
    assert.equal(escapePartitionValue('S&P 500'), 'S%26P%20500');
    assert.equal(escapePartitionValue('a+b:c?'), 'a%2Bb%3Ac%3F');
    assert.equal(escapePartitionValue('é'), '%C3%A9');
    assert.equal(escapePartitionValue('上'), '%E4%B8%8A');
  });

  it('escaped values contain only S3-safe characters and no path separator', () => {
    for (const v of ['^GSPC', '../etc', 'a/b', ' x ', '\u0000\u007f', '😀']) {
      assert.match(escapePartitionValue(v), /^[A-Za-z0-9._%-]+$/);
    }
  });

  it('round-trips through unescape (what Hive, Athena and DuckDB do when reading)', () => {
    for (const v of ['^GSPC', '000001.SS', 'a/b=c%d', 'S&P 500', 'é上😀', '%5E']) {
      assert.equal(unescapePartitionValue(escapePartitionValue(v)), v);
    }
  });

  it('maps the empty value to Hive\'s default partition', () => {
    assert.equal(escapePartitionValue(''), HIVE_DEFAULT_PARTITION);
    assert.equal(unescapePartitionValue(HIVE_DEFAULT_PARTITION), '');
  });
});
