// Source items read and Avro-encoded on a worker thread, delivered in
// batches ready to produce. Producing is what the main thread has to do per
// record (the Kafka client's produce call and delivery report); reading,
// parsing and encoding are moved next to it so the two run in parallel.
//
// A batch is a few typed arrays (transferred, not copied) plus the rare
// rejected rows as plain objects. The worker stays at most WINDOW batches
// ahead of the consumer, so memory is bounded whatever the source.

import { Worker } from 'node:worker_threads';
import type avsc from 'avsc';
import type { RawTick } from '@stockstream/common';
import { HEADER_BYTES, NO_ROOM, rawFramedWriter } from './avro-writer.js';
import { isRawTickType } from './raw-tick-writer.js';
import type { SourceItem } from './csv-file-source.js';

export type RejectedItem = Extract<SourceItem, { kind: 'rejected' }>;

/** Items in a row, as the source gave them: ticks as framed Avro values, rejected rows as they are. */
export interface EncodedBatch {
  readonly count: number;
  /** The ticks' values (Confluent-framed Avro), back to back. */
  readonly bytes: Uint8Array;
  /** Item i's value is bytes [ends[i - 1], ends[i]) (from 0 for i = 0); empty for a rejected row. */
  readonly ends: Uint32Array;
  /** Item i's key: its position in the key table (see newKeys). */
  readonly keys: Uint32Array;
  /** Keys first seen in this batch, in order: the key table is every batch's newKeys so far. */
  readonly newKeys: string[];
  /** The rejected rows, by position (ascending). */
  readonly rejected: { at: number; item: RejectedItem }[];
  /** The ingestedAt all its ticks carry (see ingested-at.ts: restamped when handed over). */
  stampedAt: number;
  /** True when the ticks' type is RawTick's, whose last field is ingestedAt: restamp() can rewrite it. */
  readonly restampable: boolean;
}

/** What encodes the ticks: the registered schema of the raw topic. */
export interface RawEncoding {
  /** The Avro schema, as JSON. */
  schema: unknown;
  schemaId: number;
}

const BATCH_ITEMS = 512;
const BATCH_BYTES = 64 * 1024;

/** A buffer with an ArrayBuffer of its own (it is transferred), not zero-filled: only what is written is sent. */
const unpooled = (size: number): Buffer => Buffer.allocUnsafeSlow(size);

/**
 * Turns items into EncodedBatches. The ticks of a batch share one
 * `ingestedAt`, the time its first tick is encoded (the worker stamps it
 * again when it hands the batch over, see ingested-at.ts). Holds the key table.
 */
export class BatchEncoder {
  private readonly keyIds = new Map<string, number>();
  private view = unpooled(BATCH_BYTES);
  private bytes = new Uint8Array(this.view.buffer, this.view.byteOffset, this.view.byteLength);
  private ends = new Uint32Array(BATCH_ITEMS);
  private keys = new Uint32Array(BATCH_ITEMS);
  private newKeys: string[] = [];
  private rejected: { at: number; item: RejectedItem }[] = [];
  private count = 0;
  private pos = 0;
  /** The current batch's ingestedAt, taken at its first tick. */
  private stampedAt: number | undefined;
  private readonly restampable: boolean;
  private readonly write: (buf: Buffer, pos: number, value: unknown) => number;

  constructor(
    private readonly type: avsc.Type,
    private readonly schemaId: number,
    private readonly now: () => number = Date.now,
  ) {
    this.write = rawFramedWriter(type, schemaId);
    this.restampable = isRawTickType(type);
  }

  /** Adds the items; returns the batches they completed. */
  add(items: readonly SourceItem[]): EncodedBatch[] {
    const done: EncodedBatch[] = [];
    for (const item of items) {
      if (item.kind === 'rejected') {
        this.rejected.push({ at: this.count, item });
        this.ends[this.count] = this.pos;
        this.keys[this.count] = 0;
      } else {
        const tick = item.tick;
        tick.ingestedAt = this.stampedAt ??= this.now();
        let end = this.write(this.view, this.pos, tick);
        if (end === NO_ROOM && this.count > 0) {
          done.push(this.take());
          this.stampedAt = tick.ingestedAt; // it opens the next batch, with the stamp it has
          end = this.write(this.view, 0, tick);
        }
        if (end === NO_ROOM) end = this.encodeLarge(tick);
        this.ends[this.count] = end;
        this.keys[this.count] = this.keyId(tick.index);
        this.pos = end;
      }
      if (++this.count === BATCH_ITEMS) done.push(this.take());
    }
    return done;
  }

