import type { Logger } from 'pino';
import type { KafkaConfig } from '../kafka/client-config.js';
import { KafkaAdmin } from '../kafka/admin.js';
import { plannedTopics, type TopicConfig } from '../kafka/topic-plan.js';
import { pipelineSubjects, registerTopicSchema } from '../serde/pipeline-schemas.js';
import type { SchemaRegistryClient } from '../serde/schema-registry.js';

export interface BootstrapResult {
  createdTopics: string[];
  schemaIds: Record<string, number>;
}

/**
 * Idempotent: creates missing topics and registers every pipeline schema.
 * Any service may run it at start; running it twice changes nothing. It
 * connects an admin client even when it creates no topics: that is the
 * client that reports refused credentials or TLS at once (see connectClient).
 */
export async function bootstrapPipeline(opts: {
  kafka: KafkaConfig;
  topics: TopicConfig;
  registry: SchemaRegistryClient;
  schemasDir?: string;
  logger: Logger;
  clientId: string;
}): Promise<BootstrapResult> {
  let createdTopics: string[] = [];
  const admin = await KafkaAdmin.connect(opts.kafka, opts.clientId);
  try {
    if (opts.topics.createTopics) createdTopics = await admin.ensureTopics(plannedTopics(opts.topics), opts.logger);
  } finally {
    admin.disconnect();
  }
  const schemaIds: Record<string, number> = {};
  for (const { topic, schema } of pipelineSubjects(opts.topics)) {
    const reg = await registerTopicSchema(opts.registry, topic, schema, opts.schemasDir);
    schemaIds[reg.subject] = reg.id;
  }
  opts.logger.info({ createdTopics, schemaIds }, 'pipeline bootstrapped');
  return { createdTopics, schemaIds };
}
