import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULT_CONSUMER_PREFETCH, consumerPrefetchConfig, consumerPrefetchSettings, loadConfig } from '@stockstream/common';

describe('consumer prefetch', () => {
  it('gives librdkafka the queue limits of KAFKA_CONSUMER_*', () => {
    const conf = consumerPrefetchConfig(loadConfig(consumerPrefetchSettings, {
      KAFKA_CONSUMER_QUEUE_MESSAGES: '20000', KAFKA_CONSUMER_QUEUE_KBYTES: '8192', KAFKA_CONSUMER_PARTITION_FETCH_BYTES: '524288',
    }));
    assert.equal(conf['queued.min.messages'], 20_000);
    assert.equal(conf['queued.max.messages.kbytes'], 8192);
    assert.equal(conf['max.partition.fetch.bytes'], 524_288);
    // One fetch response holds at most the queue's bytes, and never less than one partition's fetch.
    assert.equal(conf['fetch.max.bytes'], 8192 * 1024);
    assert.equal(consumerPrefetchConfig({ ...DEFAULT_CONSUMER_PREFETCH, consumerQueueKbytes: 1, consumerPartitionFetchBytes: 1 << 20 })['fetch.max.bytes'], 1 << 20);
  });

  it('fetches a full partition again after 10 ms, not librdkafka\'s 1 s (a small queue would leave the service idle)', () => {
    assert.equal(consumerPrefetchConfig(DEFAULT_CONSUMER_PREFETCH)['fetch.queue.backoff.ms'], 10);
  });

  it('defaults to 10,000 records / 4 MiB / 1 MiB per partition, the figures docs/performance.md gives', () => {
    assert.deepEqual(DEFAULT_CONSUMER_PREFETCH, { consumerQueueMessages: 10_000, consumerQueueKbytes: 4096, consumerPartitionFetchBytes: 1_048_576 });
  });

  it('refuses a queue of no records', () => {
    assert.throws(() => loadConfig(consumerPrefetchSettings, { KAFKA_CONSUMER_QUEUE_MESSAGES: '0' }), (e: unknown) => e instanceof ConfigError && /KAFKA_CONSUMER_QUEUE_MESSAGES/.test(e.message));
  });
});
