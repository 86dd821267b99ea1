// The metrics table of docs/observability.md is generated (`make metrics-table`)
// from the metrics the services register; this keeps the two equal.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { REPO } from './support/compose-file.js';

const PAGE = 'docs/observability.md';

it(`${PAGE} holds the metrics table the services register, exactly`, () => {
  const table = execFileSync(process.execPath, [join(REPO, 'scripts', 'print-metrics-table.mjs')], { encoding: 'utf8', cwd: REPO }).trim();
  const page = readFileSync(join(REPO, PAGE), 'utf8');
  const section = page.match(/<!-- metrics-table:start -->\n([\s\S]*?)\n<!-- metrics-table:end -->/);
  assert.ok(section, `${PAGE} has the metrics-table markers`);
  assert.equal(section[1], table, `${PAGE}: metrics table out of date: run \`make metrics-table\` and paste it between the markers`);
  assert.ok(table.includes('stockstream_sink_end_to_end_latency_seconds') && table.includes('process_cpu_seconds_total'));
});
