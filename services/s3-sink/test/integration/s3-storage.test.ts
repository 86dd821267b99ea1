// S3Storage against the real S3-compatible server of the local stack
// (S3Proxy; eval "$(deploy/local/stack.sh env)"), never a mock. Each suite
// uses its own bucket and removes it at the end.
//
// Small PUTs have two paths (smallPutPath() in s3-storage.ts): SignedPut,
// which an S3-compatible endpoint gets, and the SDK's PutObjectCommand, which
// AWS gets. The same checks run through each, the SDK path forced with the
// local endpoint; a middleware on the client counts the PutObjects the SDK
// sends, so each suite also sees that its path is the one taken.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { DeleteBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '@stockstream/common';
import { s3StorageConfig, sinkSettings } from '../../src/config.js';
import { S3Storage, type S3StorageConfig, type SmallPutPath } from '../../src/storage/s3-storage.js';
import { S3StorageError } from '../../src/storage/s3-storage-error.js';

const MiB = 1024 * 1024;
const cfg = loadConfig(sinkSettings);
const skip = cfg.s3Endpoint ? false : 'S3_ENDPOINT is not set (run: eval "$(deploy/local/stack.sh env)")';

function storageConfig(overrides: Partial<S3StorageConfig> = {}): S3StorageConfig {
  return {
    ...s3StorageConfig(cfg),
    bucket: `it-s3-${randomUUID().slice(0, 8)}`,
    multipartThresholdBytes: 5 * MiB,
    partSizeBytes: 5 * MiB,
    ...overrides,
  };
}

async function collect(storage: S3Storage, prefix: string) {
  const out: { key: string; size: number }[] = [];
  for await (const o of storage.list(prefix)) out.push(o);
  return out;
}

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Counts the PutObject commands `storage`'s SDK client sends (none on the signed path). */
function countSdkPutObjects(storage: S3Storage): { n: number } {
  const counter = { n: 0 };
  storage.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutObjectCommand') counter.n++;
      return next(args);
    },
    { step: 'initialize', name: 'countSdkPutObjects' },
  );
  return counter;
}

async function removeBucket(storage: S3Storage): Promise<void> {
  for await (const o of storage.list('')) await storage.delete(o.key);
  await storage.client.send(new DeleteBucketCommand({ Bucket: storage.bucket }));
  storage.close();
}

const PATHS: [SmallPutPath, string][] = [['signed', 'SignedPut'], ['sdk', 'the AWS SDK']];

