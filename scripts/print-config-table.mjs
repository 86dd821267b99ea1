// Prints the README's configuration table from the settings each service declares
// (`make config-table`; README.md holds it between the config-table markers).
import { hostname } from 'node:os';
import { describeSettings } from '@stockstream/common';

const services = {
  ingest: (await import('../services/ingest/dist/src/config.js')).ingestSettings,
  enrichment: (await import('../services/enrichment/dist/src/config.js')).enrichmentSettings,
  's3-sink': (await import('../services/s3-sink/dist/src/config.js')).sinkSettings,
};
// One row per variable; a default that differs between services (HTTP_PORT) is given per service.
const seen = new Map();
for (const [service, spec] of Object.entries(services)) {
  for (const [i, row] of describeSettings(spec).entries()) {
    const setting = Object.values(spec)[i];
    if (!seen.has(setting.env)) seen.set(setting.env, { row, defaults: [], services: [] });
    const entry = seen.get(setting.env);
    entry.services.push(service);
    entry.defaults.push({ service, value: setting.default });
  }
}
console.log('| variable | default | meaning | read by |');
console.log('| --- | --- | --- | --- |');
for (const { row, defaults, services: s } of seen.values()) {
  let line = row;
  if (new Set(defaults.map((d) => d.value)).size > 1) {
    const cells = line.split(' | ');
    cells[1] = defaults.map((d) => (d.value === undefined ? `_(unset)_ (${d.service})` : `\`${d.value}\` (${d.service})`)).join(', ');
    line = cells.join(' | ');
  }
  // Computed defaults are described, not printed as this machine's value.
  // As in the metrics table, "all" when every service reads it.
  const by = s.length === Object.keys(services).length ? 'all' : s.join(', ');
  console.log(`${line.replace('`' + hostname() + '`', 'the host name')} ${by} |`);
}
