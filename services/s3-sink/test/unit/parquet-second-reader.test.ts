// Our encoder's files through a second, independent reader (hyparquet; see
// support/read-hyparquet.ts), beside DuckDB in parquet-record-writer.test.ts:
// the schema as parquet.thrift spells it, every value, the footer's layout and
// statistics, the page headers, and the codec. The expectations are written
// from the Parquet spec and from the rows, never from the encoder's code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnrichedTick } from '@stockstream/common';
import { ColumnBatch } from '../../src/format/column-batch.js';
import { LAKE_COLUMNS, type LakeColumn, type LakeType } from '../../src/format/lake-columns.js';
import { encodeParquetFile, type ParquetColumn } from '../../src/format/parquet/parquet-file-encoder.js';
import { ParquetRecordWriter } from '../../src/format/parquet-record-writer.js';
import { Days, Millis, hyparquetRowToTick, readWithHyparquet, type HyparquetContents } from './support/read-hyparquet.js';
import { edgeRows, manyRows } from './support/ticks.js';

/** Per lake type, the SchemaElement a Parquet reader must find (parquet.thrift / LogicalTypes.md). */
const EXPECTED_ELEMENT: Record<LakeType, { type: string; converted_type: string | undefined; logical_type: object | undefined }> = {
  VARCHAR: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  DATE: { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } },
  INTEGER: { type: 'INT32', converted_type: 'INT_32', logical_type: { type: 'INTEGER', bitWidth: 32, isSigned: true } },
  BIGINT: { type: 'INT64', converted_type: 'INT_64', logical_type: { type: 'INTEGER', bitWidth: 64, isSigned: true } },
  // Local (zone-less) timestamps keep the legacy TIMESTAMP_MILLIS annotation too: LogicalTypes.md says writers must.
  TIMESTAMP: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MILLIS' } },
  DOUBLE: { type: 'DOUBLE', converted_type: undefined, logical_type: undefined },
};

/** ColumnOrder union member 1: TYPE_ORDER (min/max by the column's type: signed numbers, unsigned bytes for strings). */
const TYPE_ORDER = 1;

const snappyWriter = new ParquetRecordWriter('snappy');
const plainWriter = new ParquetRecordWriter('uncompressed');

async function read(rows: EnrichedTick[], writer = snappyWriter): Promise<HyparquetContents> {
  return readWithHyparquet(writer.encode(ColumnBatch.of(rows)));
}

/** What a column chunk's statistics must say about `rows`: nulls counted, min/max of the rest in the column's type order. */
function expectedStatistics(rows: readonly EnrichedTick[], col: LakeColumn) {
  const present = rows.map(col.get).filter((v) => v !== null);
  const null_count = BigInt(rows.length - present.length);
  if (present.length === 0) return { null_count, min_value: undefined, max_value: undefined };
  if (col.type === 'VARCHAR') {
    // UTF8 sorts as unsigned bytes, not as JavaScript's UTF-16 code units.
    const sorted = present.map((s) => Buffer.from(s as string, 'utf8')).sort(Buffer.compare);
    return { null_count, min_value: sorted[0]!.toString('utf8'), max_value: sorted[sorted.length - 1]!.toString('utf8') };
  }
  const nums = present as number[];
  const [min, max] = [Math.min(...nums), Math.max(...nums)];
  switch (col.type) {
    case 'DATE':
      return { null_count, min_value: new Days(min), max_value: new Days(max) };
    case 'TIMESTAMP':
      return { null_count, min_value: new Millis(BigInt(min)), max_value: new Millis(BigInt(max)) };
    case 'BIGINT':
      return { null_count, min_value: BigInt(min), max_value: BigInt(max) };
    default:
      return { null_count, min_value: min, max_value: max };
  }
}

