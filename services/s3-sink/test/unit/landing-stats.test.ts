import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { landingStats } from '../../src/pipeline/landing-stats.js';

describe('landingStats', () => {
  it('samples every n-th record\'s ingest-to-landing latency in seconds and finds the newest ingestedAt', () => {
    const ingested = Float64Array.from({ length: 40 }, (_, i) => 1_000_000 + i * 100);
    ingested[7] = 2_000_000; // out of order: the newest is not the last
    const s = landingStats(ingested, 2_005_000, 16);
    assert.deepEqual(s.latencySeconds, [1005, 1003.4, 1001.8]);
    assert.equal(s.newestMs, 2_000_000);
  });

  it('says nothing of an empty object', () => {
    assert.deepEqual(landingStats(new Float64Array(0), 5), { latencySeconds: [], newestMs: Number.NEGATIVE_INFINITY });
  });
});
