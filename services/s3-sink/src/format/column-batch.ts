import type { EnrichedTick } from '@stockstream/common';
import { LAKE_COLUMNS } from './lake-columns.js';
import type { ParquetColumn } from './parquet/parquet-file-encoder.js';
import { StringDictionary } from './string-dictionary.js';

/** A value a lake column cannot hold exactly (a fraction or an out-of-range integer). */
export class UnrepresentableValueError extends RangeError {
  override readonly name = 'UnrepresentableValueError';
}

/** A batch as plain data (structured-clone safe), to hand to a worker thread. */
export interface ColumnBatchData {
  length: number;
  data: (Int32Array | Float64Array)[];
  dictionaries: (string[] | null)[];
}

/** Rows a new batch has room for: files of the lake hold hundreds of rows, so most never grow. */
const INITIAL_CAPACITY = 256;
const N = LAKE_COLUMNS.length;
/** Per lake column: strings as dictionary ids, 32-bit integers, or doubles (64-bit integers held exactly below 2^53). */
const STORAGE = LAKE_COLUMNS.map((c) => (c.type === 'VARCHAR' ? 'ids' : c.type === 'INTEGER' || c.type === 'DATE' ? 'int32' : 'float64'));
const CHECK = LAKE_COLUMNS.map((c) => (c.type === 'INTEGER' || c.type === 'DATE' ? 'int32' : c.type === 'BIGINT' || c.type === 'TIMESTAMP' ? 'int53' : null));
const NULLABLE = LAKE_COLUMNS.map((c) => c.nullable === true);
/** The id of a null in a string column (only nullable columns hold it): never a dictionary index. */
export const NULL_ID = -1;
const FLOAT64_COLUMNS = STORAGE.flatMap((s, c) => (s === 'float64' ? [c] : []));
const INT32_COLUMNS = STORAGE.flatMap((s, c) => (s === 'float64' ? [] : [c]));
const ROW_BYTES = 8 * FLOAT64_COLUMNS.length + 4 * INT32_COLUMNS.length;

/** Every column for `capacity` rows as views of `buffer` (doubles first, so every view is aligned). */
function columnViews(buffer: ArrayBuffer, capacity: number): (Int32Array | Float64Array)[] {
  const columns: (Int32Array | Float64Array)[] = new Array(N);
  let at = 0;
  for (const c of FLOAT64_COLUMNS) {
    columns[c] = new Float64Array(buffer, at, capacity);
    at += 8 * capacity;
  }
  for (const c of INT32_COLUMNS) {
    columns[c] = new Int32Array(buffer, at, capacity);
    at += 4 * capacity;
  }
  return columns;
}

/**
 * The column buffers of uploaded files, written again by the files opened
 * after them. Why: an open file's buffer lives for seconds, long enough to
 * reach V8's old generation, where an ArrayBuffer is freed only by a full
 * collection, and V8 lets tens of MB of them pile up before one: a fresh
 * buffer per file (and per growth) was most of the sink's peak memory.
 * Per thread (the upload worker never gives any back); holds at most `maxBytes`.
 */
class ColumnBufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  take(byteLength: number): ArrayBuffer {
    const buffer = this.free.get(byteLength)?.pop();
    if (buffer === undefined) return new ArrayBuffer(byteLength);
    this.bytes -= byteLength;
    return buffer;
  }

  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === 0 || this.bytes + buffer.byteLength > this.maxBytes) return; // left to the GC
    let list = this.free.get(buffer.byteLength);
    if (!list) this.free.set(buffer.byteLength, (list = []));
    list.push(buffer);
    this.bytes += buffer.byteLength;
  }
}

const POOL = new ColumnBufferPool(16 * 1024 * 1024);

/**
 * Every column for `capacity` rows, as views of ONE ArrayBuffer: making a
 * typed array with a buffer of its own costs far more than a view, and a
 * batch of 22 columns made 22 of them at each growth. `pooled`: a buffer
 * from the pool (an open file's); else a new one (what toData transfers).
 */
function allocateColumns(capacity: number, pooled: boolean): (Int32Array | Float64Array)[] {
  const bytes = capacity * ROW_BYTES;
  return columnViews(pooled ? POOL.take(bytes) : new ArrayBuffer(bytes), capacity);
}

/** The first `length` rows of `from` in columns of their own (one new buffer). */
function copyColumns(from: readonly (Int32Array | Float64Array)[], length: number, capacity: number, pooled: boolean): (Int32Array | Float64Array)[] {
  const to = allocateColumns(capacity, pooled);
  for (let c = 0; c < N; c++) to[c]!.set(from[c]!.subarray(0, length));
  return to;
}

const NO_COLUMNS = columnViews(new ArrayBuffer(0), 0);

/**
 * One file's rows, column by column in the lake's column order, as typed
 * arrays (strings as per-file dictionary ids). An open file holds its records
 * this way from the moment they are consumed: ~150 bytes a row and no object
 * per record to survive into the old generation of the heap, and the Parquet
 * encoder takes the arrays as they are.
 */
export class ColumnBatch {
  length: number;
  private capacity: number;
  private data: (Int32Array | Float64Array)[];
  private readonly dictionaries: (StringDictionary | null)[];
  private readonly scratch: (string | number | null)[] = new Array(N);

