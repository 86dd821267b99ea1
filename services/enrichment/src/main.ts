#!/usr/bin/env node
import avsc from 'avsc';
import {
  AvroDeserializer, GroupConsumer, KafkaProducer, SchemaRegistryClient, TransactionalSession, bootstrapPipeline, loadSchema, registerTopicSchema,
  serviceMain, startBrokerProbe, type DeadLetter, type EnrichedTick, type FxRate, type RawTick,
} from '@stockstream/common';
import { enrichmentSettings } from './config.js';
import { SHIPPED_ECB_HISTORY } from './fx/ecb-history.js';
import { loadFallbackRates } from './fx/fallback-rates.js';
import { FxFeed } from './fx/fx-feed.js';
import { FxTable } from './fx/fx-table.js';
import { loadRateFile } from './fx/rate-file.js';
import { publishRates } from './fx/rate-publisher.js';
import { RateResolver } from './fx/rate-resolver.js';
import { retiredDefaultsIn } from './fx/retired-defaults.js';
import { createEnrichmentMetrics } from './metrics.js';
import { RawTickReader } from './decode/raw-tick-reader.js';
import { runProcessor } from './pipeline/batch-processor.js';
import { loadIndexReference } from './reference/index-reference.js';

serviceMain(
  'enrichment',
  enrichmentSettings,
  // Data files fail fast, before any connection, naming the file.
  (cfg) => {
    const reference = loadIndexReference(cfg.indexReferenceFile);
    // Only the currencies of the indices enriched here: ~60k rates instead of the ECB's ~230k (start-up time and
    // memory); a currency added to the reference gets its history at the next start. `stockstream fx load` publishes all.
    const currencies = new Set([...reference.values()].map((i) => i.currency));
    return {
      reference,
      history: cfg.fxHistoryFile === 'none' ? null : loadRateFile(cfg.fxHistoryFile ?? SHIPPED_ECB_HISTORY, currencies),
      fallback: cfg.fxFallbackFile === 'none' ? null : loadFallbackRates(cfg.fxFallbackFile),
    };
  },
  async ({ cfg, logger, lifecycle, registry, health, signal }, { reference, history, fallback }) => {
    const metrics = createEnrichmentMetrics(registry);
    const schemaRegistry = new SchemaRegistryClient(cfg);
    await bootstrapPipeline({ kafka: cfg, topics: cfg, registry: schemaRegistry, schemasDir: cfg.schemasDir, logger, clientId: 'stockstream-enrichment' });
    const enriched = await registerTopicSchema<EnrichedTick>(schemaRegistry, cfg.enrichedTopic, 'enrichedTick', cfg.schemasDir);
    const deadLetter = await registerTopicSchema<DeadLetter>(schemaRegistry, cfg.dlqTopic, 'deadLetter', cfg.schemasDir);
    const fxSchema = await registerTopicSchema<FxRate>(schemaRegistry, cfg.fxTopic, 'fxRate', cfg.schemasDir);
    const rawReader = avsc.Type.forSchema(loadSchema('rawTick', cfg.schemasDir) as avsc.Schema);
    health.set('registry', true);

    const connectProducer = () =>
      KafkaProducer.connect(cfg, logger, {
        clientId: 'stockstream-enrichment',
        ...(cfg.exactlyOnce ? { transactionalId: `stockstream-enrichment-${cfg.instanceId}`, transactionTimeoutMs: cfg.transactionTimeoutMs } : {}),
        // A transaction's commit fails when any of its messages failed, so exactly-once needs reports of failures
        // only (half the producer's cost per message); at-least-once needs every report to know a batch landed.
        deliveryReports: cfg.exactlyOnce ? 'failures' : 'each',
      });
    // Exactly-once: starting the session fences any zombie with the same transactional.id.
    const session = cfg.exactlyOnce ? await TransactionalSession.start(connectProducer) : null;
    const plainProducer = session ? null : await connectProducer();
    const currentProducer = () => session?.producer ?? plainProducer!;
    lifecycle.defer('producer', () => currentProducer().disconnect());

    const fx = new FxTable();
    const feed = await FxFeed.start(cfg, cfg.fxTopic, fx, new AvroDeserializer<FxRate>(schemaRegistry, fxSchema.type), logger, cfg.fxLoadTimeoutMs);
    lifecycle.defer('fx feed', () => feed.stop());
    await publishRates({
      rates: history ?? [], retract: retiredDefaultsIn(fx), table: fx, replace: false, topic: cfg.fxTopic, producer: currentProducer(),
      transactions: session?.transactions ?? null, serializer: fxSchema.serializer, logger,
    });
    const rates = new RateResolver(fx, fallback);

    const consumer = await GroupConsumer.connect(cfg, logger, {
      groupId: cfg.groupId, clientId: `stockstream-enrichment-${cfg.instanceId}`, topics: [cfg.rawTopic], isolation: 'read_committed', prefetch: cfg,
    });
    lifecycle.defer('consumer', () => consumer.disconnect());
    consumer.instrument(metrics.consumer);
    health.set('kafka', true);
    startBrokerProbe({
      consumer, health, lag: metrics.consumer.lag, lifecycle,
      onTick: () => {
        metrics.fxTableSize.set(fx.size);
        const age = fx.ageMs(Date.now());
        if (age !== null) metrics.fxTableAge.set(age / 1000);
      },
    });

    logger.info({ exactlyOnce: cfg.exactlyOnce, group: cfg.groupId, instance: cfg.instanceId, fxRates: fx.size, fxFallback: rates.fallbackCurrencies }, 'enriching');
    await runProcessor(
      {
        consumer, output: session ? { session } : { producer: plainProducer! }, metrics, health, logger, batchMax: cfg.batchMax,
        rawReader: new RawTickReader(new AvroDeserializer<RawTick>(schemaRegistry, rawReader)),
        enriched: { topic: cfg.enrichedTopic, serializer: enriched.serializer },
        deadLetters: { topic: cfg.dlqTopic, serializer: deadLetter.serializer },
        context: () => ({ reference, fx: rates }),
      },
      signal,
    );
  }
);
