// The sink's dead letters on the real stack: exactly once across a SIGKILL
// that falls between reading an unreadable record and committing past it
// (found by make chaos-short SEED=1: the same dead letter three times).
// Counted as a user would: the dead-letter topic read with read_committed,
// the lake with SQL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KafkaProducer, SchemaRegistryClient, createLogger, registerTopicSchema, type DeadLetter, type EnrichedTick } from '@stockstream/common';
import {
  killService, metricValue, readDecoded, runService, stopService, testKafkaConfig, testRegistryConfig, uniqueTopics, waitForMetric, type ServiceRun,
} from '@stockstream/common/testing';
import { lakeCounts } from '../support/lake-counts.js';
import { tick } from '../unit/support/ticks.js';

const SINK = fileURLToPath(new URL('../../src/main.js', import.meta.url));
const GOOD = 200;
const POISON_AT = 120; // its offset: one key, one partition, produced in order


describe('s3-sink dead letters on the real stack', () => {
  it('SIGKILL after the poison record was read, before any commit passed it; restart: exactly one dead letter (read_committed), lake exact', async () => {
    const topics = uniqueTopics('sdl');
    const bucket = `it-sdl-${Date.now()}`;
    const env = { ...topics.env, S3_BUCKET: bucket, SINK_GROUP_ID: `g-${bucket}` };
    // No rule closes a file in this run: nothing is uploaded, nothing committed, the dead letter is only held.
    const first = runService(SINK, [], { ...env, HTTP_PORT: '19156', SINK_ROTATE_MS: '600000', SINK_ROTATE_IDLE_MS: '600000' });
    let second: ServiceRun | undefined;
    try {
      await waitForMetric(19_156, 'stockstream_sink_assigned_partitions', 1, 60_000, 100); // topics made, group joined
      const registry = new SchemaRegistryClient(testRegistryConfig());
      const enriched = await registerTopicSchema<EnrichedTick>(registry, topics.enriched, 'enrichedTick');
      const producer = await KafkaProducer.connect(testKafkaConfig(), createLogger('t', 'warn'), { clientId: 'sdl-test' });
      for (let i = 0; i <= GOOD; i++) {
        const value = i === POISON_AT ? Buffer.from('not a framed Avro value') : enriched.serializer.encode(tick({ rawOffset: i }));
        producer.produce(topics.enriched, 'HSI', value);
      }
      await producer.flush();
      await producer.disconnect();
      assert.equal(await waitForMetric(19_156, 'stockstream_sink_records_consumed_total', GOOD + 1, 60_000, 100), GOOD + 1, 'the poison record was read');
      assert.equal(await metricValue(19_156, 'stockstream_sink_objects_written_total'), 0, 'nothing uploaded, so nothing committed past it');
      assert.deepEqual(await readDecoded<DeadLetter>(topics.dlq, 'deadLetter', { isolation: 'read_committed' }), [], 'the dead letter waits for its commit');
      await killService(first);

      // The next run of the same instance (same transactional.id) reads it again and commits it with its offset.
      second = runService(SINK, [], { ...env, HTTP_PORT: '19157', SINK_ROTATE_IDLE_MS: '500' });
      await waitForMetric(19_157, 'stockstream_sink_records_written_total', GOOD, 90_000, 200);
      assert.equal((await stopService(second)).code, 0, second.stderr());
    } finally {
      for (const run of [first, second]) if (run && run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
    }
    const letters = await readDecoded<DeadLetter>(topics.dlq, 'deadLetter', { isolation: 'read_committed' });
    assert.deepEqual(
      letters.map((l) => [l.value.stage, l.value.reason, l.value.sourceTopic, l.value.sourceOffset]),
      [['SINK', 'not_framed', topics.enriched, POISON_AT]],
      'exactly one dead letter',
    );
    const { count, distinct } = await lakeCounts(bucket);
    assert.deepEqual({ count, distinct }, { count: GOOD, distinct: GOOD });
  });
});
