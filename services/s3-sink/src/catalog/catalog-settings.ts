import type { GlueClientConfig } from '@aws-sdk/client-glue';
import { z } from 'zod';
import { ConfigError, httpUrl, loadConfig, nonEmpty, setting, type ConfigOf, type SettingsSpec } from '@stockstream/common';
import { sinkSettings } from '../config.js';
import type { LakeTableOptions } from './lake-table.js';

function pick<S extends SettingsSpec, K extends keyof S>(spec: S, keys: readonly K[]): Pick<S, K> {
  return Object.fromEntries(keys.map((k) => [k, spec[k]])) as Pick<S, K>;
}

// Athena/Glue names: lower case, digits, underscore (Glue would lower-case others silently).
const catalogName = z.string().trim().regex(/^[a-z0-9_]{1,255}$/, 'Glue name');

/**
 * Every environment variable `stockstream catalog` reads. Where the lake is and
 * how its files are written come from the sink's own settings (same variables,
 * same defaults), so the table describes what the sink writes.
 */
export const catalogSettings = {
  ...pick(sinkSettings, ['s3Bucket', 's3Prefix', 's3Region', 'format', 'parquetCompression']),
  glueEndpoint: setting({
    env: 'GLUE_ENDPOINT', optional: true, expect: 'an http(s) URL',
    doc: 'Glue-compatible endpoint (the local stack\'s moto server); unset = AWS Glue of S3_REGION.', schema: httpUrl,
  }),
  glueDatabase: setting({ env: 'GLUE_DATABASE', default: 'stockstream', expect: 'lower-case letters, digits and _', doc: 'Glue/Athena database of the lake table (created when missing).', schema: catalogName }),
  glueTable: setting({ env: 'GLUE_TABLE', default: 'ticks', expect: 'lower-case letters, digits and _', doc: 'Glue/Athena table name of the lake.', schema: catalogName }),
  glueAccessKeyId: setting({ env: 'GLUE_ACCESS_KEY_ID', optional: true, expect: 'an access key id', doc: 'Static Glue credentials with GLUE_SECRET_ACCESS_KEY; unset = the AWS default credential chain.', schema: nonEmpty }),
  glueSecretAccessKey: setting({ env: 'GLUE_SECRET_ACCESS_KEY', optional: true, secret: true, expect: 'a secret access key', doc: 'Secret of GLUE_ACCESS_KEY_ID (never logged).', schema: nonEmpty }),
  indexReferenceFile: setting({
    env: 'INDEX_REFERENCE_FILE', optional: true, file: true, expect: 'a path to a JSON file',
    doc: 'Index reference data whose symbols become the projected `index` partitions (default: services/enrichment/data/indices.json, as enrichment).', schema: nonEmpty,
  }),
};

export type CatalogConfig = ConfigOf<typeof catalogSettings>;

/** loadConfig plus the rule that spans two variables; throws ConfigError naming them. */
export function loadCatalogConfig(env: NodeJS.ProcessEnv = process.env): CatalogConfig {
  const set = (name: string) => (env[name] ?? '') !== '';
  // Half a key pair would otherwise fall back to the default chain without a word.
  const pair = set('GLUE_ACCESS_KEY_ID') !== set('GLUE_SECRET_ACCESS_KEY')
    ? ['GLUE_ACCESS_KEY_ID and GLUE_SECRET_ACCESS_KEY must be set together (or neither, for the AWS default credential chain)']
    : [];
  let cfg: CatalogConfig;
  try {
    cfg = loadConfig(catalogSettings, env);
  } catch (err) {
    // Every problem in one message, as loadConfig does for single variables.
    if (err instanceof ConfigError) throw new ConfigError([...err.problems, ...pair]);
    throw err;
  }
  if (pair.length > 0) throw new ConfigError(pair);
  return cfg;
}

export function glueClientConfig(cfg: CatalogConfig): GlueClientConfig {
  return {
    region: cfg.s3Region,
    ...(cfg.glueEndpoint ? { endpoint: cfg.glueEndpoint } : {}),
    ...(cfg.glueAccessKeyId && cfg.glueSecretAccessKey
      ? { credentials: { accessKeyId: cfg.glueAccessKeyId, secretAccessKey: cfg.glueSecretAccessKey } }
      : {}),
  };
}

export function lakeTableOptions(cfg: CatalogConfig, indexSymbols: readonly string[]): LakeTableOptions {
  return {
    database: cfg.glueDatabase,
    table: cfg.glueTable,
    bucket: cfg.s3Bucket,
    prefix: cfg.s3Prefix,
    format: cfg.format,
    compression: cfg.parquetCompression,
    indexSymbols,
  };
}