  /** An empty batch; `length` rows of `data` when given (fromData: arrays the batch then owns). */
  constructor(data: (Int32Array | Float64Array)[] = allocateColumns(INITIAL_CAPACITY, true), length = 0) {
    this.data = data;
    this.length = length;
    this.capacity = data[0]!.length;
    this.dictionaries = STORAGE.map((s) => (s === 'ids' ? new StringDictionary() : null));
  }

  /** Copies of the filled part of every column (views of one new ArrayBuffer: `transfer` it), and the dictionaries. */
  toData(): ColumnBatchData {
    return { length: this.length, data: copyColumns(this.data, this.length, this.length, false), dictionaries: this.dictionaries.map((d) => (d ? [...d.strings] : null)) };
  }

  /** The one ArrayBuffer of what toData() returned, to transfer it to a worker instead of copying it. */
  static transferables(d: ColumnBatchData): ArrayBuffer[] {
    const buffers = new Set(d.data.map((a) => a.buffer as ArrayBuffer));
    return [...buffers];
  }

  /** A batch over the arrays of `d` (not copied). */
  static fromData(d: ColumnBatchData): ColumnBatch {
    if (d.data.length !== N || d.dictionaries.length !== N || d.data.some((a) => a.length !== d.length)) throw new Error('ColumnBatch data does not match the lake columns');
    const b = new ColumnBatch(d.data, d.length);
    d.dictionaries.forEach((strings, c) => {
      const dict = b.dictionaries[c];
      if (!strings !== !dict) throw new Error(`column ${LAKE_COLUMNS[c]!.name}: dictionary mismatch`);
      for (const s of strings ?? []) dict!.id(s);
    });
    return b;
  }

  static of(rows: readonly EnrichedTick[]): ColumnBatch {
    const b = new ColumnBatch();
    for (const r of rows) b.append(r);
    return b;
  }

  /**
   * Adds a row; a value its column cannot hold exactly (a fraction or an
   * out-of-range integer) throws UnrepresentableValueError and adds nothing.
   */
  append(tick: EnrichedTick): void {
    const values = this.scratch;
    for (let c = 0; c < N; c++) {
      const v = LAKE_COLUMNS[c]!.get(tick);
      const check = CHECK[c];
      if (check === 'int32' ? ((v as number) | 0) !== v : check === 'int53' && !Number.isSafeInteger(v)) {
        throw new UnrepresentableValueError(`${LAKE_COLUMNS[c]!.name}: ${v} is not a ${check === 'int32' ? '32' : '53'}-bit integer`);
      }
      else if (v === null && !NULLABLE[c]) throw new UnrepresentableValueError(`${LAKE_COLUMNS[c]!.name}: null in a column that holds no nulls`);
      values[c] = v;
    }
    if (this.length === this.capacity) this.grow();
    const i = this.length++;
    for (let c = 0; c < N; c++) {
      const dict = this.dictionaries[c];
      const v = values[c]!;
      this.data[c]![i] = dict ? (v === null ? NULL_ID : dict.id(v as string)) : (v as number);
    }
  }

  private grow(): void {
    if (this.data === NO_COLUMNS) throw new Error('a released ColumnBatch takes no rows');
    const old = this.data;
    this.capacity = Math.max(INITIAL_CAPACITY, this.capacity * 2);
    this.data = copyColumns(old, this.length, this.capacity, true);
    POOL.give(old[0]!.buffer as ArrayBuffer);
  }

  /**
   * The batch is done with (its file is in storage): its buffer goes back to
   * the pool for the next file, and the batch is empty from now on (nothing
   * may read it: its memory is someone else's).
   */
  release(): void {
    if (this.data === NO_COLUMNS) return;
    POOL.give(this.data[0]!.buffer as ArrayBuffer);
    this.data = NO_COLUMNS;
    this.length = 0;
    this.capacity = 0;
  }

  /** Column `c`'s value at row `row`, as LakeColumn.get gives it (strings, epoch days, epoch ms, numbers, null). */
  value(c: number, row: number): string | number | null {
    const dict = this.dictionaries[c];
    const v = this.data[c]![row]!;
    return dict ? (v === NULL_ID ? null : dict.strings[v]!) : v;
  }

  /** Column `c`'s values (string columns: dictionary ids, NULL_ID for null), a view of the first `length`. */
  values(c: number): Int32Array | Float64Array {
    return this.data[c]!.subarray(0, this.length);
  }

  /** Column `c`'s dictionary (string columns only). */
  dictionary(c: number): readonly string[] {
    const d = this.dictionaries[c];
    if (!d) throw new Error(`${LAKE_COLUMNS[c]!.name} is not a string column`);
    return d.strings;
  }

  /** The columns as the Parquet encoder takes them (views, no copy). */
  parquetColumns(): ParquetColumn[] {
    return LAKE_COLUMNS.map((col, c): ParquetColumn => {
      const name = col.name;
      switch (col.type) {
        case 'VARCHAR':
          return { name, kind: 'string', ids: this.values(c) as Int32Array, dictionary: this.dictionary(c) };
        case 'INTEGER':
          return { name, kind: 'int32', values: this.values(c) as Int32Array };
        case 'DATE':
          return { name, kind: 'date', values: this.values(c) as Int32Array };
        case 'BIGINT':
          return { name, kind: 'int64', values: this.values(c) as Float64Array };
        case 'TIMESTAMP':
          return { name, kind: 'timestamp-millis', values: this.values(c) as Float64Array };
        case 'DOUBLE':
          return { name, kind: 'double', values: this.values(c) as Float64Array };
      }
    });
  }
}