  /** The batch begun, if any. */
  finish(): EncodedBatch | undefined {
    return this.count > 0 ? this.take() : undefined;
  }

  /** A value bigger than a batch's buffer: the (empty) batch gets a buffer of its size. */
  private encodeLarge(tick: RawTick): number {
    const body = this.type.toBuffer(tick);
    this.allocate(HEADER_BYTES + body.length);
    this.view[0] = 0; // magic byte
    this.view.writeUInt32BE(this.schemaId, 1);
    body.copy(this.view, HEADER_BYTES);
    return HEADER_BYTES + body.length;
  }

  private keyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.keyIds.size;
      this.keyIds.set(key, id);
      this.newKeys.push(key);
    }
    return id;
  }

  private allocate(size: number): void {
    this.view = unpooled(size);
    this.bytes = new Uint8Array(this.view.buffer, this.view.byteOffset, this.view.byteLength);
  }

  private take(): EncodedBatch {
    const batch: EncodedBatch = {
      count: this.count,
      bytes: this.bytes.subarray(0, this.pos),
      ends: this.ends.subarray(0, this.count),
      keys: this.keys.subarray(0, this.count),
      newKeys: this.newKeys,
      rejected: this.rejected,
      stampedAt: this.stampedAt ?? this.now(),
      restampable: this.restampable,
    };
    this.stampedAt = undefined;
    this.allocate(BATCH_BYTES);
    this.ends = new Uint32Array(BATCH_ITEMS);
    this.keys = new Uint32Array(BATCH_ITEMS);
    this.newKeys = [];
    this.rejected = [];
    this.count = 0;
    this.pos = 0;
    return batch;
  }
}

/**
 * Batches the worker may hold encoded and the consumer not yet taken: enough
 * for the worker to go on through a transaction commit (15-80 ms here, during
 * which the publishing thread only waits; a window of 16 filled in ~40 ms and
 * then the worker waited too), and a bound on memory (64 KiB a batch).
 * Before publishing starts the worker fills it too, while the producer
 * connects and sets up its transactions, and keeps the batches until then;
 * each is stamped with its hand-over time (ingested-at.ts), so a tick's
 * ingestedAt is at most WINDOW batches (~0.1 s at full speed) before its
 * produce, however long the producer took to connect.
 */
export const WINDOW = 64;

/** Messages between the threads. */
export type ToWorker = { start: EncodeWorkerStart } | { publish: true } | { took: 1 } | { stop: true };
export type FromWorker =
  | { kind: 'batch'; batch: EncodedBatch }
  /** Before publishing: how many batches the worker holds ready. */
  | { kind: 'held'; batches: number }
  | { kind: 'done' }
  | { kind: 'error'; name: string; message: string; stack: string | undefined };

/** What the worker sends that batches() reads, in order. */
type Inbound = Exclude<FromWorker, { kind: 'held' }>;

export interface EncodeWorkerInput<C> {
  /** What to read: passed to the item source in the worker. */
  command: C;
}

/** What the worker waits for before it reads anything: known only once the raw topic's schema is registered. */
export interface EncodeWorkerStart {
  raw: RawEncoding;
}

/** An error of the worker as an Error of this thread: same name and message. */
function rebuilt(m: { name: string; message: string; stack: string | undefined }): Error {
  const err = new Error(m.message);
  err.name = m.name;
  if (m.stack !== undefined) err.stack = m.stack;
  return err;
}

/**
 * The worker of encode-worker.ts (at `workerUrl`) for `command`, started
 * ahead of its use: starting a thread and loading its modules takes as long
 * as reading a small file, and can overlap what the caller does before
 * (connecting to Kafka, registering schemas). Until batches() it waits and
 * keeps the process alive no longer than anything else does.
 */
