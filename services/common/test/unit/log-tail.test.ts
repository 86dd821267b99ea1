import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logTail } from '../../src/testing/harness.js';

describe('logTail', () => {
  const line = (time: string, msg: string) => `{"level":40,"time":"${time}","msg":"${msg}"}`;

  it('collapses runs of one message that differ only in time, keeping the first line and a count', () => {
    const out = [line('t1', 'down'), line('t2', 'down'), line('t3', 'down'), line('t4', 'up'), line('t5', 'down')].join('\n');
    assert.equal(logTail(out, 10_000), [line('t1', 'down'), '  (the line above 2 more times)', line('t4', 'up'), line('t5', 'down')].join('\n'));
  });

  it('keeps only the last maxChars', () => {
    assert.equal(logTail('abcdef\nghij', 4), 'ghij');
  });
});
