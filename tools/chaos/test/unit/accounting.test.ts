import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDeadLetters, differences, formatAccounting, type Accounting } from '../../src/accounting.js';

const d = (stage: string, reason: string, record: string) => ({ stage, reason, record });

describe('accounting', () => {
  it('dead letters: equal sets pass; missing, unexpected and duplicated ones are each named', () => {
    const expected = [d('INGEST', 'column_count', 'f:2'), d('ENRICHMENT', 'zero_price', 'f:9'), d('SINK', 'not_framed', 't/0/0')];
    const same = checkDeadLetters(expected, [...expected].reverse());
    assert.deepEqual([same.missing, same.unexpected, same.duplicated], [[], [], []]);
    const c = checkDeadLetters(expected, [expected[0]!, expected[2]!, expected[2]!, d('ENRICHMENT', 'zero_price', 'f:10')]);
    assert.deepEqual(c.missing, [expected[1]]);
    assert.deepEqual(c.unexpected, [d('ENRICHMENT', 'zero_price', 'f:10')]);
    assert.deepEqual(c.duplicated, [expected[2]]);
    assert.deepEqual(c.byReason.map((r) => [r.stage, r.reason, r.expected, r.found]), [
      ['INGEST', 'column_count', 1, 1], ['ENRICHMENT', 'zero_price', 1, 1], ['SINK', 'not_framed', 1, 2],
    ]);
  });

  const clean = (): Accounting => ({
    generatedRows: 10, injectedRows: 1, poisonMessages: 0, expectedLakeRows: 10,
    lake: { rows: 10, distinct: 10, missing: 0, unexpected: 0, different: 0, examples: [] },
    deadLetters: checkDeadLetters([d('INGEST', 'column_count', 'f:2')], [d('INGEST', 'column_count', 'f:2')]),
    services: [{ name: 'enrichment', kills: 3, ownExits: 1, healthyAtEnd: true, note: 'up 40 s' }],
  });

  it('no difference: an exact lake, exact dead letters, healthy services', () => {
    assert.deepEqual(differences(clean()), []);
    assert.match(formatAccounting(clean()), /lake rows \(SQL count\(\*\)\)\s+10\n/);
  });

  it('every kind of difference is reported', () => {
    const a = clean();
    a.lake = { rows: 11, distinct: 9, missing: 1, unexpected: 0, different: 2, examples: ['duplicated: f:3 x2'] };
    a.services[0]!.healthyAtEnd = false;
    a.services[0]!.note = 'down (last: exit 1)';
    const diffs = differences(a);
    assert.deepEqual(diffs, [
      'lake has 11 rows, expected 10',
      'lake has 2 duplicated rows',
      '1 expected rows are missing from the lake',
      '2 lake rows differ from a fault-free run',
      'enrichment is not healthy at the end: down (last: exit 1)',
    ]);
    assert.match(formatAccounting(a), /e\.g\. duplicated: f:3 x2/);
  });
});
