import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benchVerdicts } from '../../src/report/bench-targets.js';
import { describeVerdict, figure, judge, ratio } from '../../src/report/targets.js';
import { report, runFigures } from './support/sample-report.js';

describe('judge', () => {
  it('passes at the limit and says by how much a missed one missed, in percent of the limit', () => {
    assert.deepEqual(judge('e2e', 10, 'at most', 10, 's'), { subject: 'e2e', measured: 10, limit: 10, bound: 'at most', unit: 's', met: true, missedByPercent: null });
    assert.equal(judge('e2e', 14.1, 'at most', 10, 's').missedByPercent?.toFixed(1), '41.0');
    assert.equal(judge('ratio', 0.45, 'at least', 0.6, '').missedByPercent?.toFixed(1), '25.0');
    assert.equal(judge('ratio', 0.6, 'at least', 0.6, '').met, true);
  });

  it('reads as one line', () => {
    assert.equal(describeVerdict(judge('1M records end to end', 14.1, 'at most', 10, 's')), '✘ 1M records end to end: 14.1 s (target at most 10 s): missed by 41%');
    assert.equal(describeVerdict(judge('ingest to its ceiling', 0.8123, 'at least', 0.6, '')), '✔ ingest to its ceiling: 0.812 (target at least 0.6)');
  });
});

describe('figure and ratio', () => {
  it('prints three significant digits or whole numbers with separators', () => {
    assert.equal(figure(1234567.8), '1,234,568');
    assert.equal(figure(12.345), '12.3');
    assert.equal(figure(1.2345), '1.23');
    assert.equal(figure(0.01234), '0.012');
  });

  it('has no ratio without a ceiling', () => {
    assert.equal(ratio(50, 100), 0.5);
    assert.equal(ratio(50, 0), null);
    assert.equal(ratio(50, null), null);
  });
});

describe('benchVerdicts', () => {
  it('judges the end-to-end time, each stage against its own ceiling and each service\'s largest peak RSS', () => {
    const v = benchVerdicts(report().runs);
    assert.deepEqual(v.map((x) => [x.subject, x.met, x.missedByPercent === null ? null : Math.round(x.missedByPercent)]), [
      ['1M records end to end', false, 25],
      ['ingest to its ceiling', true, null],
      ['s3-sink to its ceiling', false, 50],
      ['ingest peak RSS', true, null],
      ['s3-sink peak RSS', false, 17],
    ]);
  });

  it('judges the end-to-end time of 1M records only (a shorter run is mostly start-up)', () => {
    assert.deepEqual(benchVerdicts([runFigures({ id: 'pipeline', kind: 'pipeline', records: 200_000, seconds: 2.5 })]), []);
  });
});
