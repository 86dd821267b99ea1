// The messages the Kafka client hands over, field by field, from one consumer
// reading two topics: they must be exactly what was produced. The native client
// built here carries a speed patch to how it makes these objects
// (scripts/patch-kafka-binding.mjs: property names and the last topic's name
// are made once), so this also checks that the patch changed nothing visible.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { GroupConsumer, KafkaAdmin, KafkaProducer, createLogger, type Message } from '@stockstream/common';
import { testKafkaConfig, uniqueTopics } from '@stockstream/common/testing';

const PER_TOPIC = 300;
const bindingDir = dirname(createRequire(import.meta.url).resolve('@confluentinc/kafka-javascript/package.json'));

describe('consumed messages', () => {
  it('carry the produced value, key, topic, partition, offset, size and timestamp, across alternating topics', { timeout: 120_000 }, async () => {
    const logger = createLogger('t', 'warn');
    const t = uniqueTopics('messages');
    const topics = [t.raw, t.enriched];
    const admin = await KafkaAdmin.connect(testKafkaConfig(), 'messages-test');
    await admin.ensureTopics(topics.map((name) => ({ name, partitions: 1, replicationFactor: 1, config: {} })), logger);
    admin.disconnect();

    const producedAt = Date.now();
    const producer = await KafkaProducer.connect(testKafkaConfig(), logger, { clientId: 'messages-test' });
    for (let i = 0; i < PER_TOPIC; i++) {
      await producer.produce(topics[0]!, 'key-a', Buffer.from(`a${i}`));
      await producer.produce(topics[1]!, null, Buffer.from(`b-value-${i}`));
    }
    await producer.flush();
    await producer.disconnect();

    const consumer = await GroupConsumer.connect(testKafkaConfig(), logger, { groupId: `g-${t.raw}`, clientId: 'messages-test', topics, isolation: 'read_committed' });
    const seen: Message[] = [];
    let topicChanges = 0;
    try {
      const deadline = Date.now() + 60_000;
      while (seen.length < 2 * PER_TOPIC && Date.now() < deadline) {
        for (const m of await consumer.consume(50, 500)) {
          if (seen.length > 0 && seen[seen.length - 1]!.topic !== m.topic) topicChanges++;
          seen.push(m);
        }
      }
    } finally {
      await consumer.disconnect();
    }
    assert.equal(seen.length, 2 * PER_TOPIC);
    assert.ok(topicChanges >= 1, 'messages of both topics came through one consumer');
    for (const [n, topic] of topics.entries()) {
      const mine = seen.filter((m) => m.topic === topic);
      assert.equal(mine.length, PER_TOPIC, `messages of ${topic}`);
      mine.forEach((m, i) => {
        const value = n === 0 ? `a${i}` : `b-value-${i}`;
        assert.deepEqual(
          { value: m.value?.toString(), key: m.key === null || m.key === undefined ? m.key : m.key.toString(), partition: m.partition, offset: m.offset, size: m.size },
          { value, key: n === 0 ? 'key-a' : null, partition: 0, offset: i, size: value.length },
        );
        assert.ok(Buffer.isBuffer(m.value) && (n === 1 || Buffer.isBuffer(m.key)), 'value and key are Buffers');
        assert.ok(m.timestamp! >= producedAt - 1000 && m.timestamp! <= Date.now(), `timestamp ${m.timestamp}`);
      });
    }
  });

  it('the native client, when built here from source, carries the patch', (t) => {
    if (!existsSync(join(bindingDir, 'build', 'Release', 'obj.target'))) {
      t.skip('the native client is a prebuilt binary: nothing was compiled or patched here');
      return;
    }
    assert.ok(readFileSync(join(bindingDir, 'src', 'common.cc'), 'utf8').includes('// stockstream-patch: message keys v2'), 'scripts/setup.sh applies scripts/patch-kafka-binding.mjs');
  });
});
