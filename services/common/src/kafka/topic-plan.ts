import type { ConfigOf } from '../config/settings.js';
import type { topicSettings } from '../config/common-settings.js';

export type TopicConfig = ConfigOf<typeof topicSettings>;

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
}

/** The topics the pipeline needs, derived from configuration alone. */
export function plannedTopics(cfg: TopicConfig): TopicSpec[] {
  const data = (name: string): TopicSpec => ({
    name,
    partitions: cfg.topicPartitions,
    replicationFactor: cfg.topicReplication,
    config: { 'retention.ms': String(cfg.topicRetentionMs) },
  });
  return [
    data(cfg.rawTopic),
    data(cfg.enrichedTopic),
    data(cfg.dlqTopic),
    // One value per currency: compaction keeps the latest, and one partition keeps the table's load order simple.
    {
      name: cfg.fxTopic,
      partitions: 1,
      replicationFactor: cfg.topicReplication,
      config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' },
    },
  ];
}
