// Prints the metrics table of docs/observability.md (between its metrics-table
// markers) from the metrics each service registers
// (services/*/src/metrics.ts and the shared ones in services/common).
import { createMetricsRegistry } from '@stockstream/common';

const services = {
  ingest: (await import('../services/ingest/dist/src/metrics.js')).createIngestMetrics,
  enrichment: (await import('../services/enrichment/dist/src/metrics.js')).createEnrichmentMetrics,
  's3-sink': (await import('../services/s3-sink/dist/src/metrics.js')).createSinkMetrics,
};
const rows = new Map();
for (const [service, create] of Object.entries(services)) {
  const registry = createMetricsRegistry(service, { version: '-', commit: '-', nodeVersion: '-', librdkafkaVersion: '-' });
  create(registry);
  const types = new Map((await registry.getMetricsAsJSON()).map((m) => [m.name, m.type]));
  for (const m of registry.getMetricsAsArray()) {
    if (!rows.has(m.name)) rows.set(m.name, { type: types.get(m.name), labels: m.labelNames ?? [], help: m.help, services: [] });
    rows.get(m.name).services.push(service);
  }
}
const cell = (s) => String(s).replaceAll('|', '\\|');
const own = [...rows.keys()].filter((n) => n.startsWith('stockstream_')).sort();
const standard = [...rows.keys()].filter((n) => !n.startsWith('stockstream_')).sort();
console.log('| metric | type | labels | meaning | exported by |');
console.log('| --- | --- | --- | --- | --- |');
for (const name of [...own, ...standard]) {
  const r = rows.get(name);
  const by = r.services.length === Object.keys(services).length ? 'all' : r.services.join(', ');
  console.log(`| \`${name}\` | ${r.type} | ${r.labels.map((l) => `\`${l}\``).join(', ')} | ${cell(r.help)} | ${by} |`);
}
