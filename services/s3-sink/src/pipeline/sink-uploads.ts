// The sink's upload runs: every closed file of every Kafka partition, encoded
// and put by upload-pending.ts (in offset order within a lake partition), one
// run at a time in the background while consuming goes on. What lands is
// marked uploaded in its PartitionFiles (so it no longer holds the commit
// back) and counted in the metrics; a failed run leaves the rest pending, to
// be retried in order by the next run. Before a run puts anything, each Kafka
// partition's checkpoint names the files about to land (checkpoint.ts), so
// recovery never has to list the lake.
import type { Health, Logger } from '@stockstream/common';
import { LAKE_COLUMNS } from '../format/lake-columns.js';
import type { RecordWriter } from '../format/record-writer.js';
import type { SinkMetrics } from '../metrics.js';
import { checkpointKey, objectKey, type LakeTable } from '../storage/object-key.js';
import type { Storage } from '../storage/storage.js';
import { checkpointFor, encodeCheckpoint } from './checkpoint.js';
import { landingStats } from './landing-stats.js';
import type { OpenFile, PartitionFiles } from './partition-files.js';
import { CHECKPOINT_CONTENT_TYPE } from './recovery.js';
import { uploadPending, type UploadItem } from './upload-pending.js';
import type { UploadWorker } from './upload-worker.js';

export interface SinkUploadDeps {
  writer: RecordWriter;
  storage: Storage;
  /** When set, files are encoded and put on the upload worker's thread (writer and storage are then not used for them). */
  uploader?: Pick<UploadWorker, 'upload'>;
  prefix: string;
  table: LakeTable;
  metrics: SinkMetrics;
  health: Health;
  logger: Logger;
}

type Pending = { pf: PartitionFiles; f: OpenFile };

const INGESTED_AT = LAKE_COLUMNS.findIndex((c) => c.name === 'ingested_at');

export class SinkUploads {
  private running: Promise<void> | null = null;
  /** ingestedAt (Unix seconds) of the newest record landed, for the lake-freshness gauge. */
  private newestLanded = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: SinkUploadDeps) {}

  get inFlight(): boolean {
    return this.running !== null;
  }

  /** Starts a run in the background unless one is running or nothing is pending; `ended` hears whether it stored everything. */
  start(files: ReadonlyMap<number, PartitionFiles>, ended: (ok: boolean) => void): void {
    if (this.running !== null || !hasPending(files)) return;
    // settled() awaits this chain, so whoever waits for a run sees its outcome already applied.
    this.running = this.runNow(files).then((ok) => {
      this.running = null;
      ended(ok);
    });
  }

  /** Resolves once no run is in flight (immediately when none is). */
  async settled(): Promise<void> {
    if (this.running) await this.running;
  }

  /**
   * Uploads every pending file now and resolves with whether all landed
   * (never rejects). On a failure what is not uploaded stays pending, holds
   * back the commit, and /readyz turns false until a run succeeds.
   */
  async runNow(files: ReadonlyMap<number, PartitionFiles>): Promise<boolean> {
    const { metrics, logger, health, writer } = this.deps;
    const todo: UploadItem<Pending>[] = [];
    for (const pf of files.values()) for (const f of pf.pendingUploads) todo.push({ chain: `${pf.partition}/${f.lakePath}`, file: { pf, f } });
    try {
      await this.writeCheckpoints(files);
    } catch (err) {
      // Nothing may land that the checkpoint does not name: the run fails like a failed upload (S3 down).
      metrics.uploadFailures.inc();
      logger.warn({ err: (err as Error).message }, 'checkpoint write failed: pausing consumption, committing nothing');
      health.set('s3', false, (err as Error).message);
      return false;
    }
    const failure = this.deps.uploader
      ? await uploadPending<Pending, null>(todo, { encode: async (batch) => batch.map(() => null), put: ({ pf, f }) => this.put(pf, f, null) })
      : await uploadPending(todo, {
          encode: (batch) => (writer.writeMany ? writer.writeMany(batch.map((b) => b.f.batch)) : Promise.all(batch.map((b) => writer.write(b.f.batch)))),
          put: ({ pf, f }, body) => this.put(pf, f, body),
        });
    if (failure) {
      metrics.uploadFailures.inc();
      logger.warn({ err: failure.err.message, partition: failure.file.pf.partition, lakePath: failure.file.f.lakePath }, 'upload failed: pausing consumption, committing nothing');
      health.set('s3', false, failure.err.message);
      return false;
    }
    health.set('s3', true);
    return true;
  }

  /** One PUT per Kafka partition with pending files: what is in storage, and every file this run may put. */
  private async writeCheckpoints(files: ReadonlyMap<number, PartitionFiles>): Promise<void> {
    const { deps } = this;
    await Promise.all([...files.values()].filter((pf) => pf.pendingUploads.length > 0).map((pf) => {
      const intents = pf.pendingUploads.map((f) => ({ key: this.keyOf(pf, f), lakePath: f.lakePath, firstOffset: f.firstOffset, lastOffset: f.lastOffset }));
      const body = encodeCheckpoint(checkpointFor(pf.topic, pf.partition, pf.uploadedHighWater, intents));
      return deps.storage.put(checkpointKey(deps.prefix, deps.table, pf.topic, pf.partition), body, CHECKPOINT_CONTENT_TYPE);
    }));
  }

  private keyOf(pf: PartitionFiles, f: OpenFile): string {
    const { deps } = this;
    return objectKey({
      prefix: deps.prefix, table: deps.table, partitionPath: f.lakePath, topic: pf.topic, kafkaPartition: pf.partition,
      firstOffset: f.firstOffset, lastOffset: f.lastOffset, extension: deps.writer.extension,
    });
  }

  /** Stores a file: `body` encoded here, or (null) encoded and put by the upload worker. */
  private async put(pf: PartitionFiles, f: OpenFile, body: Buffer | null): Promise<void> {
    const { deps } = this;
    const { metrics } = deps;
    const key = this.keyOf(pf, f);
    const t0 = performance.now();
    let bytes: number;
    if (body === null) bytes = await deps.uploader!.upload(key, f.batch);
    else {
      await deps.storage.put(key, body, deps.writer.contentType);
      bytes = body.length;
    }
    metrics.uploadSeconds.observe((performance.now() - t0) / 1000);
    metrics.objectsWritten.inc();
    metrics.recordsWritten.inc(f.records);
    metrics.bytesWritten.inc(bytes);
    metrics.objectRecords.observe(f.records);
    metrics.objectBytes.observe(bytes);
    const landedAt = Date.now();
    // One line per object at debug: make bench (tools/bench) times each record's arrival in the lake from it.
    deps.logger.debug({ key, records: f.records, bytes, landedAt }, 'object landed');
    const landed = landingStats(f.batch.values(INGESTED_AT), landedAt);
    for (const s of landed.latencySeconds) metrics.endToEndLatency.observe(s);
    if (landed.newestMs / 1000 > this.newestLanded) {
      this.newestLanded = landed.newestMs / 1000;
      metrics.lakeNewestRecord.set({ table: deps.table }, this.newestLanded);
    }
    pf.markUploaded(f);
  }
}

function hasPending(files: ReadonlyMap<number, PartitionFiles>): boolean {
  for (const pf of files.values()) if (pf.pendingUploads.length > 0) return true;
  return false;
}
