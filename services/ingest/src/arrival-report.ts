#!/usr/bin/env node
// `stockstream report arrivals`: reads the raw and dead-letter topics back from
// Kafka (read_committed) and prints what arrived: per-index counts and
// first/last dates. `make demo` prints it after the ingest.
import {
  SchemaRegistryClient, decodeTopic, kafkaSettings, loadConfig, reportArgsOrExit, registrySettings, topicSettings, type DeadLetter, type RawTick,
} from '@stockstream/common';
import { formatArrivals, summarizeArrivals } from './report/arrival-summary.js';

const USAGE = `Usage: stockstream report arrivals [--since MS]

  --since MS   only what was ingested at or after MS (Unix milliseconds); default: everything on the topics
`;
const settings = { ...kafkaSettings, ...registrySettings, ...topicSettings };
const { since } = reportArgsOrExit('stockstream report arrivals', USAGE, settings);
const cfg = loadConfig(settings);
const registry = new SchemaRegistryClient(cfg);

const decodeAll = async <T>(topic: string, schema: 'rawTick' | 'deadLetter') =>
  (await decodeTopic<T>(cfg, registry, topic, schema, { schemasDir: cfg.schemasDir })).map((m) => m.value);

const ticks = await decodeAll<RawTick>(cfg.rawTopic, 'rawTick');
const dead = await decodeAll<DeadLetter>(cfg.dlqTopic, 'deadLetter');
const summary = summarizeArrivals(ticks, dead, since);
process.stdout.write(`What arrived on ${cfg.rawTopic}${since ? ' in this run' : ''} (read back from Kafka):\n${formatArrivals(summary, cfg.rawTopic)}\n`);
if (since) process.stdout.write(`(topic holds ${ticks.length} records in all, including earlier runs)\n`);
