#!/usr/bin/env node
// stockstream catalog: makes the lake queryable from Athena without a Glue
// crawler. The table uses partition projection, so registering it once is
// enough: new index/year folders need no MSCK REPAIR or crawler run.
import { GlueClient } from '@aws-sdk/client-glue';
import { ConfigError, InputFileError, helpText } from '@stockstream/common';
import { athenaDdl } from './catalog/athena-ddl.js';
import { catalogSettings, glueClientConfig, lakeTableOptions, loadCatalogConfig } from './catalog/catalog-settings.js';
import { glueTableInput, registerGlueTable } from './catalog/glue-table.js';
import { IndexFileError, loadIndexSymbols } from './catalog/index-symbols.js';
import { lakeTableDefinition } from './catalog/lake-table.js';

const NAME = 'stockstream catalog';
const USAGE = `Usage: ${NAME} ddl | register

  ddl       print the Athena CREATE EXTERNAL TABLE statement of the lake
  register  create (or update) the database and table in the AWS Glue Data Catalog
            (S3_REGION, GLUE_ENDPOINT and the GLUE_* credentials are read by register only)
`;

const EX_USAGE = 64;
const EX_CONFIG = 78;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'help' || argv.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(helpText(USAGE, catalogSettings));
    return 0;
  }
  if ((command !== 'ddl' && command !== 'register') || rest.length > 0) {
    process.stderr.write(`${NAME}: ${command === undefined ? 'a command is required' : `unknown arguments: ${argv.join(' ')}`}\n${USAGE}`);
    return EX_USAGE;
  }

  let cfg;
  let symbols;
  try {
    cfg = loadCatalogConfig();
    symbols = loadIndexSymbols(cfg.indexReferenceFile);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return EX_CONFIG;
    }
    if (err instanceof IndexFileError || err instanceof InputFileError) {
      process.stderr.write(`Invalid configuration:\n  - INDEX_REFERENCE_FILE: ${err.message}\n`);
      return EX_CONFIG;
    }
    throw err;
  }
  const def = lakeTableDefinition(lakeTableOptions(cfg, symbols));

  if (command === 'ddl') {
    process.stdout.write(`${athenaDdl(def)};\n`);
    return 0;
  }

  const client = new GlueClient(glueClientConfig(cfg));
  try {
    const result = await registerGlueTable({ client, database: def.database, table: def.table, input: glueTableInput(def) });
    process.stdout.write(
      `${NAME}: database ${def.database} ${result.database}, table ${def.database}.${def.table} ${result.table}: `
        + `${def.format} at ${def.location}, ${symbols.length} projected index values, years ${def.parameters.find(([k]) => k === 'projection.year.range')?.[1]?.replace(',', '-')}\n`,
    );
    return 0;
  } catch (err) {
    const e = err as Error;
    process.stderr.write(`${NAME}: registering ${def.database}.${def.table} in Glue${cfg.glueEndpoint ? ` at ${cfg.glueEndpoint}` : ` (${cfg.s3Region})`} failed: ${e.name}: ${e.message}\n`);
    return 1;
  } finally {
    client.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${NAME}: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
