// The upload worker's thread: encodes a file's columns and puts the object.
// Imports neither the common package index (it loads the Kafka client's
// native module, which must stay on the main thread) nor DuckDB.
import { parentPort, workerData } from 'node:worker_threads';
import { ColumnBatch } from '../format/column-batch.js';
import { JsonLinesRecordWriter } from '../format/json-lines-record-writer.js';
import { ParquetRecordWriter } from '../format/parquet-record-writer.js';
import type { RecordWriter } from '../format/record-writer.js';
import { S3Storage } from '../storage/s3-storage.js';
import { S3StorageError } from '../storage/s3-storage-error.js';
import type { UploadReply, UploadRequest, UploadWorkerOptions } from './upload-worker.js';

const opts = workerData as UploadWorkerOptions;
const writer: RecordWriter = opts.format === 'jsonl' ? new JsonLinesRecordWriter() : new ParquetRecordWriter(opts.compression);
const storage = new S3Storage(opts.storage);
const port = parentPort!;

port.on('message', (req: UploadRequest | 'close') => {
  if (req === 'close') {
    storage.close();
    port.close();
    return;
  }
  void (async () => {
    let reply: UploadReply;
    try {
      const body = await writer.write(ColumnBatch.fromData(req.batch));
      await storage.put(req.key, body, writer.contentType);
      reply = { id: req.id, bytes: body.length };
    } catch (err) {
      const e = err as Error;
      reply = {
        id: req.id,
        error: {
          message: e.message, name: e.name,
          ...(err instanceof S3StorageError ? { s3: { operation: err.operation, bucket: err.bucket, key: err.key, endpoint: err.endpoint, code: err.code, httpStatus: err.httpStatus, attempts: err.attempts, transient: err.transient, cause: err.cause instanceof Error ? err.cause.message : '' } } : {}),
        },
      };
    }
    port.postMessage(reply);
  })();
});
