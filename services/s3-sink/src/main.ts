#!/usr/bin/env node
import avsc from 'avsc';
import {
  AvroDeserializer, GroupConsumer, KafkaProducer, SchemaRegistryClient, TransactionalSession, bootstrapPipeline, loadSchema, registerTopicSchema, serviceMain,
  startBrokerProbe, type DeadLetter, type EnrichedTick,
} from '@stockstream/common';
import { SINK_BATCH_MAX, rotationConfig, s3StorageConfig, sinkSettings } from './config.js';
import { EnrichedTickReader } from './decode/enriched-tick-reader.js';
import { createRecordWriter } from './format/create-record-writer.js';
import { createSinkMetrics } from './metrics.js';
import { HivePartitioner } from './partitioner/hive-partitioner.js';
import { DeadLetterTransactions } from './pipeline/dead-letter-transactions.js';
import { runSink } from './pipeline/sink-loop.js';
import { UploadWorker } from './pipeline/upload-worker.js';
import { RotationPolicy } from './rotation/rotation-policy.js';
import { S3Storage } from './storage/s3-storage.js';

serviceMain(
  's3-sink',
  sinkSettings,
  (cfg) => new RotationPolicy(rotationConfig(cfg)),
  async ({ cfg, logger, lifecycle, registry, health, signal }, rotation) => {
    const metrics = createSinkMetrics(registry);
    const storage = new S3Storage(s3StorageConfig(cfg));
    await storage.ensureBucket();
    health.set('s3', true);

    const schemaRegistry = new SchemaRegistryClient(cfg);
    await bootstrapPipeline({ kafka: cfg, topics: cfg, registry: schemaRegistry, schemasDir: cfg.schemasDir, logger, clientId: 'stockstream-s3-sink' });
    const deadLetters = await registerTopicSchema<DeadLetter>(schemaRegistry, cfg.dlqTopic, 'deadLetter', cfg.schemasDir);
    const enrichedReader = avsc.Type.forSchema(loadSchema('enrichedTick', cfg.schemasDir) as avsc.Schema);
    health.set('registry', true);

    const writer = await createRecordWriter(cfg.format, cfg.parquetCompression);
    lifecycle.defer('record writer', () => writer.close?.());
    // Our own encoders run on a worker thread with their uploads; DuckDB (zstd) stays here.
    const compression = cfg.parquetCompression;
    const uploader = cfg.format === 'jsonl' || compression !== 'zstd'
      ? new UploadWorker({ storage: s3StorageConfig(cfg), format: cfg.format, compression: compression === 'zstd' ? 'snappy' : compression })
      : undefined;
    if (uploader) lifecycle.defer('upload worker', () => uploader.close());
    // Dead letters go out in transactions with their offset commits. Starting the session fences the previous
    // run of this instance and aborts its open transaction, before anything is read.
    const session = await TransactionalSession.start(() =>
      KafkaProducer.connect(cfg, logger, {
        clientId: 'stockstream-s3-sink', transactionalId: `stockstream-s3-sink-${cfg.groupId}-${cfg.instanceId}`, deliveryReports: 'failures',
      }),
    );
    lifecycle.defer('producer', () => session.producer.disconnect());
    const consumer = await GroupConsumer.connect(cfg, logger, {
      groupId: cfg.groupId, clientId: 'stockstream-s3-sink', topics: [cfg.enrichedTopic], isolation: 'read_committed', prefetch: cfg,
      // Assignment changes wait until the uploads in flight are done (see pipeline/sink-loop.ts).
      rebalance: 'deferred',
      // Uploads can be slow and S3 outages long: do not get evicted from the group while paused.
      overrides: { 'max.poll.interval.ms': 600_000 },
    });
    lifecycle.defer('consumer', () => consumer.disconnect());
    health.set('kafka', true);
    consumer.instrument(metrics.consumer);
    startBrokerProbe({ consumer, health, lag: metrics.consumer.lag, lifecycle });

    const deadLetterTransactions = new DeadLetterTransactions({
      session, consumer, topic: cfg.dlqTopic, logger,
      encode: ({ message: m, reason, text, failedAt }) => {
        const letter: DeadLetter = {
          stage: 'SINK', reason, message: text, sourceTopic: m.topic, sourcePartition: m.partition, sourceOffset: m.offset,
          sourceFile: null, sourceLine: null, originalText: null, originalBytes: m.value ?? null, failedAt,
        };
        return { key: `${m.topic}/${m.partition}/${m.offset}`, value: deadLetters.serializer.encode(letter) };
      },
    });

    logger.info({ bucket: cfg.s3Bucket, prefix: cfg.s3Prefix, format: cfg.format, rotation: rotation.config }, 'sinking');
    await runSink(
      {
        consumer, storage, writer, uploader, rotation, metrics, health, logger, batchMax: SINK_BATCH_MAX, maxBufferedRecords: cfg.maxBufferedRecords,
        reader: new EnrichedTickReader(new AvroDeserializer<EnrichedTick>(schemaRegistry, enrichedReader)),
        partitioner: new HivePartitioner(), prefix: cfg.s3Prefix,
        commitWithDeadLetters: (offsets, letters) => deadLetterTransactions.commit(offsets, letters),
      },
      signal,
    );
  },
);
