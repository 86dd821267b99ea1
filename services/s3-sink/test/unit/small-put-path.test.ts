// Which path small PUTs take (smallPutPath() in s3-storage.ts). Both paths
// run against a real S3 server in test/integration/s3-storage.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '@stockstream/common';
import { s3StorageConfig, sinkSettings } from '../../src/config.js';
import { S3Storage, smallPutPath } from '../../src/storage/s3-storage.js';

const LOCAL_STACK = {
  S3_ENDPOINT: 'http://127.0.0.1:9000', S3_ACCESS_KEY_ID: 'stockstream', S3_SECRET_ACCESS_KEY: 'stockstream-secret', S3_FORCE_PATH_STYLE: 'true',
};

describe('smallPutPath', () => {
  it('signs by hand for an S3-compatible endpoint and leaves AWS (no endpoint) to the SDK', () => {
    assert.equal(smallPutPath({ endpoint: 'http://127.0.0.1:9000' }), 'signed');
    assert.equal(smallPutPath({ endpoint: undefined }), 'sdk');
    assert.equal(smallPutPath({ endpoint: '' }), 'sdk');
  });

  it('takes the SDK when asked, endpoint or not', () => {
    assert.equal(smallPutPath({ endpoint: 'http://127.0.0.1:9000', smallPutPath: 'sdk' }), 'sdk');
    assert.equal(smallPutPath({ endpoint: undefined, smallPutPath: 'sdk' }), 'sdk');
    assert.equal(smallPutPath({ endpoint: 'http://127.0.0.1:9000', smallPutPath: 'signed' }), 'signed');
  });

  it('refuses the signed path without an endpoint: it has no URL to send to, and AWS needs the SDK\'s endpoint rules', () => {
    assert.throws(() => smallPutPath({ endpoint: undefined, smallPutPath: 'signed' }), /'signed' needs an S3-compatible endpoint/);
  });

  it('an S3Storage built from the settings takes the path its endpoint gives (no request is sent)', () => {
    const local = new S3Storage(s3StorageConfig(loadConfig(sinkSettings, LOCAL_STACK)));
    const aws = new S3Storage(s3StorageConfig(loadConfig(sinkSettings, {})));
    const forced = new S3Storage({ ...s3StorageConfig(loadConfig(sinkSettings, LOCAL_STACK)), smallPutPath: 'sdk' });
    try {
      assert.deepEqual([local.smallPutPath, aws.smallPutPath, forced.smallPutPath], ['signed', 'sdk', 'sdk']);
      assert.throws(() => new S3Storage({ ...s3StorageConfig(loadConfig(sinkSettings, {})), smallPutPath: 'signed' }), /needs an S3-compatible endpoint/);
    } finally {
      for (const s of [local, aws, forced]) s.close();
    }
  });
});
