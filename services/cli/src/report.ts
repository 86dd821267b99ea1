// `stockstream report arrivals|enrichment`: what a run put on the topics, read
// back from Kafka (read_committed). `make demo` prints both; each report is a
// module of the service whose output it reads.
import { runCommand } from './run-command.js';
import type { Command } from './commands.js';

const REPORTS: readonly Command[] = [
  { name: 'arrivals', summary: 'what arrived on ticks.raw and ticks.dlq: per-index counts and first/last dates', module: '@stockstream/ingest/dist/src/arrival-report.js' },
  { name: 'enrichment', summary: 'waits until the enrichment has accounted for every raw record, then counts enriched and dead letters', module: '@stockstream/enrichment/dist/src/enrichment-report.js' },
];

const USAGE = `Usage: stockstream report REPORT [--since MS] [ARGS...]

Reports:
${REPORTS.map((r) => `  ${r.name.padEnd(12)}${r.summary}`).join('\n')}

\`stockstream report REPORT --help\`: the report's arguments and the settings it reads.
`;

const [word, ...args] = process.argv.slice(2);
const report = REPORTS.find((r) => r.name === word);
if (report) {
  await runCommand({ ...report, name: `report ${report.name}` }, args);
} else if (word === undefined || word === '--help' || word === '-h' || word === 'help') {
  if (word === undefined) {
    process.stderr.write(`stockstream report: a report is required\n\n${USAGE}`);
    process.exitCode = 64;
  } else {
    process.stdout.write(USAGE);
  }
} else {
  process.stderr.write(`stockstream report: unknown report "${word}"\n\n${USAGE}`);
  process.exitCode = 64;
}