for (const [putPath, label] of PATHS) {
  describe(`S3Storage on a real S3 server, small PUTs through ${label}`, { skip }, () => {
    let storage: S3Storage;
    let sdkPuts: { n: number };
    const config = (overrides: Partial<S3StorageConfig> = {}) => storageConfig({ smallPutPath: putPath, ...overrides });

    before(async () => {
      storage = new S3Storage(config({ listPageSize: 2 }));
      sdkPuts = countSdkPutObjects(storage);
      await storage.ensureBucket();
    });

    after(async () => {
      if (storage) await removeBucket(storage);
    });

    it(`puts a small object through ${label} and gets the same bytes back, with its content type`, async () => {
      assert.equal(storage.smallPutPath, putPath);
      const before = sdkPuts.n;
      const body = randomBytes(1234);
      await storage.put('small/a.bin', body, 'application/vnd.apache.parquet');
      assert.equal(sdkPuts.n - before, putPath === 'sdk' ? 1 : 0, 'PutObjects sent by the SDK');
      assert.deepEqual(await storage.get('small/a.bin'), body);
      const head = await storage.client.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: 'small/a.bin' }));
      assert.equal(head.ContentType, 'application/vnd.apache.parquet');
      assert.equal(head.ContentLength, 1234);
    });

    it('puts keys with every character class S3 encodes (Hive escapes, +, spaces, unicode, !\'()*) under exactly that key', async () => {
      const keys = ['lake/ticks/index=%5EGSPC/year=1965/t+0+00000000000000000001+00000000000000000002.parquet', "odd/a b!'()*~é中.bin", 'odd/a&b=c?d#e.bin'];
      for (const [i, key] of keys.entries()) await storage.put(key, Buffer.from(`body ${i}`), 'text/plain');
      const listed = [...(await collect(storage, 'lake/')), ...(await collect(storage, 'odd/'))].map((o) => o.key);
      assert.deepEqual(listed.sort(), [...keys].sort());
      for (const [i, key] of keys.entries()) assert.equal((await storage.get(key)).toString(), `body ${i}`);
    });

    it('puts an empty body', async () => {
      await storage.put('empty/e', Buffer.alloc(0), 'application/octet-stream');
      assert.deepEqual(await collect(storage, 'empty/'), [{ key: 'empty/e', size: 0 }]);
      assert.equal((await storage.get('empty/e')).length, 0);
    });

    it('overwrites an object put again under the same key (what makes redone uploads idempotent)', async () => {
      await storage.put('same/key.jsonl', Buffer.from('first\n'), 'application/x-ndjson');
      await storage.put('same/key.jsonl', Buffer.from('second\n'), 'application/x-ndjson');
      assert.equal((await storage.get('same/key.jsonl')).toString(), 'second\n');
      assert.deepEqual(await collect(storage, 'same/'), [{ key: 'same/key.jsonl', size: 7 }]);
    });

    it('lists only the prefix, in key order, across pages', async () => {
      const keys = ['list/p=1/b', 'list/p=1/a', 'list/p=10/c', 'list/p=2/d', 'list/p=1/e'];
      for (const [i, k] of keys.entries()) await storage.put(k, Buffer.alloc(i + 1, 1), 'application/octet-stream');
      await storage.put('listing-not-this', Buffer.from('x'), 'text/plain');
      assert.deepEqual(await collect(storage, 'list/p=1/'), [
        { key: 'list/p=1/a', size: 2 }, { key: 'list/p=1/b', size: 1 }, { key: 'list/p=1/e', size: 5 },
      ]);
      // 5 keys with 2 per page: pagination must not lose or repeat any.
      assert.deepEqual((await collect(storage, 'list/')).map((o) => o.key), [...keys].sort());
      assert.deepEqual(await collect(storage, 'nothing-here/'), []);
    });

    it('getIfExists and exists: the bytes and true for an object, null and false (not an error) for a missing key', async () => {
      await storage.put('maybe/x', Buffer.from('checkpoint'), 'application/json');
      assert.deepEqual(await storage.getIfExists('maybe/x'), Buffer.from('checkpoint'));
      assert.equal(await storage.exists('maybe/x'), true);
      assert.equal(await storage.getIfExists('maybe/y'), null);
      assert.equal(await storage.exists('maybe/y'), false);
    });

    it('deletes objects, and deleting a missing one is no error', async () => {
      await storage.put('del/x', Buffer.from('x'), 'text/plain');
      await storage.delete('del/x');
      await storage.delete('del/x');
      assert.deepEqual(await collect(storage, 'del/'), []);
      await assert.rejects(storage.get('del/x'), (err: unknown) => {
        assert.ok(err instanceof S3StorageError);
        assert.equal(err.code, 'NoSuchKey');
        assert.equal(err.httpStatus, 404);
        assert.equal(err.transient, false);
        assert.match(err.message, new RegExp(`GetObject s3://${storage.bucket}/del/x at ${cfg.s3Endpoint}`));
        return true;
      });
    });

    it('says so clearly when the bucket does not exist', async () => {
      const missing = new S3Storage(config());
      try {
        await assert.rejects(missing.put('k', Buffer.from('x'), 'text/plain'), (err: unknown) => {
          assert.ok(err instanceof S3StorageError);
          assert.equal(err.code, 'NoSuchBucket');
          assert.equal(err.httpStatus, 404);
          assert.equal(err.transient, false);
          assert.ok(err.message.includes(`PutObject s3://${missing.bucket}/k`), err.message);
          return true;
        });
      } finally {
        missing.close();
      }
    });

    it('fails a PUT fast and permanently on wrong credentials', async () => {
      const wrong = new S3Storage({ ...config(), bucket: storage.bucket, secretAccessKey: 'not-the-secret', maxAttempts: 3 });
      try {
        const t0 = Date.now();
        await assert.rejects(wrong.put('small/never.bin', Buffer.from('x'), 'text/plain'), (err: unknown) => {
          assert.ok(err instanceof S3StorageError);
          assert.equal(err.httpStatus, 403);
          assert.equal(err.transient, false);
          assert.equal(err.attempts, 1);
          return true;
        });
        assert.ok(Date.now() - t0 < 5_000);
        assert.deepEqual(await collect(storage, 'small/never'), []);
      } finally {
        wrong.close();
      }
    });

    it('gives up a PUT to an endpoint where nothing listens after its attempts, naming endpoint and bucket', async () => {
      const endpoint = `http://127.0.0.1:${await closedPort()}`;
      const dead = new S3Storage(config({ endpoint, maxAttempts: 3, connectTimeoutMs: 1_000, requestTimeoutMs: 2_000 }));
      try {
        const t0 = Date.now();
        await assert.rejects(dead.put('k', Buffer.from('x'), 'text/plain'), (err: unknown) => {
          assert.ok(err instanceof S3StorageError);
          assert.ok(err.message.includes(endpoint), err.message);
          assert.ok(err.message.includes(`s3://${dead.bucket}/k`), err.message);
          assert.equal(err.code, 'ECONNREFUSED');
          assert.equal(err.attempts, 3);
          assert.equal(err.transient, true);
          return true;
        });
        assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
      } finally {
        dead.close();
      }
    });

    it('gives up a PUT to an endpoint that accepts connections but never answers, within the request timeout', async () => {
      await withSilentServer(async (endpoint) => {
        const hung = new S3Storage(config({ endpoint, maxAttempts: 2, connectTimeoutMs: 1_000, requestTimeoutMs: 1_000 }));
        try {
          const t0 = Date.now();
          await assert.rejects(hung.put('k', Buffer.from('x'), 'text/plain'), (err: unknown) => {
            assert.ok(err instanceof S3StorageError);
            assert.ok(err.message.includes(endpoint), err.message);
            assert.equal(err.transient, true);
            assert.equal(err.attempts, 2);
            return true;
          });
          assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
        } finally {
          hung.close();
        }
      });
    });
  });
}

