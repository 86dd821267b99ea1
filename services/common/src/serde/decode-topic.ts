import avsc from 'avsc';
import type { KafkaConfig } from '../kafka/client-config.js';
import type { Message } from '../kafka/rdkafka.js';
import { readTopic, type ReadTopicOptions } from '../kafka/topic-reader.js';
import { AvroDeserializer } from './avro-serde.js';
import { loadSchema, type SchemaName } from './schema-files.js';
import type { SchemaRegistryClient } from './schema-registry.js';

export interface DecodedMessage<T> {
  partition: number;
  offset: number;
  key: string | null;
  /** The decoded value; null for a tombstone (a null value on a compacted topic): read such topics as T | null. */
  value: T;
}

/** Every committed message of a topic, decoded with one of the repo's schemas as reader: for reports, the demo and tests. */
export async function decodeTopic<T>(
  cfg: KafkaConfig,
  registry: SchemaRegistryClient,
  topic: string,
  schema: SchemaName,
  opts: ReadTopicOptions & { schemasDir?: string } = {},
): Promise<DecodedMessage<T>[]> {
  const de = new AvroDeserializer<T>(registry, avsc.Type.forSchema(loadSchema(schema, opts.schemasDir) as avsc.Schema));
  const raw: Message[] = [];
  await readTopic(cfg, topic, (m) => raw.push(m), opts);
  const out: DecodedMessage<T>[] = [];
  for (const m of raw) out.push({ partition: m.partition, offset: m.offset, key: m.key == null ? null : m.key.toString(), value: (m.value == null ? null : await de.decode(m.value)) as T });
  return out;
}
