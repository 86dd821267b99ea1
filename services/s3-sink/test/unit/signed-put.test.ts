// The retry and timeout rules of SignedPut, against a local HTTP server that
// answers what each case needs (S3 itself is exercised in
// test/integration/s3-storage.test.ts).
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { encodeKeyPath, SignedPut } from '../../src/storage/signed-put.js';

const servers: { close: () => void }[] = [];
after(() => servers.forEach((s) => s.close()));

/** A server answering request n (from 0) with `answer(n)`; returns its endpoint and the requests it saw. */
async function server(answer: (n: number, req: IncomingMessage, res: ServerResponse) => void) {
  const seen: { url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString() });
      answer(seen.length - 1, req, res);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  servers.push({ close: () => s.close() });
  return { endpoint: `http://127.0.0.1:${(s.address() as { port: number }).port}`, seen };
}

const xmlError = (res: ServerResponse, status: number, code: string) => {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>said ${code}</Message></Error>`);
};

function client(endpoint: string, over: Partial<ConstructorParameters<typeof SignedPut>[0]> = {}) {
  return new SignedPut({
    endpoint, bucket: 'b', region: 'us-east-1', forcePathStyle: true, credentials: async () => ({ accessKeyId: 'AK', secretAccessKey: 'SK' }),
    maxAttempts: 3, connectTimeoutMs: 1000, requestTimeoutMs: 1000, ...over,
  });
}

describe('SignedPut', () => {
  it('sends one signed PUT with the body, its MD5 and SHA-256, path-style', async () => {
    const { endpoint, seen } = await server((_, __, res) => res.end());
    const put = client(endpoint);
    await put.put('lake/ticks/index=%5EGSPC/f+1.parquet', Buffer.from('hello'), 'application/vnd.apache.parquet');
    put.close();
    assert.equal(seen.length, 1);
    const r = seen[0]!;
    assert.equal(r.url, '/b/lake/ticks/index%3D%255EGSPC/f%2B1.parquet');
    assert.equal(r.body, 'hello');
    assert.equal(r.headers['content-md5'], 'XUFAKrxLKna5cZ2REBfFkg==');
    assert.equal(r.headers['x-amz-content-sha256'], '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    assert.match(String(r.headers.authorization), /^AWS4-HMAC-SHA256 Credential=AK\/\d{8}\/us-east-1\/s3\/aws4_request, SignedHeaders=content-length;content-md5;content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
  });

  it('retries throttling and 5xx with backoff, then succeeds', async () => {
    const { endpoint, seen } = await server((n, _, res) => (n === 0 ? xmlError(res, 503, 'SlowDown') : n === 1 ? xmlError(res, 500, 'InternalError') : res.end()));
    const put = client(endpoint);
    await put.put('k', Buffer.from('x'), 'text/plain');
    put.close();
    assert.equal(seen.length, 3);
  });

  it('does not retry a client error, and reports its S3 code, status and attempts', async () => {
    const { endpoint, seen } = await server((_, __, res) => xmlError(res, 404, 'NoSuchBucket'));
    const put = client(endpoint);
    await assert.rejects(put.put('k', Buffer.from('x'), 'text/plain'), (e: { code: string; message: string; $metadata: { httpStatusCode: number; attempts: number } }) => {
      assert.deepEqual([e.code, e.message, e.$metadata.httpStatusCode, e.$metadata.attempts], ['NoSuchBucket', 'said NoSuchBucket', 404, 1]);
      return true;
    });
    put.close();
    assert.equal(seen.length, 1);
  });

  it('gives up on a server that never answers after its attempts, each bounded by the request timeout', async () => {
    const { endpoint, seen } = await server(() => undefined);
    const put = client(endpoint, { maxAttempts: 2, requestTimeoutMs: 300 });
    const t0 = Date.now();
    await assert.rejects(put.put('k', Buffer.from('x'), 'text/plain'), (e: { code: string; $metadata: { attempts: number } }) => e.code === 'TimeoutError' && e.$metadata.attempts === 2);
    put.close();
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    assert.equal(seen.length, 2);
  });

  it('encodes keys the way S3 signs them: each segment percent-encoded, slashes kept', () => {
    assert.equal(encodeKeyPath("a b/c+d/e=f/%5E/!'()*/é"), 'a%20b/c%2Bd/e%3Df/%255E/%21%27%28%29%2A/%C3%A9');
  });
});
