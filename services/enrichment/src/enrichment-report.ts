#!/usr/bin/env node
// Waits until the enrichment outputs account for every raw record ingested
// since --since (ms), then prints enriched and dead-letter counts per reason.
// Used by `make demo`.
import {
  SchemaRegistryClient, decodeTopic, kafkaSettings, loadConfig, registrySettings, topicSettings, type DeadLetter, type EnrichedTick, type RawTick,
} from '@stockstream/common';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const since = arg('--since', 0);
const timeoutMs = arg('--timeout-ms', 300_000);
const cfg = loadConfig({ ...kafkaSettings, ...registrySettings, ...topicSettings });
const registry = new SchemaRegistryClient(cfg);

const decodeAll = async <T>(topic: string, schema: 'rawTick' | 'enrichedTick' | 'deadLetter') =>
  (await decodeTopic<T>(cfg, registry, topic, schema, { schemasDir: cfg.schemasDir })).map((m) => m.value);

const raw = (await decodeAll<RawTick>(cfg.rawTopic, 'rawTick')).filter((t) => t.ingestedAt >= since).length;
const deadline = Date.now() + timeoutMs;
for (;;) {
  const enriched = (await decodeAll<EnrichedTick>(cfg.enrichedTopic, 'enrichedTick')).filter((t) => t.ingestedAt >= since);
  const dead = (await decodeAll<DeadLetter>(cfg.dlqTopic, 'deadLetter')).filter((d) => d.stage === 'ENRICHMENT' && d.failedAt >= since);
  if (enriched.length + dead.length >= raw || Date.now() > deadline) {
    const reasons: Record<string, number> = {};
    for (const d of dead) reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
    process.stdout.write(`enrichment: ${raw} raw records -> ${enriched.length} enriched on ${cfg.enrichedTopic}, ${dead.length} dead letters on ${cfg.dlqTopic}\n`);
    for (const [reason, n] of Object.entries(reasons).sort()) process.stdout.write(`  dead letters, ${reason}: ${n}\n`);
    const byCurrency = new Map<string, number>();
    for (const t of enriched) byCurrency.set(t.currency, (byCurrency.get(t.currency) ?? 0) + 1);
    process.stdout.write(`  enriched by currency: ${[...byCurrency].map(([c, n]) => `${c} ${n}`).join(', ')}\n`);
    if (enriched.length + dead.length < raw) {
      process.stderr.write(`enrichment: only ${enriched.length + dead.length} of ${raw} records processed within ${timeoutMs} ms\n`);
      process.exit(1);
    }
    break;
  }
  await new Promise((r) => setTimeout(r, 2000));
}
