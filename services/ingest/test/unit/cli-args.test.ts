import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError, parseIngestArgs } from '../../src/cli/args.js';

describe('parseIngestArgs', () => {
  it('replay with defaults: date order, full speed, no loop', () => {
    assert.deepEqual(parseIngestArgs(['replay', 'a.csv']), { mode: 'replay', file: 'a.csv', order: 'date', pace: { kind: 'max' }, loop: false, resume: false });
  });
  it('replay with --rate, --loop and --order file', () => {
    assert.deepEqual(parseIngestArgs(['replay', 'a.csv', '--rate', '500', '--loop', '--order', 'file']), {
      mode: 'replay', file: 'a.csv', order: 'file', pace: { kind: 'rate', perSecond: 500 }, loop: true, resume: false,
    });
  });
  it('simulate with --speedup, --count, --seed, --start and --resume', () => {
    assert.deepEqual(parseIngestArgs(['simulate', '--speedup', '2.5', '--count', '100', '--seed', '9', '--start', '2001-02-03', '--resume']), {
      mode: 'simulate', seed: 9, count: 100, startDate: 11356, pace: { kind: 'speedup', tradingDaysPerSecond: 2.5 }, resume: true,
    });
  });
  it('simulate is unbounded without --count', () => {
    const cmd = parseIngestArgs(['simulate']);
    assert.equal(cmd.mode === 'simulate' && cmd.count, undefined);
  });
  for (const [argv, message] of [
    [[], /missing mode/],
    [['stream'], /unknown mode "stream"/],
    [['replay'], /exactly one file/],
    [['replay', 'a', '--rate=-1'], /--rate must be a positive number; got "-1"/],
    [['replay', 'a', '--rate', '5', '--speedup', '2'], /cannot be combined/],
    [['replay', 'a', '--order', 'random'], /--order must be date or file/],
    [['simulate', '--count', '1.5'], /--count must be a whole number/],
    [['simulate', '--loop'], /--loop applies to replay only/],
    [['simulate', '--start', '2001-13-01'], /--start must be a date/],
    [['simulate', '--bogus'], /bogus/],
  ] as const) {
    it(`rejects ${JSON.stringify(argv)}`, () => {
      assert.throws(() => parseIngestArgs([...argv]), (err: Error) => err instanceof UsageError && message.test(err.message));
    });
  }
});
