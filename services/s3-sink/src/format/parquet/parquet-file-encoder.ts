// Columns -> the bytes of one Parquet file (pure; the compressor is passed in).
//
// The lake's files are small (a lake partition's records of a few seconds to
// a minute: hundreds to some thousands of rows) and many, so the cost that
// matters is per file. This encoder writes exactly what the lake needs and
// nothing generic: one row group, one page per column (format v1 data pages),
// PLAIN values copied from typed arrays, dictionary-encoded strings (a handful
// of distinct symbols per file), min/max statistics for pruning. Columns are
// OPTIONAL, as SQL engines write them, so files from any writer of the lake
// share one schema; only string columns hold nulls (a column that a later
// schema version added, null in the rows of records of the earlier ones).
import { endianness } from 'node:os';
import {
  ColumnChunk, ColumnMetaData, ColumnOrder, CompressionCodec, ConvertedType, DataPageHeader, DictionaryPageHeader, Encoding, FieldRepetitionType, FileMetaData,
  IntType, LogicalType, PageHeader, PageType, RowGroup, SchemaElement, Statistics, TimestampType, TimeUnit, Type,
} from './parquet-thrift.js';
import { ByteSink, CompactWriter } from './thrift-compact-writer.js';

if (endianness() !== 'LE') throw new Error('parquet-file-encoder copies typed arrays as Parquet little-endian values: big-endian hosts are not supported');

/** A string column: per row an index into `dictionary`, or a negative id for null. */
export interface StringColumn {
  name: string;
  kind: 'string';
  ids: Int32Array;
  dictionary: readonly string[];
}

/** 32-bit integers; `date` marks epoch days (DATE). */
export interface Int32Column {
  name: string;
  kind: 'int32' | 'date';
  values: Int32Array;
}

/** 64-bit integers held as doubles (exact below 2^53); `timestamp-millis`: UTC epoch milliseconds, stored zone-less. */
export interface Int64Column {
  name: string;
  kind: 'int64' | 'timestamp-millis';
  values: Float64Array;
}

export interface DoubleColumn {
  name: string;
  kind: 'double';
  values: Float64Array;
}

export type ParquetColumn = StringColumn | Int32Column | Int64Column | DoubleColumn;

export type ParquetCodec = 'SNAPPY' | 'UNCOMPRESSED';

export interface EncodeOptions {
  codec: ParquetCodec;
  /** The codec's block compressor (none for UNCOMPRESSED). */
  compress?: (raw: Buffer) => Buffer;
  createdBy: string;
}

// Field ids and enum values: parquet-thrift.ts, named as in parquet.thrift.
const Codec: Record<ParquetCodec, CompressionCodec> = { UNCOMPRESSED: CompressionCodec.UNCOMPRESSED, SNAPPY: CompressionCodec.SNAPPY };
/** FileMetaData.version, as parquet-mr and DuckDB write it. */
const FORMAT_VERSION = 1;
const MAGIC = Buffer.from('PAR1', 'latin1');
const TWO_32 = 4294967296;

interface Chunk {
  column: ParquetColumn;
  fileOffset: number;
  dictionaryPageOffset: number | null;
  dataPageOffset: number;
  uncompressed: number;
  compressed: number;
  min: Buffer | null;
  max: Buffer | null;
  nulls: number;
  /** Of the values in the data page: PLAIN, or PLAIN_DICTIONARY for strings (unless every row is null). */
  encoding: Encoding;
}

/** Rows in a column, checked equal across columns. */
function rowsOf(c: ParquetColumn): number {
  return c.kind === 'string' ? c.ids.length : c.values.length;
}

/** Copies a typed array's bytes (little-endian on this host). */
function bytesOf(a: Int32Array | Float64Array | Uint32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** INT64 PLAIN bytes of safe integers held as doubles. */
function int64Bytes(values: Float64Array, name: string): Buffer {
  const words = new Uint32Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isSafeInteger(v)) throw new RangeError(`${name}: ${v} is not a 53-bit integer`);
    const hi = Math.floor(v / TWO_32);
    words[2 * i] = v - hi * TWO_32;
    words[2 * i + 1] = hi >>> 0;
  }
  return bytesOf(words);
}

function int64Stat(v: number): Buffer {
  return int64Bytes(Float64Array.of(v), 'statistics');
}

