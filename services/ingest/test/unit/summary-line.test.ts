import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSummaryLine, parseSummaryLine } from '../../src/report/summary-line.js';

const summary = {
  read: 1_000_000, published: 999_990, deadLettered: 10, deadLetteredByReason: { bad_number: 10 }, failed: 0,
  bytes: 87_000_000, seconds: 4, recordsPerSecond: 250_000, stoppedEarly: false,
};

test('the figures of the summary line read back as printed', () => {
  const line = formatSummaryLine(summary, { rawTopic: 'ticks.raw', dlqTopic: 'ticks.dlq' });
  assert.equal(line, 'ingest: read 1000000 rows, published 999990 to ticks.raw, dead-lettered 10 to ticks.dlq {"bad_number":10}, 250000 records/s, 21.8 MB/s\n');
  assert.deepEqual(parseSummaryLine(`some log\n${line}`), { published: 999_990, deadLettered: 10, recordsPerSecond: 250_000, mbPerSecond: 21.8 });
});

test('a run that printed no summary line gives null', () => {
  assert.equal(parseSummaryLine('{"level":50,"msg":"broker unreachable"}\n'), null);
});
