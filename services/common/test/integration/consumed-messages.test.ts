// The messages the Kafka client hands over, field by field, from one consumer
// reading two topics: they must be exactly what was produced, as message
// objects (consume) and as columns (consumeBatch). The native client built
// here carries speed patches (scripts/kafka-binding/patches: property names
// made once in the objects, and consumeColumns, which fills the columns on the
// client's worker thread), so this also checks that they changed nothing
// visible. A prebuilt client (or one whose patched build failed) makes the
// columns from message objects: that path is checked too. Some values are produced as subarray views, not
// Buffers (KafkaProducer.produce takes any byte view).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { GroupConsumer, KafkaAdmin, KafkaProducer, MessageBatch, createLogger } from '@stockstream/common';
import { bindingBuildState, installedBindingDir, testKafkaConfig, uniqueTopics } from '@stockstream/common/testing';

const PER_TOPIC = 300;
const bindingDir = installedBindingDir;
const builtHere = existsSync(join(bindingDir, 'build', 'Release', 'obj.target'));
/** scripts/kafka-binding/build.mjs's record: a client built here is patched unless it says it built the client's own sources. */
const buildState = bindingBuildState();
const patched = builtHere && (buildState?.built ?? 'patched') === 'patched';
const logger = createLogger('t', 'warn');

/** A consumed message as the test compares it. */
interface Seen {
  topic: string;
  partition: number;
  offset: number;
  value: string | null;
  key: string | null;
  timestamp: number;
}

/**
 * What is produced to topic n at offset i: topic 0 keyed, with an empty value
 * every 50th; topic 1 unkeyed, with a null value (a tombstone) every 40th.
 */
function produced(n: number, i: number): { value: string | null; key: string | null } {
  if (n === 0) return { value: i % 50 === 7 ? '' : `a${i}`, key: 'key-a' };
  return { value: i % 40 === 3 ? null : `b-value-${'x'.repeat(i % 17)}${i}`, key: null };
}

/** What is consumed: the same, except that the client (librdkafka) hands an empty value over as null. */
function expected(n: number, i: number): { value: string | null; key: string | null } {
  const p = produced(n, i);
  return { ...p, value: p.value === '' ? null : p.value };
}

