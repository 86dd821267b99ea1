import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeadLetter, RawTick } from '@stockstream/common';
import { formatArrivals, summarizeArrivals } from '../../src/report/arrival-summary.js';
import { rejectedRowToDeadLetter } from '../../src/publish/dead-letter.js';

const tick = (index: string, date: number, ingestedAt: number, close: number | null = 1): RawTick => ({
  index, date, open: close, high: close, low: close, close, adjClose: close, volume: 0, sourceCloseUsd: null,
  source: { kind: 'GENERATOR', name: 'g', line: date }, ingestedAt,
});

describe('summarizeArrivals', () => {
  it('counts per index with first/last dates and null rows, only since the given time', () => {
    const ticks = [tick('HSI', 10, 100), tick('HSI', 5, 100, null), tick('NYA', 7, 100), tick('NYA', 1, 50)];
    const dl: DeadLetter[] = [rejectedRowToDeadLetter({ file: 'f.csv', line: 3, text: 'x', reason: 'column_count', message: 'm' }, 100)];
    const s = summarizeArrivals(ticks, dl, 100);
    assert.deepEqual(s, {
      total: 3,
      indices: [
        { index: 'HSI', count: 2, firstDate: '1970-01-06', lastDate: '1970-01-11', nullRows: 1 },
        { index: 'NYA', count: 1, firstDate: '1970-01-08', lastDate: '1970-01-08', nullRows: 0 },
      ],
      deadLetters: 1,
      deadLettersByReason: { column_count: 1 },
    });
    const text = formatArrivals(s, 'ticks.raw');
    assert.match(text, /^index\s+records\s+first date/);
    assert.match(text, /HSI\s+2\s+1970-01-06\s+1970-01-11\s+1/);
    assert.match(text, /total: 3 records on ticks.raw; dead letters: 1 \{"column_count":1\}/);
  });

  it('a dead letter carries the file, line, raw text and reason of the row', () => {
    const d = rejectedRowToDeadLetter({ file: 'f.csv', line: 3, text: 'HSI,x', reason: 'column_count', message: 'expected 8 columns, got 2' }, 42);
    assert.deepEqual(d, {
      stage: 'INGEST', reason: 'column_count', message: 'f.csv:3: expected 8 columns, got 2', sourceTopic: null, sourcePartition: null,
      sourceOffset: null, sourceFile: 'f.csv', sourceLine: 3, originalText: 'HSI,x', originalBytes: null, failedAt: 42,
    });
  });
});
