#!/usr/bin/env node
import avsc from 'avsc';
import {
  AvroDeserializer, ConfigError, GroupConsumer, Health, KafkaProducer, Lifecycle, SchemaRegistryClient, bootstrapPipeline, createLogger,
  createMetricsRegistry, loadConfig, loadSchema, registerTopicSchema, startObservabilityServer, type DeadLetter, type EnrichedTick, type Message,
} from '@stockstream/common';
import { rotationConfig, s3StorageConfig, sinkSettings } from './config.js';
import { createRecordWriter } from './format/create-record-writer.js';
import { createSinkMetrics } from './metrics.js';
import { HivePartitioner } from './partitioner/hive-partitioner.js';
import { runSink } from './pipeline/sink-loop.js';
import { RotationPolicy } from './rotation/rotation-policy.js';
import { S3Storage } from './storage/s3-storage.js';

const SERVICE = 's3-sink';
const BATCH_MAX = 10_000;

async function main(): Promise<number> {
  let cfg;
  try {
    cfg = loadConfig(sinkSettings);
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
  const metrics = createSinkMetrics(registry);
  const health = new Health();
  const rotation = new RotationPolicy(rotationConfig(cfg));

  return lifecycle.run(async (signal) => {
    const http = await startObservabilityServer({ host: cfg.httpHost, port: cfg.httpPort, registry, health });
    lifecycle.defer('http server', () => http.close());

    const storage = new S3Storage(s3StorageConfig(cfg));
    await storage.ensureBucket();
    health.set('s3', true);

    const schemaRegistry = new SchemaRegistryClient(cfg);
    await bootstrapPipeline({ kafka: cfg, topics: cfg, registry: schemaRegistry, schemasDir: cfg.schemasDir, logger, clientId: `stockstream-${SERVICE}` });
    const deadLetters = await registerTopicSchema<DeadLetter>(schemaRegistry, cfg.dlqTopic, 'deadLetter', cfg.schemasDir);
    const enrichedReader = avsc.Type.forSchema(loadSchema('enrichedTick', cfg.schemasDir) as avsc.Schema);
    health.set('registry', true);

    const writer = await createRecordWriter(cfg.format, cfg.parquetCompression);
    lifecycle.defer('record writer', () => writer.close?.());
    const producer = await KafkaProducer.connect(cfg, logger, { clientId: `stockstream-${SERVICE}` });
    lifecycle.defer('producer', () => producer.disconnect());
    const consumer = await GroupConsumer.connect(cfg, logger, {
      groupId: cfg.groupId, clientId: `stockstream-${SERVICE}`, topics: [cfg.enrichedTopic], isolation: 'read_committed',
      // Uploads can be slow and S3 outages long: do not get evicted from the group while paused.
      overrides: { 'max.poll.interval.ms': 600_000 },
    });
    lifecycle.defer('consumer', () => consumer.disconnect());
    health.set('kafka', true);

    let probing = false;
    const probe = setInterval(() => {
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
    probe.unref();
    lifecycle.defer('probe', () => clearInterval(probe));

    const deadLetter = async (m: Message, reason: string, message: string) => {
      const letter: DeadLetter = {
        stage: 'SINK', reason, message, sourceTopic: m.topic, sourcePartition: m.partition, sourceOffset: m.offset,
        sourceFile: null, sourceLine: null, originalText: null, originalBytes: m.value ?? null, failedAt: Date.now(),
      };
      const q = producer.produce(cfg.dlqTopic, `${m.topic}/${m.partition}/${m.offset}`, deadLetters.serializer.encode(letter));
      if (q) await q;
      await producer.flush();
    };

    logger.info({ bucket: cfg.s3Bucket, prefix: cfg.s3Prefix, format: cfg.format, rotation: rotation.config }, 'sinking');
    await runSink(
      {
        consumer, storage, writer, rotation, metrics, health, logger, deadLetter, batchMax: BATCH_MAX,
        deserializer: new AvroDeserializer<EnrichedTick>(schemaRegistry, enrichedReader),
        partitioner: new HivePartitioner(), prefix: cfg.s3Prefix,
      },
      signal,
    );
  });
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`s3-sink: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
