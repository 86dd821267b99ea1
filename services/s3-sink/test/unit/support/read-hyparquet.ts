// A second, independent Parquet reader for the tests: hyparquet (pure
// JavaScript, its own Thrift decoder, page decoding and snappy), next to
// DuckDB (read-parquet.ts). The lake's files are read by Athena, Spark and
// Trino, none of which runs here; a reader that shares no code with DuckDB
// catches what one lenient reader would let through.
//
// Page headers and FileMetaData.column_orders come from two of hyparquet's
// modules that its index does not export (src/column.js, src/thrift.js; the
// package exports ./src/*.js): the lock file pins the version, and a change
// there fails to compile or fails these tests loudly.
//
// Dates and timestamps come back tagged (Days, Millis): a DATE or
// TIMESTAMP(MILLIS) column reaches the tag only when the reader took the
// column's annotation as that type, so the values check the schema too.
import { parquetMetadata, parquetReadObjects, type FileMetaData, type PageHeader } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { deserializeTCompactProtocol } from 'hyparquet/src/thrift.js';
import type { EnrichedTick, SourceKind } from '@stockstream/common';

/** A DATE value: days since 1970-01-01, as the reader decoded it. */
export class Days {
  constructor(readonly days: number) {}
}

/** A TIMESTAMP(MILLIS) value: milliseconds since the epoch, as the reader decoded it. */
export class Millis {
  constructor(readonly ms: bigint) {}
}

const TAGGING_PARSERS = {
  dateFromDays: (days: number) => new Days(days),
  timestampFromMilliseconds: (ms: bigint) => new Millis(ms),
  timestampFromMicroseconds: (us: bigint): never => {
    throw new Error(`a TIMESTAMP(MICROS) value ${us}: the lake writes MILLIS`);
  },
  timestampFromNanoseconds: (ns: bigint): never => {
    throw new Error(`a TIMESTAMP(NANOS) value ${ns}: the lake writes MILLIS`);
  },
};

/** A page as the reader found it: where it starts, its header, and the header's length in bytes. */
export interface Page {
  offset: number;
  header: PageHeader;
  headerLength: number;
}

export interface HyparquetContents {
  metadata: FileMetaData;
  /** Rows as objects, column name → value (null for a null). */
  rows: Record<string, unknown>[];
  /**
   * FileMetaData.column_orders (field 7), which hyparquet's metadata object
   * leaves out, read with its Thrift decoder: per column, the id of the
   * ColumnOrder union's member (1 = TYPE_ORDER).
   */
  columnOrders: number[] | undefined;
  /** The pages of each column chunk, in file order, read from the chunk's first page offset on. */
  pages: Page[][];
}

/** Reads Parquet bytes with hyparquet: footer, page headers, and every row. */
export async function readWithHyparquet(bytes: Buffer): Promise<HyparquetContents> {
  // An ArrayBuffer of the file alone (a Buffer may be a view into a larger pool).
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  const view = new DataView(file);
  const metadata = parquetMetadata(file, { parsers: TAGGING_PARSERS });
  const footer = deserializeTCompactProtocol({ view, offset: bytes.length - 8 - metadata.metadata_length });
  const orders = footer.field_7 as { [k: `field_${number}`]: unknown }[] | undefined;
  const columnOrders = orders?.map((o) => {
    const members = Object.keys(o);
    if (members.length !== 1) throw new Error(`a ColumnOrder union with ${members.length} members`);
    return Number(members[0]!.slice('field_'.length));
  });
  const pages = metadata.row_groups.flatMap((rg) =>
    rg.columns.map((cc) => {
      const m = cc.meta_data!;
      const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
      const end = start + Number(m.total_compressed_size);
      const found: Page[] = [];
      for (let offset = start; offset < end; ) {
        const reader = { view, offset };
        const header = parquetHeader(reader);
        found.push({ offset, header, headerLength: reader.offset - offset });
        offset = reader.offset + header.compressed_page_size;
      }
      return found;
    }),
  );
  const rows = (await parquetReadObjects({ file, parsers: TAGGING_PARSERS })) as Record<string, unknown>[];
  return { metadata, rows, columnOrders, pages };
}

function num(v: unknown, name: string): number {
  if (typeof v === 'bigint') {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new RangeError(`${name}: ${v} is not a safe integer`);
    return Number(v);
  }
  if (typeof v === 'number') return v;
  throw new TypeError(`${name}: not a number: ${String(v)}`);
}

function int64(v: unknown, name: string): number {
  if (typeof v !== 'bigint') throw new TypeError(`${name}: not read as a 64-bit integer: ${String(v)}`);
  return num(v, name);
}

function int32(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${name}: not read as a 32-bit integer: ${String(v)}`);
  return v;
}

function dbl(v: unknown, name: string): number {
  if (typeof v !== 'number') throw new TypeError(`${name}: not read as a DOUBLE: ${String(v)}`);
  return v;
}

function days(v: unknown, name: string): number {
  if (!(v instanceof Days)) throw new TypeError(`${name}: not read as a DATE: ${String(v)}`);
  return v.days;
}

function millis(v: unknown, name: string): number {
  if (!(v instanceof Millis)) throw new TypeError(`${name}: not read as a TIMESTAMP(MILLIS): ${String(v)}`);
  return num(v.ms, name);
}

function str(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new TypeError(`${name}: not read as a string: ${String(v)}`);
  return v;
}

/** A row hyparquet read back as the EnrichedTick it was written from (each value checked to have come out as its column's type). */
export function hyparquetRowToTick(r: Record<string, unknown>): EnrichedTick {
  const get = (name: string): unknown => {
    if (!(name in r)) throw new Error(`column ${name} missing`);
    return r[name];
  };
  const s = (n: string) => str(get(n), n);
  const d = (n: string) => dbl(get(n), n);
  return {
    index: s('index'), date: days(get('date'), 'date'), open: d('open'), high: d('high'), low: d('low'), close: d('close'), adjClose: d('adj_close'),
    volume: int64(get('volume'), 'volume'), exchange: s('exchange'), region: s('region'), currency: s('currency'), fxRate: d('fx_rate'),
    fxEffectiveDate: days(get('fx_effective_date'), 'fx_effective_date'), closeUsd: d('close_usd'),
    source: { kind: s('source_kind') as SourceKind, name: s('source_name'), line: int64(get('source_line'), 'source_line') },
    rawTopic: s('raw_topic'), rawPartition: int32(get('raw_partition'), 'raw_partition'), rawOffset: int64(get('raw_offset'), 'raw_offset'),
    ingestedAt: millis(get('ingested_at'), 'ingested_at'), enrichedAt: millis(get('enriched_at'), 'enriched_at'),
    fxSource: get('fx_source') === null ? null : s('fx_source'),
  };
}
