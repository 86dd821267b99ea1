#!/usr/bin/env node
// Reads the raw and dead-letter topics back from Kafka (read_committed) and
// prints what arrived: per-index counts and first/last dates. Used by `make demo`.
import { SchemaRegistryClient, decodeTopic, kafkaSettings, loadConfig, registrySettings, topicSettings, type DeadLetter, type RawTick } from '@stockstream/common';
import { formatArrivals, summarizeArrivals } from './report/arrival-summary.js';

const sinceArg = process.argv.indexOf('--since');
const since = sinceArg > 0 ? Number(process.argv[sinceArg + 1]) : 0;
const cfg = loadConfig({ ...kafkaSettings, ...registrySettings, ...topicSettings });
const registry = new SchemaRegistryClient(cfg);

const decodeAll = async <T>(topic: string, schema: 'rawTick' | 'deadLetter') =>
  (await decodeTopic<T>(cfg, registry, topic, schema, { schemasDir: cfg.schemasDir })).map((m) => m.value);

const ticks = await decodeAll<RawTick>(cfg.rawTopic, 'rawTick');
const dead = await decodeAll<DeadLetter>(cfg.dlqTopic, 'deadLetter');
const summary = summarizeArrivals(ticks, dead, since);
process.stdout.write(`What arrived on ${cfg.rawTopic}${since ? ' in this run' : ''} (read back from Kafka):\n${formatArrivals(summary, cfg.rawTopic)}\n`);
if (since) process.stdout.write(`(topic holds ${ticks.length} records in all, including earlier runs)\n`);