/** Definition levels of `n` non-null values of an OPTIONAL column: one RLE run of 1s, length-prefixed (v1 pages). */
function allPresentLevels(n: number): Buffer {
  const s = new ByteSink(16);
  s.uint32le(0);
  s.varint(n * 2);
  s.byte(1);
  const b = s.view();
  b.writeUInt32LE(b.length - 4, 0);
  return b;
}

/** Definition levels of a string column with nulls (negative ids): RLE runs of 0 (null) and 1, length-prefixed (v1 pages). */
function stringLevels(ids: Int32Array): Buffer {
  const s = new ByteSink(16 + ids.length);
  s.uint32le(0);
  for (let i = 0; i < ids.length; ) {
    const present = ids[i]! >= 0;
    let j = i + 1;
    while (j < ids.length && ids[j]! >= 0 === present) j++;
    s.varint((j - i) * 2);
    s.byte(present ? 1 : 0);
    i = j;
  }
  const b = s.view();
  b.writeUInt32LE(b.length - 4, 0);
  return b;
}

function nullsOf(c: ParquetColumn): number {
  if (c.kind !== 'string') return 0;
  let n = 0;
  for (let i = 0; i < c.ids.length; i++) if (c.ids[i]! < 0) n++;
  return n;
}

/** Dictionary indices of the non-null rows as RLE runs of the RLE/bit-packed hybrid, after their bit-width byte. */
function dictionaryIndices(ids: Int32Array, dictionarySize: number): Buffer {
  const width = Math.max(1, Math.ceil(Math.log2(Math.max(dictionarySize, 2))));
  const valueBytes = Math.ceil(width / 8);
  const s = new ByteSink(16 + ids.length);
  s.byte(width);
  for (let i = 0; i < ids.length; ) {
    const v = ids[i]!;
    if (v < 0) {
      i++;
      continue; // a null: it has a definition level, no value
    }
    if (v >= dictionarySize) throw new RangeError(`string id ${v} outside a dictionary of ${dictionarySize}`);
    let j = i + 1;
    while (j < ids.length && ids[j] === v) j++;
    s.varint((j - i) * 2);
    for (let k = 0; k < valueBytes; k++) s.byte((v >>> (8 * k)) & 0xff);
    i = j;
  }
  return s.view();
}

function minMaxNumbers(values: Int32Array | Float64Array): [number, number] | null {
  if (values.length === 0) return null;
  let min = values[0]!;
  let max = min;
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) return null;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  // NaN makes min/max meaningless: no statistics rather than wrong ones.
  return Number.isNaN(min) || Number.isNaN(max) ? null : [min, max];
}

function doubleStat(v: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleLE(v, 0);
  return b;
}

function int32Stat(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32LE(v, 0);
  return b;
}

/** The body of an empty struct (StringType, DateType, MilliSeconds, TypeDefinedOrder...). */
const empty = (): void => undefined;

/** The body of an IntType of a signed integer of `bits` bits. */
const signedInt = (bits: 32 | 64) => (t: CompactWriter) => t.i8(IntType.bitWidth, bits).bool(IntType.isSigned, true);

/**
 * The file's bytes. Every column must have the same number of rows; integers
 * must fit their type (a fraction or an out-of-range value is an error, never
 * rounded or wrapped).
 */
