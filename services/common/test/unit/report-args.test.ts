import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseReportArgs } from '../../src/config/report-args.js';

describe('parseReportArgs', () => {
  it('defaults: everything on the topics, a 5-minute wait', () => {
    assert.deepEqual(parseReportArgs([], { timeout: true }), { ok: true, args: { help: false, since: 0, timeoutMs: 300_000 } });
  });

  it('reads --since, --timeout-ms and --help', () => {
    assert.deepEqual(parseReportArgs(['--since', '1700000000000', '--timeout-ms', '5000'], { timeout: true }), {
      ok: true,
      args: { help: false, since: 1_700_000_000_000, timeoutMs: 5000 },
    });
    assert.deepEqual(parseReportArgs(['-h']), { ok: true, args: { help: true, since: 0, timeoutMs: 300_000 } });
  });

  it('a non-number is one sentence naming the flag and the value', () => {
    assert.deepEqual(parseReportArgs(['--since', 'yesterday']), { ok: false, message: '--since takes a whole number of milliseconds, not "yesterday"' });
    assert.deepEqual(parseReportArgs(['--since', '-5']).ok, false);
  });

  it('--timeout-ms only where the report waits; unknown flags are refused', () => {
    const r = parseReportArgs(['--timeout-ms', '5']);
    assert.equal(r.ok, false);
    assert.match((r as { message: string }).message, /--timeout-ms/);
    assert.equal(parseReportArgs(['--sinse', '5']).ok, false);
  });
});
