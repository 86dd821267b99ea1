import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, kafkaSettings, loadConfig, registrySettings, topicSettings } from '@stockstream/common';

describe('loadConfig', () => {
  it('applies defaults and parses values', () => {
    const cfg = loadConfig({ ...kafkaSettings, ...topicSettings }, { KAFKA_BROKERS: 'a:9092, b:9093', TOPIC_PARTITIONS: '12', CREATE_TOPICS: 'false' });
    assert.deepEqual(cfg.brokers, ['a:9092', 'b:9093']);
    assert.equal(cfg.topicPartitions, 12);
    assert.equal(cfg.createTopics, false);
    assert.equal(cfg.rawTopic, 'ticks.raw');
    assert.equal(cfg.compression, 'lz4');
    assert.equal(cfg.saslPassword, undefined);
  });

  it('reports every bad variable at once, naming it and the expected form', () => {
    assert.throws(
      () => loadConfig({ ...kafkaSettings, ...topicSettings }, { KAFKA_BROKERS: 'nohost', TOPIC_PARTITIONS: '0', KAFKA_COMPRESSION: 'brotli' }),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 3);
        assert.match(err.message, /KAFKA_BROKERS must be a comma-separated list of host:port; got "nohost"/);
        assert.match(err.message, /TOPIC_PARTITIONS must be a positive integer; got "0"/);
        assert.match(err.message, /KAFKA_COMPRESSION must be one of none, gzip, snappy, lz4, zstd; got "brotli"/);
        return true;
      },
    );
  });

  it('never shows the value of a secret setting in its error', () => {
    const spec = { p: { ...registrySettings.registryPassword, schema: registrySettings.registryTimeoutMs.schema } };
    assert.throws(() => loadConfig(spec, { SCHEMA_REGISTRY_PASSWORD: 'hunter2' }), (err: Error) => {
      assert.doesNotMatch(err.message, /hunter2/);
      assert.match(err.message, /SCHEMA_REGISTRY_PASSWORD must be .*<redacted>/);
      return true;
    });
  });

  it('rejects a URL that is not http(s)', () => {
    assert.throws(() => loadConfig(registrySettings, { SCHEMA_REGISTRY_URL: 'ftp://x' }), /SCHEMA_REGISTRY_URL must be an http\(s\) URL/);
  });
});
