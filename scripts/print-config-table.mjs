// Prints the README's configuration table from the settings each service declares.
import { hostname } from 'node:os';
import { describeSettings } from '@stockstream/common';

const services = {
  ingest: (await import('../services/ingest/dist/src/config.js')).ingestSettings,
  enrichment: (await import('../services/enrichment/dist/src/config.js')).enrichmentSettings,
  's3-sink': (await import('../services/s3-sink/dist/src/config.js')).sinkSettings,
};
const seen = new Map();
for (const [service, spec] of Object.entries(services)) {
  for (const [i, row] of describeSettings(spec).entries()) {
    const env = Object.values(spec)[i].env;
    if (!seen.has(env)) seen.set(env, { row, services: [] });
    seen.get(env).services.push(service);
  }
}
console.log('| variable | default | meaning | read by |');
console.log('| --- | --- | --- | --- |');
// Computed defaults are described, not printed as this machine's value.
for (const { row, services: s } of seen.values()) console.log(`${row.replace('`' + hostname() + '`', 'the host name')} ${s.join(', ')} |`);
