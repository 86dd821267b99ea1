import avsc from 'avsc';
import type { TopicConfig } from '../kafka/topic-plan.js';
import { loadSchema, type SchemaName } from './schema-files.js';
import type { SchemaRegistryClient } from './schema-registry.js';
import { AvroSerializer } from './avro-serde.js';

export function subjectFor(topic: string): string {
  return `${topic}-value`; // TopicNameStrategy
}

export interface RegisteredSchema<T> {
  subject: string;
  id: number;
  type: avsc.Type;
  serializer: AvroSerializer<T>;
}

/** Registers one of the repo's schemas for a topic and returns a ready serializer. */
export async function registerTopicSchema<T>(
  registry: SchemaRegistryClient,
  topic: string,
  name: SchemaName,
  schemasDir?: string,
): Promise<RegisteredSchema<T>> {
  const schema = loadSchema(name, schemasDir);
  const subject = subjectFor(topic);
  const id = await registry.register(subject, schema);
  const type = avsc.Type.forSchema(schema as avsc.Schema);
  return { subject, id, type, serializer: new AvroSerializer<T>(type, id) };
}

/** The value schema of each pipeline topic that carries Avro. */
export function pipelineSubjects(topics: TopicConfig): { topic: string; schema: SchemaName }[] {
  return [
    { topic: topics.rawTopic, schema: 'rawTick' },
    { topic: topics.enrichedTopic, schema: 'enrichedTick' },
    { topic: topics.dlqTopic, schema: 'deadLetter' },
    { topic: topics.fxTopic, schema: 'fxRate' },
  ];
}
