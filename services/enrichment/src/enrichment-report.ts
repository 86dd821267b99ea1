#!/usr/bin/env node
// `stockstream report enrichment`: waits until the enrichment outputs account
// for every raw record ingested since --since, then prints enriched and
// dead-letter counts per reason. `make demo` prints it.
import {
  SchemaRegistryClient, decodeTopic, kafkaSettings, loadConfig, reportArgsOrExit, registrySettings, topicSettings, type DeadLetter, type EnrichedTick, type RawTick,
} from '@stockstream/common';

const USAGE = `Usage: stockstream report enrichment [--since MS] [--timeout-ms MS]

  --since MS        only raw records ingested at or after MS (Unix milliseconds); default: everything on the topics
  --timeout-ms MS   exit 1 when the enrichment has not accounted for them all within MS (default 300000)
`;
const settings = { ...kafkaSettings, ...registrySettings, ...topicSettings };
const { since, timeoutMs } = reportArgsOrExit('stockstream report enrichment', USAGE, settings, { timeout: true });
const cfg = loadConfig(settings);
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
