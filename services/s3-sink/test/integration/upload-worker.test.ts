// The upload worker against the real S3 server of the local stack: what it
// stores is exactly what the writer gives, its S3 failures read like the main
// thread's, and a crashed worker fails only its own uploads.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '@stockstream/common';
import { s3StorageConfig, sinkSettings } from '../../src/config.js';
import { ColumnBatch } from '../../src/format/column-batch.js';
import { JsonLinesRecordWriter } from '../../src/format/json-lines-record-writer.js';
import { ParquetRecordWriter } from '../../src/format/parquet-record-writer.js';
import { UploadWorker } from '../../src/pipeline/upload-worker.js';
import { S3StorageError } from '../../src/storage/s3-storage-error.js';
import { S3Storage } from '../../src/storage/s3-storage.js';
import { edgeRows, manyRows } from '../unit/support/ticks.js';

const cfg = loadConfig(sinkSettings);
const skip = cfg.s3Endpoint ? false : 'S3_ENDPOINT is not set (run: eval "$(deploy/local/stack.sh env)")';

describe('UploadWorker on a real S3 server', { skip }, () => {
  const storageConfig = { ...s3StorageConfig(cfg), bucket: `it-uw-${randomUUID().slice(0, 8)}` };
  const storage = new S3Storage(storageConfig);
  const workers: UploadWorker[] = [];
  const worker = (over: Partial<ConstructorParameters<typeof UploadWorker>[0]> = {}) => {
    const w = new UploadWorker({ storage: storageConfig, format: 'parquet', compression: 'snappy', ...over });
    workers.push(w);
    return w;
  };
  before(() => storage.ensureBucket());
  after(async () => {
    await Promise.all(workers.map((w) => w.close()));
    storage.close();
  });

  it('stores exactly the bytes the writer gives for the batch, and returns their size', async () => {
    const w = worker();
    for (const [i, rows] of [edgeRows(), manyRows(3_000), []].entries()) {
      const batch = ColumnBatch.of(rows);
      const bytes = await w.upload(`p/${i}.parquet`, batch);
      const expected = await new ParquetRecordWriter('snappy').write(batch);
      assert.equal(bytes, expected.length);
      assert.deepEqual(await storage.get(`p/${i}.parquet`), expected);
    }
  });

  it('runs many uploads at once, each landing under its own key', async () => {
    const w = worker({ format: 'jsonl' });
    const batches = Array.from({ length: 40 }, (_, i) => ColumnBatch.of(manyRows(10 + i)));
    await Promise.all(batches.map((b, i) => w.upload(`j/${i}.jsonl`, b)));
    for (const i of [0, 17, 39]) assert.deepEqual(await storage.get(`j/${i}.jsonl`), await new JsonLinesRecordWriter().write(batches[i]!));
  });

  it('fails an upload to a missing bucket with the S3StorageError the main thread would give', async () => {
    const w = new UploadWorker({ storage: { ...storageConfig, bucket: `it-missing-${randomUUID().slice(0, 8)}` }, format: 'parquet', compression: 'snappy' });
    workers.push(w);
    await assert.rejects(w.upload('k.parquet', ColumnBatch.of(edgeRows())), (err: unknown) => {
      assert.ok(err instanceof S3StorageError);
      assert.equal(err.code, 'NoSuchBucket');
      assert.equal(err.transient, false);
      assert.match(err.message, /^S3 PutObject s3:\/\/it-missing-\w+\/k\.parquet at .* failed after 1 attempt\(s\): NoSuchBucket \(HTTP 404\)/);
      assert.equal(err.message.match(/S3 PutObject/g)!.length, 1, err.message);
      return true;
    });
  });

  it('after its thread dies, fails the uploads in flight and starts a new thread for the next one', async () => {
    const w = worker();
    await w.upload('c/warm.parquet', ColumnBatch.of(edgeRows()));
    const inFlight = w.upload('c/lost.parquet', ColumnBatch.of(manyRows(50_000)));
    await (w as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await assert.rejects(inFlight, /upload worker exited/);
    assert.ok((await w.upload('c/after.parquet', ColumnBatch.of(edgeRows()))) > 0);
    assert.ok((await storage.get('c/after.parquet')).length > 0);
  });
});
