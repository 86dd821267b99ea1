import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError, parseBenchArgs } from '../../src/options.js';

describe('parseBenchArgs', () => {
  it('defaults to the issue\'s run: 1M records, 5,000/s for 60 s, a warm-up', () => {
    assert.deepEqual(parseBenchArgs([]), { records: 1_000_000, pacedRate: 5000, pacedSeconds: 60, warmUp: 200_000, skip: [], out: 'bench-results', keep: false });
  });

  it('takes a shorter run for development', () => {
    const o = parseBenchArgs(['--records', '200_000', '--paced-seconds', '15', '--warm-up', '0', '--skip', 'kafka-tools,queries', '--out', '/tmp/r', '--keep']);
    assert.deepEqual(o, { records: 200_000, pacedRate: 5000, pacedSeconds: 15, warmUp: 0, skip: ['kafka-tools', 'queries'], out: '/tmp/r', keep: true });
    assert.equal(parseBenchArgs(['-h']), 'help');
  });

  it('names what is wrong', () => {
    assert.throws(() => parseBenchArgs(['--records', '1e5x']), (e: Error) => e instanceof UsageError && /--records must be a whole number/.test(e.message));
    assert.throws(() => parseBenchArgs(['--records', '10']), /--records must be a whole number >= 1000/);
    assert.throws(() => parseBenchArgs(['--skip', 'ceilings']), /--skip takes kafka-tools, queries; got "ceilings"/);
    assert.throws(() => parseBenchArgs(['--recs', '5']), UsageError);
  });
});