/** Runs `fn` with the endpoint of a local server that accepts connections and never answers. */
async function withSilentServer(fn: (endpoint: string) => Promise<void>): Promise<void> {
  const sockets = new Set<import('node:net').Socket>();
  const silent = createServer((s) => sockets.add(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(silent.address() as { port: number }).port}`);
  } finally {
    for (const s of sockets) s.destroy();
    silent.close();
  }
}

// What goes through the SDK whichever path small PUTs take: buckets, multipart uploads, gets.
describe('S3Storage on a real S3 server, beside small PUTs', { skip }, () => {
  let storage: S3Storage;

  before(async () => {
    storage = new S3Storage(storageConfig());
    await storage.ensureBucket();
  });

  after(async () => {
    if (storage) await removeBucket(storage);
  });

  it('ensureBucket is idempotent', async () => {
    await storage.ensureBucket();
    await storage.ensureBucket();
  });

  it('uploads a body above the threshold in parts, and gets the same bytes back', async () => {
    const body = randomBytes(6 * MiB);
    await storage.put('big/b.bin', body, 'application/octet-stream');
    assert.deepEqual(await storage.get('big/b.bin'), body);
    const head = await storage.client.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: 'big/b.bin' }));
    assert.equal(head.ContentLength, 6 * MiB);
    // A multipart ETag is "<md5 of part md5s>-<parts>": 6 MiB in 5 MiB parts = 2 parts.
    assert.match(head.ETag ?? '', /-2"?$/);
  });

  it('fails a GET (and a HEAD, and getIfExists) fast and permanently on wrong credentials', async () => {
    await storage.put('small/a.bin', Buffer.from('a'), 'text/plain');
    const wrong = new S3Storage({ ...storageConfig(), bucket: storage.bucket, secretAccessKey: 'not-the-secret', maxAttempts: 3 });
    try {
      const t0 = Date.now();
      await assert.rejects(wrong.get('small/a.bin'), (err: unknown) => {
        assert.ok(err instanceof S3StorageError);
        assert.equal(err.httpStatus, 403);
        assert.equal(err.transient, false);
        assert.equal(err.attempts, 1);
        return true;
      });
      assert.ok(Date.now() - t0 < 5_000);
      // A HEAD or GET that cannot tell must fail, never read as "not there": recovery would redo landed files.
      await assert.rejects(wrong.exists('small/a.bin'), (err: unknown) => err instanceof S3StorageError && err.httpStatus === 403);
      await assert.rejects(wrong.getIfExists('small/a.bin'), (err: unknown) => err instanceof S3StorageError && err.httpStatus === 403);
    } finally {
      wrong.close();
    }
  });

  it('gives up on an endpoint where nothing listens, naming it', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const dead = new S3Storage(storageConfig({ endpoint, maxAttempts: 3, connectTimeoutMs: 1_000, requestTimeoutMs: 2_000 }));
    try {
      await assert.rejects(dead.ensureBucket(), /HeadBucket s3:\/\/it-s3-.* at http:\/\/127\.0\.0\.1:\d+ failed after 3 attempt\(s\): ECONNREFUSED/);
    } finally {
      dead.close();
    }
  });

  it('gives up a GET on an endpoint that accepts connections but never answers, within the request timeout', async () => {
    await withSilentServer(async (endpoint) => {
      const hung = new S3Storage(storageConfig({ endpoint, maxAttempts: 2, connectTimeoutMs: 1_000, requestTimeoutMs: 1_000 }));
      try {
        const t0 = Date.now();
        await assert.rejects(hung.get('k'), (err: unknown) => {
          assert.ok(err instanceof S3StorageError);
          assert.ok(err.message.includes(endpoint), err.message);
          assert.equal(err.transient, true);
          return true;
        });
        assert.ok(Date.now() - t0 < 15_000, `took ${Date.now() - t0} ms`);
      } finally {
        hung.close();
      }
    });
  });
});