/** Checks the footer and page headers of a file of `rows` against the spec's rules for a one-row-group, one-page-per-column file. */
function checkLayout(file: HyparquetContents, fileLength: number, rows: number, codec: 'SNAPPY' | 'UNCOMPRESSED'): void {
  const { metadata: md, pages } = file;
  assert.equal(md.num_rows, BigInt(rows));
  assert.equal(md.row_groups.length, 1);
  const rg = md.row_groups[0]!;
  assert.equal(rg.num_rows, BigInt(rows));
  assert.deepEqual(rg.columns.map((c) => c.meta_data?.path_in_schema), LAKE_COLUMNS.map((c) => [c.name]));
  // The chunks follow one another from just after the leading magic to just before the footer.
  let at = 4;
  let uncompressed = 0;
  let compressed = 0;
  for (const [i, cc] of rg.columns.entries()) {
    const col = LAKE_COLUMNS[i]!;
    const m = cc.meta_data!;
    const chunkPages = pages[i]!;
    assert.equal(m.type, EXPECTED_ELEMENT[col.type].type, col.name);
    assert.equal(m.codec, codec, col.name);
    assert.equal(m.num_values, BigInt(rows), `${col.name}: num_values counts nulls too`);
    assert.equal(Number(m.dictionary_page_offset ?? m.data_page_offset), at, `${col.name} starts where the previous chunk ended`);
    assert.equal(cc.file_offset, BigInt(at), col.name);
    assert.equal(cc.file_path, undefined);
    const isDictionary = m.dictionary_page_offset !== undefined;
    assert.deepEqual(m.encodings, [isDictionary ? 'PLAIN_DICTIONARY' : 'PLAIN', 'RLE'], col.name);
    // Strings are dictionary-encoded unless every row is null; other types are PLAIN.
    assert.equal(isDictionary, col.type === 'VARCHAR' && m.statistics?.min_value !== undefined, col.name);
    assert.deepEqual(chunkPages.map((p) => p.header.type), isDictionary ? ['DICTIONARY_PAGE', 'DATA_PAGE'] : ['DATA_PAGE'], col.name);
    if (isDictionary) {
      const dict = chunkPages[0]!;
      assert.equal(BigInt(dict.offset), m.dictionary_page_offset);
      assert.equal(dict.header.dictionary_page_header?.encoding, 'PLAIN_DICTIONARY', col.name);
      assert.ok(dict.header.dictionary_page_header!.num_values >= 1, col.name);
    }
    const data = chunkPages[chunkPages.length - 1]!;
    assert.equal(BigInt(data.offset), m.data_page_offset, col.name);
    assert.deepEqual(data.header.data_page_header && { ...data.header.data_page_header, statistics: undefined }, {
      num_values: rows, encoding: isDictionary ? 'PLAIN_DICTIONARY' : 'PLAIN', definition_level_encoding: 'RLE', repetition_level_encoding: 'RLE', statistics: undefined,
    }, col.name);
    for (const p of chunkPages) {
      assert.equal(p.header.crc, undefined);
      if (codec === 'UNCOMPRESSED') assert.equal(p.header.compressed_page_size, p.header.uncompressed_page_size, col.name);
    }
    // Chunk sizes count every page's header and body.
    const chunkCompressed = chunkPages.reduce((n, p) => n + p.headerLength + p.header.compressed_page_size, 0);
    const chunkUncompressed = chunkPages.reduce((n, p) => n + p.headerLength + p.header.uncompressed_page_size, 0);
    assert.equal(m.total_compressed_size, BigInt(chunkCompressed), col.name);
    assert.equal(m.total_uncompressed_size, BigInt(chunkUncompressed), col.name);
    at += chunkCompressed;
    compressed += chunkCompressed;
    uncompressed += chunkUncompressed;
  }
  assert.equal(at, fileLength - 8 - md.metadata_length, 'the footer follows the last chunk');
  assert.equal(rg.file_offset, 4n);
  assert.equal(rg.total_compressed_size, BigInt(compressed));
  assert.equal(rg.total_byte_size, BigInt(uncompressed));
}

