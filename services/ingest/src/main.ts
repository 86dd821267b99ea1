#!/usr/bin/env node
import {
  ConfigError, Health, KafkaProducer, Lifecycle, SchemaRegistryClient, bootstrapPipeline, createLogger, createMetricsRegistry,
  loadConfig, registerTopicSchema, startObservabilityServer, type DeadLetter, type RawTick,
} from '@stockstream/common';
import { USAGE, UsageError, parseIngestArgs } from './cli/args.js';
import { ingestSettings } from './config.js';
import { createIngestMetrics } from './metrics.js';
import { publish } from './publish/publisher.js';
import { itemsFor } from './sources.js';

const SERVICE = 'ingest';

async function main(): Promise<number> {
  let cmd, cfg;
  try {
    cmd = parseIngestArgs(process.argv.slice(2));
    cfg = loadConfig(ingestSettings);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${USAGE}\n`);
      return 64;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 78;
    }
    throw err;
  }
  const logger = createLogger(SERVICE, cfg.logLevel);
  const lifecycle = new Lifecycle(logger);
  const registry = createMetricsRegistry(SERVICE);
  const metrics = createIngestMetrics(registry);
  const health = new Health();

  return lifecycle.run(async (signal) => {
    const http = await startObservabilityServer({ host: cfg.httpHost, port: cfg.httpPort, registry, health });
    lifecycle.defer('http server', () => http.close());
    logger.info({ port: http.port, command: cmd }, 'starting');

    const schemaRegistry = new SchemaRegistryClient(cfg);
    await bootstrapPipeline({ kafka: cfg, topics: cfg, registry: schemaRegistry, schemasDir: cfg.schemasDir, logger, clientId: `stockstream-${SERVICE}` });
    const raw = await registerTopicSchema<RawTick>(schemaRegistry, cfg.rawTopic, 'rawTick', cfg.schemasDir);
    const deadLetter = await registerTopicSchema<DeadLetter>(schemaRegistry, cfg.dlqTopic, 'deadLetter', cfg.schemasDir);
    health.set('registry', true);

    const producer = await KafkaProducer.connect(cfg, logger, { clientId: `stockstream-${SERVICE}` });
    lifecycle.defer('producer', () => producer.disconnect());
    health.set('kafka', true);

    const summary = await publish(itemsFor(cmd), {
      producer,
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
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`ingest: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