export function encodeParquetFile(columns: readonly ParquetColumn[], opts: EncodeOptions): Buffer {
  const rows = columns.length ? rowsOf(columns[0]!) : 0;
  for (const c of columns) if (rowsOf(c) !== rows) throw new Error(`column ${c.name} has ${rowsOf(c)} rows, ${columns[0]!.name} has ${rows}`);
  if (opts.codec !== 'UNCOMPRESSED' && !opts.compress) throw new Error(`codec ${opts.codec} needs a compressor`);
  const compress = opts.codec === 'UNCOMPRESSED' ? (b: Buffer) => b : opts.compress!;

  const parts: Buffer[] = [MAGIC];
  let offset = MAGIC.length;
  const push = (b: Buffer) => {
    parts.push(b);
    offset += b.length;
  };
  /** Writes one page (header + compressed body); returns [uncompressed, compressed] sizes including the header. */
  const page = (type: PageType, body: Buffer, header: (w: CompactWriter) => void): [number, number] => {
    const data = compress(body);
    const w = new CompactWriter(new ByteSink(64));
    w.i32(PageHeader.type, type).i32(PageHeader.uncompressed_page_size, body.length).i32(PageHeader.compressed_page_size, data.length);
    header(w);
    const h = Buffer.from(w.end());
    push(h);
    push(data);
    return [h.length + body.length, h.length + data.length];
  };
  const levels = allPresentLevels(rows);

  const chunks: Chunk[] = columns.map((column) => {
    const nulls = nullsOf(column);
    const start = offset;
    let dictionaryPageOffset: number | null = null;
    let uncompressed = 0;
    let compressed = 0;
    let values: Buffer;
    let encoding = Encoding.PLAIN;
    let min: Buffer | null = null;
    let max: Buffer | null = null;
    switch (column.kind) {
      case 'string': {
        // Only the entries in use count; Parquet orders strings as unsigned bytes.
        const usedIds = new Set(column.ids);
        for (const id of usedIds) if (id < 0) usedIds.delete(id);
        if (usedIds.size === 0) {
          // Every row null: no dictionary, an empty PLAIN page (levels only).
          values = Buffer.alloc(0);
          break;
        }
        const dict = column.dictionary.map((s) => Buffer.from(s, 'utf8'));
        const plain = new ByteSink(16 + dict.reduce((n, b) => n + 4 + b.length, 0));
        for (const b of dict) {
          plain.uint32le(b.length);
          plain.bytes(b);
        }
        dictionaryPageOffset = offset;
        const [u, c] = page(PageType.DICTIONARY_PAGE, plain.view(), (w) =>
          w.struct(PageHeader.dictionary_page_header, (d) => d.i32(DictionaryPageHeader.num_values, dict.length).i32(DictionaryPageHeader.encoding, Encoding.PLAIN_DICTIONARY)),
        );
        uncompressed += u;
        compressed += c;
        values = dictionaryIndices(column.ids, dict.length);
        encoding = Encoding.PLAIN_DICTIONARY;
        const used = [...usedIds].map((i) => dict[i]!).sort(Buffer.compare);
        [min, max] = [used[0]!, used[used.length - 1]!];
        break;
      }
      case 'int32':
      case 'date': {
        values = bytesOf(column.values);
        const mm = minMaxNumbers(column.values);
        if (mm) [min, max] = [int32Stat(mm[0]), int32Stat(mm[1])];
        break;
      }
      case 'int64':
      case 'timestamp-millis': {
        values = int64Bytes(column.values, column.name);
        const mm = minMaxNumbers(column.values);
        if (mm) [min, max] = [int64Stat(mm[0]), int64Stat(mm[1])];
        break;
      }
      case 'double': {
        values = bytesOf(column.values);
        const mm = minMaxNumbers(column.values);
        // The spec's rule for signed zeros: a zero minimum is written -0.0, a zero maximum +0.0.
        if (mm) [min, max] = [doubleStat(mm[0] === 0 ? -0 : mm[0]), doubleStat(mm[1] === 0 ? 0 : mm[1])];
        break;
      }
    }
    const dataPageOffset = offset;
    const [u, c] = page(PageType.DATA_PAGE, Buffer.concat([nulls > 0 ? stringLevels((column as StringColumn).ids) : levels, values]), (w) =>
      w.struct(PageHeader.data_page_header, (d) =>
        d
          .i32(DataPageHeader.num_values, rows)
          .i32(DataPageHeader.encoding, encoding)
          .i32(DataPageHeader.definition_level_encoding, Encoding.RLE)
          .i32(DataPageHeader.repetition_level_encoding, Encoding.RLE),
      ),
    );
    return { column, fileOffset: start, dictionaryPageOffset, dataPageOffset, uncompressed: uncompressed + u, compressed: compressed + c, min, max, nulls, encoding };
  });

  const footer = new CompactWriter(new ByteSink(4096));
  footer.i32(FileMetaData.version, FORMAT_VERSION);
  // The schema: the root (a group of every column), then one element per column.
  footer.structList(FileMetaData.schema, [null, ...columns], (w, c) => {
    if (c === null) {
      w.binary(SchemaElement.name, 'schema').i32(SchemaElement.num_children, columns.length);
      return;
    }
    w.i32(SchemaElement.type, physicalType(c)).i32(SchemaElement.repetition_type, FieldRepetitionType.OPTIONAL).binary(SchemaElement.name, c.name);
    // Each annotated column carries both the legacy converted_type and the logicalType union.
    switch (c.kind) {
      case 'string':
        w.i32(SchemaElement.converted_type, ConvertedType.UTF8).struct(SchemaElement.logicalType, (l) => l.struct(LogicalType.STRING, empty));
        break;
      case 'date':
        w.i32(SchemaElement.converted_type, ConvertedType.DATE).struct(SchemaElement.logicalType, (l) => l.struct(LogicalType.DATE, empty));
        break;
      case 'int32':
        w.i32(SchemaElement.converted_type, ConvertedType.INT_32).struct(SchemaElement.logicalType, (l) => l.struct(LogicalType.INTEGER, signedInt(32)));
        break;
      case 'int64':
        w.i32(SchemaElement.converted_type, ConvertedType.INT_64).struct(SchemaElement.logicalType, (l) => l.struct(LogicalType.INTEGER, signedInt(64)));
        break;
      case 'timestamp-millis':
        // Zone-less (isAdjustedToUTC=false), and still TIMESTAMP_MILLIS: LogicalTypes.md has writers annotate local timestamps with the legacy type too.
        w.i32(SchemaElement.converted_type, ConvertedType.TIMESTAMP_MILLIS).struct(SchemaElement.logicalType, (l) =>
          l.struct(LogicalType.TIMESTAMP, (t) => t.bool(TimestampType.isAdjustedToUTC, false).struct(TimestampType.unit, (u) => u.struct(TimeUnit.MILLIS, empty))),
        );
        break;
      case 'double':
        break;
    }
  });
  footer.i64(FileMetaData.num_rows, rows);
  const totalUncompressed = chunks.reduce((n, c) => n + c.uncompressed, 0);
  const totalCompressed = chunks.reduce((n, c) => n + c.compressed, 0);
  footer.structList(FileMetaData.row_groups, [chunks], (rg, cs) => {
    rg.structList(RowGroup.columns, cs, (cc, ch) => {
      cc.i64(ColumnChunk.file_offset, ch.fileOffset).struct(ColumnChunk.meta_data, (m) => {
        m.i32(ColumnMetaData.type, physicalType(ch.column))
          .i32List(ColumnMetaData.encodings, [ch.encoding, Encoding.RLE])
          .stringList(ColumnMetaData.path_in_schema, [ch.column.name])
          .i32(ColumnMetaData.codec, Codec[opts.codec])
          .i64(ColumnMetaData.num_values, rows)
          .i64(ColumnMetaData.total_uncompressed_size, ch.uncompressed)
          .i64(ColumnMetaData.total_compressed_size, ch.compressed)
          .i64(ColumnMetaData.data_page_offset, ch.dataPageOffset);
        if (ch.dictionaryPageOffset !== null) m.i64(ColumnMetaData.dictionary_page_offset, ch.dictionaryPageOffset);
        m.struct(ColumnMetaData.statistics, (s) => {
          s.i64(Statistics.null_count, ch.nulls);
          if (ch.max && ch.min) s.binary(Statistics.max_value, ch.max).binary(Statistics.min_value, ch.min);
        });
      });
    });
    rg.i64(RowGroup.total_byte_size, totalUncompressed)
      .i64(RowGroup.num_rows, rows)
      .i64(RowGroup.file_offset, chunks[0]?.fileOffset ?? MAGIC.length)
      .i64(RowGroup.total_compressed_size, totalCompressed);
  });
  footer.binary(FileMetaData.created_by, opts.createdBy);
  // Type-defined sort order for every column: without it readers must ignore min_value/max_value.
  footer.structList(FileMetaData.column_orders, columns, (w) => w.struct(ColumnOrder.TYPE_ORDER, empty));
  const meta = footer.end();
  const tail = Buffer.allocUnsafe(8);
  tail.writeUInt32LE(meta.length, 0);
  MAGIC.copy(tail, 4);
  return Buffer.concat([...parts, meta, tail]);
}

function physicalType(c: ParquetColumn): Type {
  switch (c.kind) {
    case 'string':
      return Type.BYTE_ARRAY;
    case 'int32':
    case 'date':
      return Type.INT32;
    case 'int64':
    case 'timestamp-millis':
      return Type.INT64;
    case 'double':
      return Type.DOUBLE;
  }
}
