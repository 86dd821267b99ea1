// The commands of `stockstream`, one entry each: a new command is a module
// that runs on import (reading process.argv as if started by itself, and
// answering --help) and a line here.

export interface Command {
  /** The word after `stockstream`. */
  name: string;
  /** One line for `stockstream --help`. */
  summary: string;
  /** What runs it: a package path, or a path relative to this file. */
  module: string;
}

export const COMMANDS: readonly Command[] = [
  { name: 'ingest', summary: 'publish a CSV file (replay FILE) or the seeded generator (simulate) to ticks.raw', module: '@stockstream/ingest/dist/src/main.js' },
  { name: 'enrichment', summary: 'validate and enrich ticks.raw into ticks.enriched, exactly once', module: '@stockstream/enrichment/dist/src/main.js' },
  { name: 's3-sink', summary: 'write ticks.enriched to the S3 lake as Parquet files', module: '@stockstream/s3-sink/dist/src/main.js' },
  { name: 'query', summary: "SQL over the lake with DuckDB: --example all, or --sql '...'", module: '@stockstream/s3-sink/dist/src/query-main.js' },
  { name: 'catalog', summary: "the lake's table for Athena: ddl prints it, register puts it in Glue", module: '@stockstream/s3-sink/dist/src/catalog-main.js' },
  { name: 'fx', summary: 'publish FX rates to fx.rates: load [FILE], or load --fetch-ecb', module: '@stockstream/enrichment/dist/src/fx-main.js' },
  { name: 'report', summary: 'what a run put on the topics: report arrivals, report enrichment', module: './report.js' },
  { name: 'healthcheck', summary: 'exit 0 when the service in this container answers /healthz', module: './healthcheck.js' },
];

export function findCommand(name: string, commands: readonly Command[] = COMMANDS): Command | undefined {
  return commands.find((c) => c.name === name);
}

/** The file URL of a command's module, resolved from this package (throws when it is not there). */
export function moduleUrl(command: Command): string {
  return import.meta.resolve(command.module);
}
