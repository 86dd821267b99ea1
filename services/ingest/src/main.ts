#!/usr/bin/env node
import { KafkaAdmin, KafkaProducer, Transactions, bootstrapPipeline, readTopic, checkInputFile, registerTopicSchema, serviceMain, SchemaRegistryClient, type ConfigOf, type DeadLetter, type Logger, type RawTick } from '@stockstream/common';
import { USAGE, UsageError, parseIngestArgs, type IngestCommand } from './cli/args.js';
import { ingestSettings } from './config.js';
import { createIngestMetrics } from './metrics.js';
import { publish } from './publish/publisher.js';
import { decodeProgress, progressTopicFor, resumePoint, type SourceProgress } from './publish/progress.js';
import { defaultTransactionalId } from './publish/transactional-id.js';
import { formatSummaryLine } from './report/summary-line.js';
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

/** The position an earlier run of this source committed (the progress topic is created when missing: no earlier run). */
async function committedProgress(cfg: ConfigOf<typeof ingestSettings>, topic: string, key: string, logger: Logger): Promise<SourceProgress> {
  if (cfg.createTopics) {
    const admin = await KafkaAdmin.connect(cfg, 'stockstream-ingest');
    try {
      const created = await admin.ensureTopics(
        [{ name: topic, partitions: 1, replicationFactor: cfg.topicReplication, config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0' } }],
        logger,
      );
      if (created.length > 0) return { items: 0 };
    } finally {
      admin.disconnect();
    }
  }
  const messages: { key: Buffer | string | null | undefined; value: Buffer | null | undefined }[] = [];
  await readTopic(cfg, topic, (m) => {
    if (m.key?.toString() === key && decodeProgress(m.value)) messages.push({ key: m.key, value: m.value });
  }, { isolation: 'read_committed', clientId: 'stockstream-ingest' });
  return resumePoint(messages, key);
}

serviceMain('ingest', ingestSettings, parseCommand, async ({ cfg, logger, lifecycle, registry, health, signal }, cmd) => {
  const metrics = createIngestMetrics(registry);
  logger.info({ command: cmd }, 'starting');
  // With --resume, where to start is known only once the producer has fenced an earlier run: the source starts then.
  let source = cmd.resume ? undefined : itemsFor(cmd);
  source?.startWorker(); // it loads its modules meanwhile Kafka and the registry are set up
  lifecycle.defer('source', () => source?.close() ?? Promise.resolve());
  const schemaRegistry = new SchemaRegistryClient(cfg);
  // The raw schema first: with it the worker starts reading and encoding, while topics and the producer are set up.
  const raw = await registerTopicSchema<RawTick>(schemaRegistry, cfg.rawTopic, 'rawTick', cfg.schemasDir);
  source?.prepare(raw.serializer);
  await bootstrapPipeline({ kafka: cfg, topics: cfg, registry: schemaRegistry, schemasDir: cfg.schemasDir, logger, clientId: 'stockstream-ingest' });
  const deadLetter = await registerTopicSchema<DeadLetter>(schemaRegistry, cfg.dlqTopic, 'deadLetter', cfg.schemasDir);
  health.set('registry', true);

  const transactionalId = cfg.transactionalId ?? defaultTransactionalId(cfg.rawTopic, cmd);
  const producer = await KafkaProducer.connect(cfg, logger, {
    clientId: 'stockstream-ingest',
    transactionalId,
    deliveryReports: 'failures', // a transaction's commit proves its messages landed
  });
  lifecycle.defer('producer', () => producer.disconnect());
  const transactions = new Transactions(producer);
  await transactions.init(); // aborts what a killed run of the same source left open
  health.set('kafka', true);

  let progress: { topic: string; key: string; skipped: number } | undefined;
  if (cmd.resume) {
    // After init(): an earlier run's last transaction is now committed or aborted for good, so its position is final.
    const topic = progressTopicFor(cfg.rawTopic);
    const { items } = await committedProgress(cfg, topic, transactionalId, logger);
    logger.info({ topic, transactionalId, skipped: items }, items > 0 ? 'resuming after the items an earlier run committed' : 'no earlier run of this source: starting at its first item');
    progress = { topic, key: transactionalId, skipped: items };
    source = itemsFor({ ...cmd, skip: items });
    source.startWorker();
    source.prepare(raw.serializer);
  }

  const summary = await publish(source!.publishSource(raw.serializer), {
    producer,
    transactions,
    commitIntervalMs: cfg.commitIntervalMs,
    targets: { rawTopic: cfg.rawTopic, dlqTopic: cfg.dlqTopic, raw: raw.serializer, deadLetter: deadLetter.serializer },
    metrics,
    logger,
    signal,
    progress,
  });
  logger.info({ summary, resumedAfter: progress?.skipped }, 'ingest finished');
  process.stdout.write(formatSummaryLine(summary, cfg, progress?.skipped));
}, USAGE);
