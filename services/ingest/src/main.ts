#!/usr/bin/env node
import { KafkaProducer, Transactions, bootstrapPipeline, checkInputFile, registerTopicSchema, serviceMain, SchemaRegistryClient, type DeadLetter, type RawTick } from '@stockstream/common';
import { USAGE, UsageError, parseIngestArgs, type IngestCommand } from './cli/args.js';
import { ingestSettings } from './config.js';
import { createIngestMetrics } from './metrics.js';
import { publish } from './publish/publisher.js';
import { defaultTransactionalId } from './publish/transactional-id.js';
import { itemsFor } from './sources.js';

/** sysexits: a wrong command line; an input file that cannot be read. */
const EX_USAGE = 64;
const EX_NOINPUT = 66;

/** The command line, and a replay's file checked readable, before anything connects. */
function parseCommand(): IngestCommand {
  let cmd: IngestCommand;
  try {
    cmd = parseIngestArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) throw Object.assign(new Error(`${err.message}\n\n${USAGE}`), { exitCode: EX_USAGE });
    throw err;
  }
  if (cmd.mode === 'replay') {
    try {
      checkInputFile(cmd.file);
    } catch (err) {
      throw Object.assign(err as Error, { exitCode: EX_NOINPUT });
    }
  }
  return cmd;
}

serviceMain('ingest', ingestSettings, parseCommand, async ({ cfg, logger, lifecycle, registry, health, signal }, cmd) => {
  const metrics = createIngestMetrics(registry);
  logger.info({ command: cmd }, 'starting');
  const source = itemsFor(cmd);
  source.startWorker(); // it loads its modules meanwhile Kafka and the registry are set up
  lifecycle.defer('source', () => source.close());
  const schemaRegistry = new SchemaRegistryClient(cfg);
  // The raw schema first: with it the worker starts reading and encoding, while topics and the producer are set up.
  const raw = await registerTopicSchema<RawTick>(schemaRegistry, cfg.rawTopic, 'rawTick', cfg.schemasDir);
  source.prepare(raw.serializer);
  await bootstrapPipeline({ kafka: cfg, topics: cfg, registry: schemaRegistry, schemasDir: cfg.schemasDir, logger, clientId: 'stockstream-ingest' });
  const deadLetter = await registerTopicSchema<DeadLetter>(schemaRegistry, cfg.dlqTopic, 'deadLetter', cfg.schemasDir);
  health.set('registry', true);

  const producer = await KafkaProducer.connect(cfg, logger, {
    clientId: 'stockstream-ingest',
    transactionalId: cfg.transactionalId ?? defaultTransactionalId(cfg.rawTopic, cmd),
    deliveryReports: 'failures', // a transaction's commit proves its messages landed
  });
  lifecycle.defer('producer', () => producer.disconnect());
  const transactions = new Transactions(producer);
  await transactions.init(); // aborts what a killed run of the same source left open
  health.set('kafka', true);

  const summary = await publish(source, {
    producer,
    transactions,
    commitIntervalMs: cfg.commitIntervalMs,
    targets: { rawTopic: cfg.rawTopic, dlqTopic: cfg.dlqTopic, raw: raw.serializer, deadLetter: deadLetter.serializer },
    pacing: cmd.pace,
    metrics,
    logger,
    signal,
  });
  logger.info({ summary }, 'ingest finished');
  const mb = summary.bytes / 1e6;
  process.stdout.write(
    `ingest: read ${summary.read} rows, published ${summary.published} to ${cfg.rawTopic}, ` +
      `dead-lettered ${summary.deadLettered} to ${cfg.dlqTopic}${summary.deadLettered ? ` ${JSON.stringify(summary.deadLetteredByReason)}` : ''}, ` +
      `${summary.recordsPerSecond} records/s, ${(mb / (summary.seconds || 1)).toFixed(1)} MB/s` +
      `${summary.stoppedEarly ? ' (stopped early by signal)' : ''}\n`,
  );
}, USAGE);