describe('our Parquet files through a second reader (hyparquet)', () => {
  it('finds the lake schema: physical types, UTF8/DATE/INT_32/INT_64/TIMESTAMP_MILLIS annotations and logical types, OPTIONAL columns', async () => {
    const { metadata } = await read(edgeRows());
    assert.equal(metadata.version, 1);
    assert.equal(metadata.created_by, 'stockstream s3-sink');
    const [root, ...elements] = metadata.schema;
    assert.deepEqual([root!.name, root!.num_children, root!.type], ['schema', LAKE_COLUMNS.length, undefined]);
    assert.deepEqual(
      elements.map((e) => ({ name: e.name, type: e.type, repetition_type: e.repetition_type, converted_type: e.converted_type, logical_type: e.logical_type })),
      LAKE_COLUMNS.map((c) => ({ name: c.name, repetition_type: 'OPTIONAL', ...EXPECTED_ELEMENT[c.type] })),
    );
    for (const e of elements) assert.deepEqual([e.type_length, e.num_children, e.scale, e.precision, e.field_id], [undefined, undefined, undefined, undefined, undefined], e.name);
  });

  it('reads back every column of every row, as its type, with snappy and uncompressed', async () => {
    for (const writer of [snappyWriter, plainWriter]) {
      for (const rows of [edgeRows(), manyRows(5_000)]) {
        const file = await read(rows, writer);
        assert.deepEqual(file.rows.map(hyparquetRowToTick), rows, `${writer.compression}, ${rows.length} rows`);
      }
    }
  });

  it('reads the codec of every column chunk, and a footer and pages laid out as the spec says', async () => {
    for (const [writer, codec] of [[snappyWriter, 'SNAPPY'], [plainWriter, 'UNCOMPRESSED']] as const) {
      for (const rows of [edgeRows(), manyRows(1_000), []]) {
        const bytes = writer.encode(ColumnBatch.of(rows));
        checkLayout(await readWithHyparquet(bytes), bytes.length, rows.length, codec);
      }
    }
    const bytes = plainWriter.encode(ColumnBatch.of(manyRows(1_000).map((t) => ({ ...t, fxSource: null }))));
    checkLayout(await readWithHyparquet(bytes), bytes.length, 1_000, 'UNCOMPRESSED');
  });

  it('reads statistics a query engine prunes with: min/max of each column in its type order, null counts, TYPE_ORDER column orders', async () => {
    for (const rows of [edgeRows(), manyRows(600)]) {
      const file = await read(rows);
      assert.deepEqual(file.columnOrders, LAKE_COLUMNS.map(() => TYPE_ORDER), 'without a column order readers must ignore min_value/max_value');
      for (const [i, col] of LAKE_COLUMNS.entries()) {
        const s = file.metadata.row_groups[0]!.columns[i]!.meta_data!.statistics!;
        assert.deepEqual({ null_count: s.null_count, min_value: s.min_value, max_value: s.max_value }, expectedStatistics(rows, col), col.name);
        // Only the current fields: the deprecated min/max were signed-byte ordered, and a reader may distrust them.
        assert.deepEqual([s.min, s.max, s.distinct_count], [undefined, undefined, undefined], col.name);
      }
    }
  });

  it('nullable fx_source: nulls come back as nulls, are counted, and stay out of min/max, in every pattern', async () => {
    const patterns: [string, (i: number) => string | null][] = [
      ['all null', () => null],
      ['runs', (i) => (i % 7 < 3 ? null : `s${i % 3}`)],
      ['only the last', (i) => (i === 399 ? 'last' : null)],
      ['only the first', (i) => (i === 0 ? 'first' : null)],
      ['alternating', (i) => (i % 2 ? 'ecb' : null)],
      ['none null', (i) => `v${i % 5}`],
    ];
    for (const [label, pattern] of patterns) {
      const rows = manyRows(400).map((t, i) => ({ ...t, fxSource: pattern(i) }));
      for (const writer of [snappyWriter, plainWriter]) {
        const file = await read(rows, writer);
        assert.deepEqual(file.rows.map(hyparquetRowToTick), rows, `${label}, ${writer.compression}`);
        const fx = LAKE_COLUMNS.findIndex((c) => c.name === 'fx_source');
        const s = file.metadata.row_groups[0]!.columns[fx]!.meta_data!.statistics!;
        assert.deepEqual({ null_count: s.null_count, min_value: s.min_value, max_value: s.max_value }, expectedStatistics(rows, LAKE_COLUMNS[fx]!), label);
      }
    }
  });

  it('reads a file of zero rows: the schema, no values, no min/max', async () => {
    const file = await read([]);
    assert.deepEqual(file.rows, []);
    assert.equal(file.metadata.schema.length, LAKE_COLUMNS.length + 1);
    for (const cc of file.metadata.row_groups[0]!.columns) {
      const s = cc.meta_data!.statistics!;
      assert.deepEqual([s.null_count, s.min_value, s.max_value], [0n, undefined, undefined]);
    }
  });
});

