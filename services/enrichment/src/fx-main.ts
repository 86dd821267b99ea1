#!/usr/bin/env node
// stockstream fx load: publishes a rate file to the compacted fx.rates topic,
// idempotently (only what the topic lacks or holds differently), so a running
// enrichment applies the rates from their effective dates on.
import { parseArgs } from 'node:util';
import {
  AvroDeserializer, ConfigError, InputFileError, KafkaProducer, SchemaRegistryClient, bootstrapPipeline, createLogger, helpText, kafkaSettings, loadConfig,
  logSettings, registerTopicSchema, registrySettings, topicSettings, type FxRate,
} from '@stockstream/common';
import { ECB_HISTORY_URL, SHIPPED_ECB_HISTORY } from './fx/ecb-history.js';
import { FxFeed } from './fx/fx-feed.js';
import { FxTable } from './fx/fx-table.js';
import { loadRateFile, parseRateFile } from './fx/rate-file.js';
import { publishRates } from './fx/rate-publisher.js';
import { DataFileError } from './reference/data-file.js';
import { epochDayToIsoDate } from './validation/epoch-day.js';

const NAME = 'stockstream fx';
const USAGE = `Usage: ${NAME} load [FILE] [--fetch-ecb [--url URL]] [--currencies A,B,...]

  load FILE      publish the rates of FILE to fx.rates: the ECB's history (eurofxref-hist.zip or .csv)
                 or a JSON rate file {"rates": [{"currency", "rateToUsd", "effectiveDate", "source"}]};
                 default: the ECB history shipped with the service
  --fetch-ecb    download the current history from the ECB (${ECB_HISTORY_URL}) instead
  --url URL      where --fetch-ecb downloads from (a mirror)
  --currencies   only these currencies (default: every currency of the file)

Publishing is idempotent: a rate the topic already holds with the same value and source is not
produced again; a different value for the same currency and date replaces it (a correction).
`;
const settings = { ...logSettings, ...kafkaSettings, ...registrySettings, ...topicSettings };
const EX_USAGE = 64;
const EX_NOINPUT = 66;
const EX_UNAVAILABLE = 69;
const EX_CONFIG = 78;

async function fetchRates(url: string, currencies: ReadonlySet<string> | undefined): Promise<FxRate[]> {
  let bytes: Uint8Array;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    throw new DataFileError(url, `download failed: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`);
  }
  return parseRateFile(bytes, url, currencies);
}

function describe(rates: readonly FxRate[]): string {
  if (rates.length === 0) return 'no rates';
  const currencies = new Set(rates.map((r) => r.currency));
  let first = Infinity;
  let last = -Infinity;
  for (const r of rates) {
    first = Math.min(first, r.effectiveDate);
    last = Math.max(last, r.effectiveDate);
  }
  return `${rates.length} rates of ${currencies.size} currencies, ${epochDayToIsoDate(first)} .. ${epochDayToIsoDate(last)}`;
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({ args: argv, allowPositionals: true, options: { 'fetch-ecb': { type: 'boolean' }, url: { type: 'string' }, currencies: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    process.stderr.write(`${NAME}: ${(err as Error).message}\n${USAGE}`);
    return EX_USAGE;
  }
  const [command, file, ...extra] = args.positionals;
  if (args.values.help || command === 'help') {
    process.stdout.write(helpText(USAGE, settings));
    return 0;
  }
  if (command !== 'load' || extra.length > 0 || (file !== undefined && args.values['fetch-ecb']) || (args.values.url !== undefined && !args.values['fetch-ecb'])) {
    process.stderr.write(`${NAME}: ${command === undefined ? 'a command is required' : command !== 'load' ? `unknown command ${JSON.stringify(command)}` : 'give FILE, or --fetch-ecb [--url URL], not both'}\n${USAGE}`);
    return EX_USAGE;
  }
  const currencies = args.values.currencies ? new Set(args.values.currencies.split(',').map((c) => c.trim().toUpperCase()).filter(Boolean)) : undefined;

  // The file first: a mistyped path or a bad file is reported before anything connects.
  let rates: FxRate[];
  const from = args.values['fetch-ecb'] ? (args.values.url ?? ECB_HISTORY_URL) : (file ?? SHIPPED_ECB_HISTORY);
  try {
    rates = args.values['fetch-ecb'] ? await fetchRates(from, currencies) : loadRateFile(from, currencies);
  } catch (err) {
    if (err instanceof InputFileError || err instanceof DataFileError) {
      process.stderr.write(`${NAME}: ${err.message}\n`);
      return EX_NOINPUT;
    }
    throw err;
  }
  if (rates.length === 0) {
    process.stderr.write(`${NAME}: ${from} holds no rate${currencies ? ` of ${[...currencies].join(', ')}` : ''}\n`);
    return EX_NOINPUT;
  }

  let cfg;
  try {
    cfg = loadConfig(settings);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return EX_CONFIG;
    }
    throw err;
  }
  const logger = createLogger('fx-load', cfg.logLevel);
  const registry = new SchemaRegistryClient(cfg);
  let feed: FxFeed | undefined;
  let producer: KafkaProducer | undefined;
  try {
    await bootstrapPipeline({ kafka: cfg, topics: cfg, registry, schemasDir: cfg.schemasDir, logger, clientId: 'stockstream-fx-load' });
    const fxSchema = await registerTopicSchema<FxRate>(registry, cfg.fxTopic, 'fxRate', cfg.schemasDir);
    const table = new FxTable();
    feed = await FxFeed.start(cfg, cfg.fxTopic, table, new AvroDeserializer<FxRate>(registry, fxSchema.type), logger, 60_000);
    const before = table.size;
    producer = await KafkaProducer.connect(cfg, logger, { clientId: 'stockstream-fx-load' });
    const published = await publishRates({ rates, table, replace: true, topic: cfg.fxTopic, producer, transactions: null, serializer: fxSchema.serializer, logger });
    process.stdout.write(
      `${NAME}: ${from}: ${describe(rates)}; published ${published} to ${cfg.fxTopic} (${rates.length - published} already there; the topic held ${before} rates, now ${table.size})\n`,
    );
    return 0;
  } catch (err) {
    process.stderr.write(`${NAME}: publishing to ${cfg.fxTopic} failed: ${(err as Error).message}\n`);
    return EX_UNAVAILABLE;
  } finally {
    await producer?.disconnect().catch(() => undefined);
    await feed?.stop().catch(() => undefined);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${NAME}: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
