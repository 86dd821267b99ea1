// Uploading the closed files of every Kafka partition: encoded in batches
// (one writer call for many files), put several at a time, but the files of
// one (Kafka partition, lake partition) strictly one after the other in
// offset order — recovery (recovery.ts) takes the highest uploaded offset of
// a lake partition as "everything up to here is in storage", which holds only
// if a file never lands before its predecessor in that lake partition.

/** Puts in flight at once (a lake partition's files still go one at a time). */
export const UPLOAD_CONCURRENCY = 8;
/** Files encoded per writer call when many close together. */
export const ENCODE_BATCH_FILES = 256;
/** Batches handed to the writer at once (the Parquet writer encodes that many in parallel). */
export const ENCODE_CONCURRENCY = 2;

/** At most `max` tasks at once, started in call order. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private idle: (() => void)[] = [];
  constructor(private readonly max: number) {}

  get queued(): number {
    return this.waiting.length;
  }

  get running(): number {
    return this.active;
  }

  /** Resolves when a task finishes. */
  settled(): Promise<void> {
    return new Promise((r) => this.idle.push(r));
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so `active` never exceeds max.
    if (this.active >= this.max) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
      const idle = this.idle;
      this.idle = [];
      for (const r of idle) r();
    }
  }
}

export interface UploadItem<F> {
  /** Files with the same chain key are put one after the other, in the order given. */
  chain: string;
  file: F;
}

export interface UploadOptions<F, B = Buffer> {
  /** Encodes a batch of files, one body per file, in order. */
  encode: (files: F[]) => Promise<B[]>;
  /** Stores one file's body; resolves once it is durable. */
  put: (file: F, body: B) => Promise<void>;
  concurrency?: number;
  batchFiles?: number;
  /** Batches encoding at once (default ENCODE_CONCURRENCY). */
  encodeConcurrency?: number;
}

export interface UploadFailure<F> {
  err: Error;
  /** The file whose encoding or upload failed first. */
  file: F;
}

/**
 * Encodes and uploads `items`; resolves (never rejects) once nothing is in
 * flight, with the first failure or null. After a failure nothing new starts,
 * and in particular no later file of the failed file's chain: every file not
 * put stays the caller's to retry, in order.
 */
export async function uploadPending<F, B = Buffer>(items: readonly UploadItem<F>[], opts: UploadOptions<F, B>): Promise<UploadFailure<F> | null> {
  const batchFiles = opts.batchFiles ?? ENCODE_BATCH_FILES;
  const limit = new Limiter(opts.concurrency ?? UPLOAD_CONCURRENCY);
  let failure: UploadFailure<F> | null = null;
  const skipped = new Error('an earlier upload failed');
  const chains = new Map<string, Promise<void>>();
  const all: Promise<void>[] = [];
  const encoders = new Limiter(opts.encodeConcurrency ?? ENCODE_CONCURRENCY);
  for (let start = 0; start < items.length && !failure; start += batchFiles) {
    const batch = items.slice(start, start + batchFiles);
    // Several batches may be encoding at once (a writer with several lanes runs them in parallel);
    // a file's place in its chain is fixed here, in item order, whenever its bytes arrive.
    const bodies = encoders.run(async () => {
      if (failure) throw skipped;
      const out = await opts.encode(batch.map((b) => b.file));
      if (out.length !== batch.length) throw new Error(`encoder returned ${out.length} bodies for ${batch.length} files`);
      return out;
    });
    all.push(bodies.then(() => undefined, (err: Error) => {
      if (err !== skipped) failure ??= { err, file: batch[0]!.file };
    }));
    batch.forEach(({ chain, file }, i) => {
      const prev = chains.get(chain) ?? Promise.resolve();
      // A link that fails (or is skipped) rejects every later link of its chain.
      const link = prev.then(async () => {
        if (failure) throw skipped;
        const body = (await bodies.catch(() => Promise.reject(skipped)))[i]!;
        return limit.run(async () => {
          if (failure) throw skipped;
          await opts.put(file, body);
        });
      });
      chains.set(chain, link);
      all.push(link.catch((err: Error) => {
        if (err !== skipped) failure ??= { err, file };
      }));
    });
    // Encode ahead of the uploads, but not unboundedly.
    while (!failure && (encoders.queued > 0 || limit.queued > batchFiles)) await Promise.race([encoders.settled(), limit.settled()]);
  }
  await Promise.all(all);
  return failure;
}
