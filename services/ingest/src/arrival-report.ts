#!/usr/bin/env node
// Reads the raw and dead-letter topics back from Kafka (read_committed) and
// prints what arrived: per-index counts and first/last dates. Used by `make demo`.
import avsc from 'avsc';
import {
  AvroDeserializer, SchemaRegistryClient, kafkaSettings, loadConfig, loadSchema, readTopic, registrySettings, topicSettings,
  type DeadLetter, type RawTick,
} from '@stockstream/common';
import { formatArrivals, summarizeArrivals } from './report/arrival-summary.js';

const sinceArg = process.argv.indexOf('--since');
const since = sinceArg > 0 ? Number(process.argv[sinceArg + 1]) : 0;
const cfg = loadConfig({ ...kafkaSettings, ...registrySettings, ...topicSettings });
const registry = new SchemaRegistryClient(cfg);

async function decodeAll<T>(topic: string, schema: 'rawTick' | 'deadLetter'): Promise<T[]> {
  const de = new AvroDeserializer<T>(registry, avsc.Type.forSchema(loadSchema(schema, cfg.schemasDir) as avsc.Schema));
  const values: Buffer[] = [];
  await readTopic(cfg, topic, (m) => values.push(m.value!));
  const out: T[] = [];
  for (const v of values) out.push(await de.decode(v));
  return out;
}

const ticks = await decodeAll<RawTick>(cfg.rawTopic, 'rawTick');
const dead = await decodeAll<DeadLetter>(cfg.dlqTopic, 'deadLetter');
const summary = summarizeArrivals(ticks, dead, since);
process.stdout.write(`What arrived on ${cfg.rawTopic}${since ? ' in this run' : ''} (read back from Kafka):\n${formatArrivals(summary, cfg.rawTopic)}\n`);
if (since) process.stdout.write(`(topic holds ${ticks.length} records in all, including earlier runs)\n`);