export class EncodeWorker<C> {
  private readonly worker: Worker;
  /** Set by begin(): what the worker sent and batches() has not taken yet. */
  private inbox: Inbound[] | undefined;
  private wake: (() => void) | null = null;
  /** Before batches(): what the worker last said it holds. */
  private held = 0;
  private exitCode: number | undefined;
  private iterated = false;
  private exited = false;
  /** An error of the worker before begin() was called (it failed to load), for batches() to throw. */
  private earlyError: Error | undefined;
  private readonly exit: Promise<number>;

  constructor(workerUrl: URL, command: C) {
    const input: EncodeWorkerInput<C> = { command };
    this.worker = new Worker(workerUrl, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
    this.worker.unref();
    this.exit = new Promise<number>((resolve) =>
      this.worker.once('exit', (code) => {
        this.exited = true;
        this.exitCode = code;
        this.notify();
        resolve(code);
      }),
    );
    this.worker.on('error', (err: Error) => {
      if (this.inbox === undefined) this.earlyError ??= err;
    });
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /**
   * Starts the reading, ticks encoded with `raw`, as soon as the schema is
   * registered: the worker then fills its WINDOW while the caller still
   * connects the producer and sets up its transactions, and hands the
   * batches over when batches() asks. Once; batches() calls it if the caller did not.
   */
  begin(raw: RawEncoding): void {
    if (this.inbox !== undefined) return;
    const inbox: Inbound[] = (this.inbox = []);
    const early = this.earlyError;
    if (early !== undefined) inbox.push({ kind: 'error', name: early.name, message: early.message, stack: early.stack });
    this.worker.ref();
    this.worker.on('message', (m: FromWorker) => {
      if (m.kind === 'held') {
        this.held = m.batches;
        return;
      }
      inbox.push(m);
      this.notify();
    });
    this.worker.on('error', (err: Error) => {
      inbox.push({ kind: 'error', name: err.name, message: err.message, stack: err.stack });
      this.notify();
    });
    if (!this.exited) this.worker.postMessage({ start: { raw } } satisfies ToWorker);
  }

  /** Batches encoded and not taken yet (at most WINDOW): held by the worker until batches(), then sent. */
  get readyBatches(): number {
    if (!this.iterated) return this.held;
    return this.inbox?.filter((m) => m.kind === 'batch').length ?? 0;
  }

  /**
   * Yields the batches of the reading begin() started (with `raw`, if it did
   * not). Stopping early (break, error) stops the worker, which closes its
   * files. Once per worker.
   */
  async *batches(raw: RawEncoding): AsyncGenerator<EncodedBatch, void, undefined> {
    if (this.iterated) throw new Error('EncodeWorker.batches() can be called once');
    this.iterated = true;
    this.begin(raw);
    const inbox = this.inbox!;
    if (!this.exited) this.worker.postMessage({ publish: true } satisfies ToWorker);
    let finished = false;
    try {
      for (;;) {
        const m = inbox.shift();
        if (m === undefined) {
          if (this.exitCode !== undefined) throw new Error(`the source worker exited (code ${this.exitCode}) before its end`);
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        if (m.kind === 'done') {
          finished = true;
          return;
        }
        if (m.kind === 'error') throw rebuilt(m);
        this.worker.postMessage({ took: 1 } satisfies ToWorker);
        yield m.batch;
      }
    } finally {
      if (!finished) await this.stop();
      else await this.exit;
    }
  }

  /** Ends the worker unless batches() is reading it (which ends it itself); its files are closed. */
  async close(): Promise<void> {
    if (this.iterated || this.exited) return;
    this.iterated = true;
    if (this.inbox === undefined) await this.worker.terminate(); // nothing opened yet
    else await this.stop();
  }

  /** Tells a reading worker to stop: it closes its files and ends; if it does not within a second, it is stopped. */
  private async stop(): Promise<void> {
    if (this.exited) return;
    this.worker.postMessage({ stop: true } satisfies ToWorker);
    const timer = setTimeout(() => void this.worker.terminate(), 1000);
    await this.exit;
    clearTimeout(timer);
  }
}
