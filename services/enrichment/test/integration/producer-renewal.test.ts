// The recovery from a transactional call that never returns (librdkafka
// #5456/#5511, see TransactionalCallStuckError), run end to end on the real
// stack in this process: the enrichment loop with a real consumer and real
// transactional producers, where the first producer's client never answers one
// send-offsets call. The call's bound passes, the producer is wedged, a new one
// with the same transactional.id fences it (aborting its open transaction),
// the loop resumes from the committed offsets, and every raw record still ends
// up exactly once downstream.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import avsc from 'avsc';
import {
  AvroDeserializer, GroupConsumer, KafkaProducer, SchemaRegistryClient, TransactionalSession, createLogger, createMetricsRegistry, Health,
  loadSchema, registerTopicSchema, stuckNativeCalls, type DeadLetter, type EnrichedTick, type RawTick,
} from '@stockstream/common';
import { runService, testKafkaConfig, testRegistryConfig, uniqueTopics, withCleanup } from '@stockstream/common/testing';
import { RawTickReader } from '../../src/decode/raw-tick-reader.js';
import { loadFallbackRates } from '../../src/fx/fallback-rates.js';
import { RateResolver } from '../../src/fx/rate-resolver.js';
import { FxTable } from '../../src/fx/fx-table.js';
import { createEnrichmentMetrics } from '../../src/metrics.js';
import { runProcessor } from '../../src/pipeline/batch-processor.js';
import { loadIndexReference } from '../../src/reference/index-reference.js';
import { waitForOutputs } from './support/outputs.js';

const INGEST = fileURLToPath(new URL('../../../../ingest/dist/src/main.js', import.meta.url));
const RECORDS = 3_000;

describe('enrichment: a transactional call that never returns', () => {
  it('wedges the producer after its bound; a new producer takes over and every record is still exactly once', { timeout: 180_000 }, async () => {
    const topics = uniqueTopics('enr-renewal');
    const ing = runService(INGEST, ['simulate', '--count', String(RECORDS)], topics.env);
    assert.equal((await ing.exited).code, 0, ing.stderr());

    const logger = createLogger('t', 'warn');
    const kafka = testKafkaConfig();
    const schemaRegistry = new SchemaRegistryClient(testRegistryConfig());
    const enriched = await registerTopicSchema<EnrichedTick>(schemaRegistry, topics.enriched, 'enrichedTick');
    const deadLetter = await registerTopicSchema<DeadLetter>(schemaRegistry, topics.dlq, 'deadLetter');
    const rawReader = avsc.Type.forSchema(loadSchema('rawTick') as avsc.Schema);

    // The first producer's client answers two send-offsets calls and never the third (no call reaches it).
    const producers: KafkaProducer[] = [];
    let sendOffsetsCalls = 0;
    const open = async () => {
      const p = await KafkaProducer.connect(kafka, logger, { clientId: 'renewal-test', transactionalId: `renewal-${topics.raw}`, deliveryReports: 'failures' });
      if (producers.length === 0) {
        const native = p.native as unknown as { sendOffsetsToTransaction: (...args: unknown[]) => void };
        const real = native.sendOffsetsToTransaction.bind(native);
        native.sendOffsetsToTransaction = (...args: unknown[]) => {
          if (++sendOffsetsCalls !== 3) real(...args);
        };
      }
      producers.push(p);
      return p;
    };
    const session = await TransactionalSession.start(open, { stuckAfterMs: 3_000 });
    const consumer = await GroupConsumer.connect(kafka, logger, { groupId: `g-${topics.raw}`, clientId: 'renewal-test', topics: [topics.raw], isolation: 'read_committed' });
    const registry = createMetricsRegistry('t');
    const metrics = createEnrichmentMetrics(registry);
    const fx = new RateResolver(new FxTable(), loadFallbackRates());
    const reference = loadIndexReference();
    const stop = new AbortController();
    const loop = runProcessor(
      {
        consumer, output: { session }, metrics, health: new Health(), logger, batchMax: 300,
        rawReader: new RawTickReader(new AvroDeserializer<RawTick>(schemaRegistry, rawReader)),
        enriched: { topic: topics.enriched, serializer: enriched.serializer },
        deadLetters: { topic: topics.dlq, serializer: deadLetter.serializer },
        context: () => ({ reference, fx }),
      },
      stop.signal,
    );

    await withCleanup(
      async () => {
        const o = await waitForOutputs(topics, RECORDS, 120_000);
        assert.deepEqual({ total: o.enriched + o.dead, distinct: o.distinct, duplicates: o.duplicates }, { total: RECORDS, distinct: RECORDS, duplicates: 0 });
        assert.ok(sendOffsetsCalls >= 3, 'the third send-offsets call was swallowed');
        assert.equal(producers.length, 2, 'one new producer replaced the wedged one');
        assert.equal(producers[0]!.wedged, true);
        assert.deepEqual(stuckNativeCalls(), ['producer send offsets to transaction']);
        assert.equal((await registry.getSingleMetric('stockstream_enrichment_producer_renewals_total')!.get()).values[0]!.value, 1);
      },
      async () => {
        stop.abort();
        await loop;
        await consumer.disconnect();
        await session.producer.disconnect();
        // The wedged producer's client never saw the swallowed call, so here it can be closed.
        await new Promise<void>((resolve) => producers[0]!.native.disconnect(5_000, () => resolve()));
      },
    );
  });
});
