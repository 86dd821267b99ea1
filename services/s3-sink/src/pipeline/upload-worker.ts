// Encoding and uploading on a worker thread, next to the main thread that
// consumes and files records. The sink's main thread is its bottleneck (the
// Kafka client's per-message work, decoding, filing); a file's encoding and
// PUT move to the other core. Order and commit rules stay in the main thread
// (upload-pending.ts, sink-loop.ts): this only runs one upload per call.
import { Worker } from 'node:worker_threads';
import { expectArrayBufferTransfers } from '@stockstream/common';
import { ColumnBatch, type ColumnBatchData } from '../format/column-batch.js';
import type { ParquetCompression } from '../format/parquet-record-writer.js';
import { S3StorageError } from '../storage/s3-storage-error.js';
import type { S3StorageConfig } from '../storage/s3-storage.js';

export interface UploadWorkerOptions {
  storage: S3StorageConfig;
  format: 'parquet' | 'jsonl';
  /** Parquet codecs of our own encoder only (zstd is DuckDB's, which stays on the main thread). */
  compression: Exclude<ParquetCompression, 'zstd'>;
}

export interface UploadRequest {
  id: number;
  key: string;
  batch: ColumnBatchData;
}

export type UploadReply =
  | { id: number; bytes: number }
  | {
      id: number;
      error: {
        message: string;
        name: string;
        s3?: { operation: string; bucket: string; key: string | undefined; endpoint: string; code: string; httpStatus: number | undefined; attempts: number; transient: boolean; cause: string };
      };
    };

const THREAD = new URL('./upload-worker-thread.js', import.meta.url);

export class UploadWorker {
  private worker: Worker | null = null;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (bytes: number) => void; reject: (err: Error) => void }>();

  constructor(private readonly opts: UploadWorkerOptions) {
    expectArrayBufferTransfers(); // upload() transfers every batch's columns
  }

  /** Encodes `batch` and puts it at `key`; resolves with the object's size once it is stored. */
  upload(key: string, batch: ColumnBatch): Promise<number> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      const data = batch.toData();
      worker.postMessage({ id, key, batch: data } satisfies UploadRequest, ColumnBatch.transferables(data));
    });
  }

  /** Started on first use, and again after a crash (whose uploads failed and are retried by the caller). */
  private start(): Worker {
    const worker = new Worker(THREAD, { workerData: this.opts });
    worker.on('message', (reply: UploadReply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if ('bytes' in reply) return w.resolve(reply.bytes);
      const { s3, message, name } = reply.error;
      if (s3) {
        w.reject(new S3StorageError(s3.operation, s3.bucket, s3.key, s3.endpoint, s3.code, s3.httpStatus, s3.attempts, s3.transient, { cause: new Error(s3.cause) }));
      } else {
        w.reject(Object.assign(new Error(message), { name }));
      }
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', (err) => fail(new Error(`upload worker failed: ${err.message}`)));
    worker.on('exit', (code) => fail(new Error(`upload worker exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    const exited = new Promise<void>((r) => worker.once('exit', () => r()));
    worker.postMessage('close');
    await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 5000).unref())]);
    await worker.terminate();
  }
}
