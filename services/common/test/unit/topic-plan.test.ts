import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, plannedTopics, topicSettings } from '@stockstream/common';

describe('plannedTopics', () => {
  it('plans the three data topics from config and a compacted FX topic', () => {
    const plan = plannedTopics(loadConfig(topicSettings, { TOPIC_RAW: 'r', TOPIC_PARTITIONS: '4', TOPIC_RETENTION_MS: '-1' }));
    assert.deepEqual(plan.map((t) => [t.name, t.partitions]), [['r', 4], ['ticks.enriched', 4], ['ticks.dlq', 4], ['fx.rates', 1]]);
    assert.equal(plan[0]!.config['retention.ms'], '-1');
    assert.equal(plan[3]!.config['cleanup.policy'], 'compact');
  });
});
