import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, kafkaSettings, loadConfig, logSettings, registrySettings, topicSettings } from '@stockstream/common';
import { rotationConfig, s3StorageConfig, sinkSettings } from '../../src/config.js';

const LOCAL_STACK = {
  S3_ENDPOINT: 'http://127.0.0.1:9000', S3_ACCESS_KEY_ID: 'stockstream', S3_SECRET_ACCESS_KEY: 'stockstream-secret',
  S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: 'true',
};

describe('sink settings', () => {
  it('has defaults for everything but the optional S3 endpoint and credentials', () => {
    const cfg = loadConfig(sinkSettings, {});
    assert.equal(cfg.s3Bucket, 'stockstream-lake');
    assert.equal(cfg.s3Prefix, 'lake');
    assert.equal(cfg.s3Endpoint, undefined);
    assert.equal(cfg.s3AccessKeyId, undefined);
    assert.equal(cfg.s3Region, 'us-east-1');
    assert.equal(cfg.s3ForcePathStyle, false);
    assert.equal(cfg.format, 'parquet');
    assert.equal(cfg.parquetCompression, 'snappy');
    assert.deepEqual(rotationConfig(cfg), { maxRecords: 100_000, maxBytes: 64 * 1024 * 1024, maxOpenMs: 60_000, maxIdleMs: 10_000 });
    assert.equal(cfg.groupId, 'stockstream-s3-sink');
    assert.equal(cfg.httpPort, 9103);
  });

  it('keeps every shared setting: no sink key shadows one of the spread specs', () => {
    const shared = [logSettings, kafkaSettings, registrySettings, topicSettings].flatMap((s) => Object.values(s).map((x) => x.env));
    const envs = Object.values(sinkSettings).map((s) => s.env);
    for (const env of shared) assert.ok(envs.includes(env), `${env} lost`);
    assert.equal(new Set(envs).size, envs.length, 'an environment variable is declared twice');
    assert.equal(sinkSettings.compression.env, 'KAFKA_COMPRESSION');
  });

  it('reads the local stack\'s variables into an S3Storage config', () => {
    const s3 = s3StorageConfig(loadConfig(sinkSettings, { ...LOCAL_STACK, S3_PREFIX: '/data/lake/' }));
    assert.equal(s3.endpoint, 'http://127.0.0.1:9000');
    assert.equal(s3.forcePathStyle, true);
    assert.equal(s3.accessKeyId, 'stockstream');
    assert.equal(s3.secretAccessKey, 'stockstream-secret');
    assert.equal(loadConfig(sinkSettings, { S3_PREFIX: '/data/lake/' }).s3Prefix, 'data/lake');
  });

  it('rejects bad values all at once, never printing the secret', () => {
    const env = {
      S3_BUCKET: 'Bad_Bucket', S3_ENDPOINT: 'localhost:9000', SINK_FORMAT: 'csv', SINK_COMPRESSION: 'gzip',
      SINK_MULTIPART_PART_BYTES: '1000', S3_SECRET_ACCESS_KEY: '   ',
    };
    assert.throws(() => loadConfig(sinkSettings, env), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      for (const v of ['S3_BUCKET', 'S3_ENDPOINT', 'SINK_FORMAT', 'SINK_COMPRESSION', 'SINK_MULTIPART_PART_BYTES', 'S3_SECRET_ACCESS_KEY']) {
        assert.ok(err.problems.some((p) => p.startsWith(v)), v);
      }
      assert.ok(err.message.includes('<redacted>'));
      return true;
    });
  });
});