describe('encodeParquetFile through a second reader (hyparquet)', () => {
  const encode = (cols: ParquetColumn[]) => encodeParquetFile(cols, { codec: 'UNCOMPRESSED', createdBy: 't' });
  const stats = (file: HyparquetContents) => file.metadata.row_groups[0]!.columns.map((c) => [c.meta_data!.statistics!.min_value, c.meta_data!.statistics!.max_value]);

  it('orders string statistics by UTF-8 bytes, where JavaScript\'s UTF-16 order differs', async () => {
    // U+FF5E is EF BD 9E in UTF-8, U+1F600 is F0 9F 98 80: bytes put U+FF5E first, UTF-16 (0xFF5E vs 0xD83D) the emoji.
    const dictionary = ['\u{1F600}', '\uFF5E', 'a'];
    const file = await readWithHyparquet(encode([{ name: 's', kind: 'string', ids: Int32Array.of(0, 1, 2, 0), dictionary }]));
    assert.deepEqual(file.rows.map((r) => r.s), ['\u{1F600}', '\uFF5E', 'a', '\u{1F600}']);
    assert.deepEqual(stats(file), [['a', '\u{1F600}']]);
    const noAscii = await readWithHyparquet(encode([{ name: 's', kind: 'string', ids: Int32Array.of(0, 1), dictionary }]));
    assert.deepEqual(stats(noAscii), [['\uFF5E', '\u{1F600}']]);
  });

  it('leaves unused dictionary entries out of min/max', async () => {
    const file = await readWithHyparquet(encode([{ name: 's', kind: 'string', ids: Int32Array.of(1, -1, 1), dictionary: ['a', 'm', 'z'] }]));
    assert.deepEqual(file.rows.map((r) => r.s), ['m', null, 'm']);
    assert.deepEqual(stats(file), [['m', 'm']]);
  });

  it('reads hundreds of distinct strings (indices wider than a byte)', async () => {
    const dictionary = Array.from({ length: 700 }, (_, i) => `s${i}-é`);
    const ids = Int32Array.from({ length: 2_000 }, (_, i) => (i * 7) % 700);
    const file = await readWithHyparquet(encode([{ name: 's', kind: 'string', ids, dictionary }]));
    assert.deepEqual(file.rows.map((r) => r.s), [...ids].map((i) => dictionary[i]));
    assert.equal(file.pages[0]![0]!.header.dictionary_page_header!.num_values, 700);
  });

  it('keeps negative and extreme 64-bit integers, and their statistics', async () => {
    const values = Float64Array.of(-1, -(2 ** 53) + 1, 2 ** 53 - 1, 0, -4294967296, 4294967297);
    const file = await readWithHyparquet(encode([{ name: 'v', kind: 'int64', values }]));
    assert.deepEqual(file.rows.map((r) => r.v), [...values].map(BigInt));
    assert.deepEqual(stats(file), [[-(2n ** 53n) + 1n, 2n ** 53n - 1n]]);
  });

  it('keeps 32-bit extremes and dates before 1970, and their statistics', async () => {
    const ints = Int32Array.of(0, -(2 ** 31), 2 ** 31 - 1, -1);
    const dates = Int32Array.of(-25567, 0, 2932896, -1);
    const file = await readWithHyparquet(encode([{ name: 'i', kind: 'int32', values: ints }, { name: 'd', kind: 'date', values: dates }]));
    assert.deepEqual(file.rows.map((r) => [r.i, r.d]), [...ints].map((v, k) => [v, new Days(dates[k]!)]));
    assert.deepEqual(stats(file), [[-(2 ** 31), 2 ** 31 - 1], [new Days(-25567), new Days(2932896)]]);
  });

  it('double statistics: -0.0 for a zero minimum, +0.0 for a zero maximum, none with NaN', async () => {
    const file = await readWithHyparquet(encode([
      { name: 'a', kind: 'double', values: Float64Array.of(0, 1, 2) },
      { name: 'b', kind: 'double', values: Float64Array.of(-1, -0, -2) },
      { name: 'c', kind: 'double', values: Float64Array.of(1, Number.NaN, 3) },
    ]));
    const [a, b, c] = stats(file);
    assert.ok(Object.is(a![0], -0) && a![1] === 2, String(a));
    assert.ok(b![0] === -2 && Object.is(b![1], 0), String(b));
    assert.deepEqual(c, [undefined, undefined]);
    assert.ok(Number.isNaN(file.rows[1]!.c));
  });
});
