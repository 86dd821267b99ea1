#!/usr/bin/env node
import avsc from 'avsc';
import {
  AvroDeserializer, ConfigError, GroupConsumer, Health, KafkaProducer, Lifecycle, SchemaRegistryClient, Transactions, bootstrapPipeline,
  createLogger, createMetricsRegistry, loadConfig, loadSchema, registerTopicSchema, startObservabilityServer,
  type DeadLetter, type EnrichedTick, type FxRate, type RawTick,
} from '@stockstream/common';
import { enrichmentSettings } from './config.js';
import { publishDefaultRates } from './fx/default-rates-publisher.js';
import { loadDefaultFxRates } from './fx/default-fx-rates.js';
import { FxFeed } from './fx/fx-feed.js';
import { FxTable } from './fx/fx-table.js';
import { createEnrichmentMetrics } from './metrics.js';
import { runProcessor } from './pipeline/batch-processor.js';
import { loadIndexReference } from './reference/index-reference.js';

const SERVICE = 'enrichment';

async function main(): Promise<number> {
  let cfg;
  try {
    cfg = loadConfig(enrichmentSettings);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 78;
    }
    throw err;
  }
  const logger = createLogger(SERVICE, cfg.logLevel);
  const lifecycle = new Lifecycle(logger);
  const registry = createMetricsRegistry(SERVICE);
  const metrics = createEnrichmentMetrics(registry);
  const health = new Health();
  // Data files fail fast, before any connection, naming the file.
  const reference = loadIndexReference(cfg.indexReferenceFile);
  const defaults = loadDefaultFxRates(cfg.fxRatesFile);

  return lifecycle.run(async (signal) => {
    const http = await startObservabilityServer({ host: cfg.httpHost, port: cfg.httpPort, registry, health });
    lifecycle.defer('http server', () => http.close());

    const schemaRegistry = new SchemaRegistryClient(cfg);
    await bootstrapPipeline({ kafka: cfg, topics: cfg, registry: schemaRegistry, schemasDir: cfg.schemasDir, logger, clientId: `stockstream-${SERVICE}` });
    const enriched = await registerTopicSchema<EnrichedTick>(schemaRegistry, cfg.enrichedTopic, 'enrichedTick', cfg.schemasDir);
    const deadLetter = await registerTopicSchema<DeadLetter>(schemaRegistry, cfg.dlqTopic, 'deadLetter', cfg.schemasDir);
    const fxSchema = await registerTopicSchema<FxRate>(schemaRegistry, cfg.fxTopic, 'fxRate', cfg.schemasDir);
    const rawReader = avsc.Type.forSchema(loadSchema('rawTick', cfg.schemasDir) as avsc.Schema);
    health.set('registry', true);

    const producer = await KafkaProducer.connect(cfg, logger, {
      clientId: `stockstream-${SERVICE}`,
      ...(cfg.exactlyOnce ? { transactionalId: `stockstream-enrichment-${cfg.instanceId}` } : {}),
      // librdkafka requires message.timeout.ms <= transaction.timeout.ms (60 s) for a transactional producer.
      overrides: { 'message.timeout.ms': 60_000 },
    });
    lifecycle.defer('producer', () => producer.disconnect());
    const transactions = cfg.exactlyOnce ? new Transactions(producer) : null;
    await transactions?.init(); // fences any zombie with the same transactional.id

    const fx = new FxTable();
    const feed = await FxFeed.start(cfg, cfg.fxTopic, fx, new AvroDeserializer<FxRate>(schemaRegistry, fxSchema.type), logger, cfg.fxLoadTimeoutMs);
    lifecycle.defer('fx feed', () => feed.stop());
    await publishDefaultRates({ defaults, table: fx, topic: cfg.fxTopic, producer, transactions, serializer: fxSchema.serializer, logger });

    const consumer = await GroupConsumer.connect(cfg, logger, {
      groupId: cfg.groupId, clientId: `stockstream-${SERVICE}-${cfg.instanceId}`, topics: [cfg.rawTopic],
      isolation: 'read_committed',
    });
    lifecycle.defer('consumer', () => consumer.disconnect());
    health.set('kafka', true);

    // Doubles as the broker health probe: a watermark query that fails means /readyz must say not ready.
    let probing = false;
    const gauges = setInterval(() => {
      metrics.fxTableSize.set(fx.size);
      const age = fx.ageMs(Date.now());
      if (age !== null) metrics.fxTableAge.set(age / 1000);
      if (probing) return;
      probing = true;
      consumer
        .lag()
        .then(
          (lags) => {
            lags.forEach((l) => metrics.consumerLag.set({ topic: l.topic, partition: String(l.partition) }, l.lag));
            health.set('kafka', true);
          },
          (err: Error) => health.set('kafka', false, `broker unreachable: ${err.message}`),
        )
        .finally(() => (probing = false));
    }, 2000);
    gauges.unref();
    lifecycle.defer('gauges', () => clearInterval(gauges));

    logger.info({ exactlyOnce: cfg.exactlyOnce, group: cfg.groupId, instance: cfg.instanceId, fxRates: fx.size }, 'enriching');
    await runProcessor(
      {
        consumer, producer, transactions, metrics, health, logger, batchMax: cfg.batchMax,
        rawDeserializer: new AvroDeserializer<RawTick>(schemaRegistry, rawReader),
        enriched: { topic: cfg.enrichedTopic, serializer: enriched.serializer },
        deadLetters: { topic: cfg.dlqTopic, serializer: deadLetter.serializer },
        context: () => ({ reference, fx }),
      },
      signal,
    );
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`enrichment: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
