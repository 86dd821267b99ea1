// GroupConsumer's commits on the real broker: an asynchronous commit lands
// (read back from the group), and one the broker refuses reaches the
// onCommitFailure listeners instead of vanishing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupConsumer, KafkaAdmin, KafkaProducer, createLogger, type LibrdKafkaError } from '@stockstream/common';
import { testKafkaConfig, uniqueTopics } from '@stockstream/common/testing';

const logger = createLogger('t', 'warn');

describe('GroupConsumer commits', () => {
  it('commitAsync lands without holding the thread, and a refused commit reaches onCommitFailure', { timeout: 120_000 }, async () => {
    const topic = uniqueTopics('commits').raw;
    const admin = await KafkaAdmin.connect(testKafkaConfig(), 'commits-test');
    await admin.ensureTopics([{ name: topic, partitions: 1, replicationFactor: 1, config: {} }], logger);
    admin.disconnect();
    const producer = await KafkaProducer.connect(testKafkaConfig(), logger, { clientId: 'commits-test' });
    for (let i = 0; i < 10; i++) await producer.produce(topic, 'k', Buffer.from(`v${i}`));
    await producer.flush();
    await producer.disconnect();

    const consumer = await GroupConsumer.connect(testKafkaConfig(), logger, { groupId: `g-${topic}`, clientId: 'commits-test', topics: [topic], isolation: 'read_committed' });
    const failures: { err: LibrdKafkaError; offsets: { topic: string; partition: number }[] }[] = [];
    consumer.onCommitFailure((err, offsets) => failures.push({ err, offsets }));
    const committed = () =>
      new Promise<number | undefined>((resolve, reject) =>
        consumer.native.committed([{ topic, partition: 0 }], 5000, (err, tps) => (err ? reject(err) : resolve(tps[0]?.offset))),
      );
    try {
      let read = 0;
      const deadline = Date.now() + 60_000;
      while (read < 10 && Date.now() < deadline) read += (await consumer.consumeBatch(100, 500)).length;
      assert.equal(read, 10);

      consumer.commitAsync([{ topic, partition: 0, offset: 7 }]);
      let landed: number | undefined;
      while (Date.now() < deadline && (landed = await committed()) !== 7) await consumer.consumeBatch(100, 100); // answers are served while consuming
      assert.equal(landed, 7, 'the asynchronous commit landed');

      // A partition the topic does not have: the broker refuses the commit.
      consumer.commitAsync([{ topic, partition: 99, offset: 3 }]);
      while (failures.length === 0 && Date.now() < deadline) await consumer.consumeBatch(100, 100);
      assert.equal(failures.length, 1, 'the refusal was reported');
      assert.deepEqual(failures[0]!.offsets.map((o) => [o.topic, o.partition]), [[topic, 99]]);
      assert.equal(await committed(), 7, 'what landed before stays');
      assert.equal(failures.length, 1, 'and no other commit was refused meanwhile');
    } finally {
      await consumer.disconnect();
    }
  });
});