describe('consumed messages', () => {
  const t = uniqueTopics('messages');
  const topics = [t.raw, t.enriched];
  let producedAt = 0;

  before(async () => {
    const admin = await KafkaAdmin.connect(testKafkaConfig(), 'messages-test');
    await admin.ensureTopics(topics.map((name) => ({ name, partitions: 1, replicationFactor: 1, config: {} })), logger);
    admin.disconnect();
    producedAt = Date.now();
    const producer = await KafkaProducer.connect(testKafkaConfig(), logger, { clientId: 'messages-test' });
    for (let i = 0; i < PER_TOPIC; i++) {
      for (const n of [0, 1]) {
        const { value, key } = produced(n, i);
        const bytes = value === null ? null : Buffer.from(value);
        // Every third value goes as a plain Uint8Array view into a larger array, as the ingest publisher hands values
        // over (never empty there: an empty view would point into memory, and arrive as empty, not as null).
        const view = bytes !== null && bytes.length > 0 && i % 3 === 1 ? new Uint8Array([9, 9, ...bytes, 9]).subarray(2, 2 + bytes.length) : bytes;
        await producer.produce(topics[n]!, key, view as Uint8Array);
      }
    }
    await producer.flush();
    await producer.disconnect();
  });

  /** Reads both topics with a new group through `read` until every message came or a minute passed. */
  async function readAll(group: string, read: (c: GroupConsumer) => Promise<Seen[]>): Promise<Seen[]> {
    const consumer = await GroupConsumer.connect(testKafkaConfig(), logger, { groupId: `g-${t.raw}-${group}`, clientId: 'messages-test', topics, isolation: 'read_committed' });
    const seen: Seen[] = [];
    try {
      const deadline = Date.now() + 60_000;
      while (seen.length < 2 * PER_TOPIC && Date.now() < deadline) seen.push(...(await read(consumer)));
    } finally {
      await consumer.disconnect();
    }
    return seen;
  }

  function check(seen: Seen[]): void {
    assert.equal(seen.length, 2 * PER_TOPIC);
    assert.ok(seen.some((m, i) => i > 0 && m.topic !== seen[i - 1]!.topic), 'messages of both topics came through one consumer');
    for (const [n, topic] of topics.entries()) {
      const mine = seen.filter((m) => m.topic === topic);
      assert.equal(mine.length, PER_TOPIC, `messages of ${topic}`);
      mine.forEach((m, i) => {
        assert.deepEqual({ value: m.value, key: m.key, partition: m.partition, offset: m.offset }, { ...expected(n, i), partition: 0, offset: i });
        assert.ok(m.timestamp >= producedAt - 1000 && m.timestamp <= Date.now(), `timestamp ${m.timestamp}`);
      });
    }
  }

  const fromBatch = (b: MessageBatch): Seen[] =>
    Array.from({ length: b.length }, (_, i) => {
      const start = b.valueStart(i);
      // The value where it lies in the batch's buffer is the value.
      assert.deepEqual(start < 0 ? null : b.data.subarray(start, b.valueEnd(i)), b.value(i));
      // A message of its own: the same fields, in buffers of its own.
      const m = b.message(i);
      assert.deepEqual({ topic: m.topic, partition: m.partition, offset: m.offset, size: m.size }, { topic: b.topic(i), partition: b.partition(i), offset: b.offset(i), size: b.value(i)?.length ?? 0 });
      if (m.value !== null && m.value.length > 0) {
        m.value[0]! ^= 0xff;
        assert.notEqual(m.value[0], b.value(i)![0], 'message(i) has a copy of the value, not a view');
      }
      return { topic: b.topic(i), partition: b.partition(i), offset: b.offset(i), value: b.value(i)?.toString() ?? null, key: b.key(i)?.toString() ?? null, timestamp: b.timestamp(i) };
    });

  it('as message objects (consume): value, key, topic, partition, offset, size and timestamp, across alternating topics', { timeout: 120_000 }, async () => {
    const seen = await readAll('objects', async (c) =>
      (await c.consume(50, 500)).map((m) => {
        assert.ok(m.value === null || Buffer.isBuffer(m.value), 'value is a Buffer or null');
        assert.ok(m.key === null || Buffer.isBuffer(m.key), 'key is a Buffer or null');
        assert.equal(m.size, m.value?.length ?? 0);
        return { topic: m.topic, partition: m.partition, offset: m.offset, value: m.value?.toString() ?? null, key: m.key?.toString() ?? null, timestamp: m.timestamp! };
      }),
    );
    check(seen);
  });

  it('as columns (consumeBatch), filled by the client when it has consumeColumns', { timeout: 120_000 }, async () => {
    let batches = 0;
    const seen = await readAll('columns', async (c) => {
      assert.equal(c.readsColumns, patched, 'a client compiled and patched here has consumeColumns, a prebuilt or unpatched one does not');
      const b = await c.consumeBatch(50, 500);
      assert.ok(b.length <= 50);
      if (b.length > 0) batches++;
      return fromBatch(b);
    });
    check(seen);
    assert.ok(batches >= (2 * PER_TOPIC) / 50, `batches of at most 50 (${batches})`);
  });

  it('as columns made from message objects (the path of a prebuilt client)', { timeout: 120_000 }, async () => {
    check(await readAll('fallback', async (c) => fromBatch(MessageBatch.fromMessages(await c.consume(50, 500)))));
  });

  it('the native client, when built here from source, carries the patches, or build.mjs recorded why it does not', (t) => {
    if (!builtHere) {
      t.skip('the native client is a prebuilt binary: nothing was compiled or patched here');
      return;
    }
    const src = (file: string) => readFileSync(join(bindingDir, 'src', file), 'utf8');
    const markers = [src('common.cc').includes('// stockstream-patch: message keys v2'), src('kafka-consumer.cc').includes('// stockstream-patch: consume columns v3')];
    if (patched) assert.deepEqual(markers, [true, true], 'scripts/setup.sh applies scripts/kafka-binding/patches');
    else {
      assert.match(buildState!.built, /^unpatched: /);
      assert.deepEqual(markers, [false, false], `${buildState!.built}: the client's own sources`);
    }
  });
});
