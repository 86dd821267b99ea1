// The table definition against files the sink really writes: every column the
// DDL declares must be in the file with the matching type, and the file must
// have nothing the DDL leaves out except the partition column `index`
// (Athena takes it from the path). A mismatch here is a query that fails, or
// returns NULLs, in Athena.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { athenaDdl } from '../../src/catalog/athena-ddl.js';
import { loadIndexSymbols } from '../../src/catalog/index-symbols.js';
import type { LakeFormat } from '../../src/catalog/lake-table.js';
import { JsonLinesRecordWriter } from '../../src/format/json-lines-record-writer.js';
import { ParquetRecordWriter } from '../../src/format/parquet-record-writer.js';
import { readParquet } from './support/read-parquet.js';
import { edgeRows } from './support/ticks.js';
import { ColumnBatch } from '../../src/format/column-batch.js';

/** Hive type in the DDL → what DuckDB's DESCRIBE says for the Parquet column. */
const DUCKDB_TYPE: Record<string, string> = {
  string: 'VARCHAR', date: 'DATE', double: 'DOUBLE', bigint: 'BIGINT', int: 'INTEGER', timestamp: 'TIMESTAMP',
};

/** `name type` pairs of the column list and of PARTITIONED BY, read from the DDL text. */
function ddlColumns(format: LakeFormat) {
  const ddl = athenaDdl({ database: 'stockstream', table: 'ticks', bucket: 'stockstream-lake', prefix: 'lake', format, indexSymbols: loadIndexSymbols() });
  const block = (re: RegExp) => {
    const m = re.exec(ddl);
    assert.ok(m, `no ${re} in\n${ddl}`);
    return m[1]!.split('\n').map((line) => {
      const c = /^ {2}`([^`]+)` (\w+),?$/.exec(line);
      assert.ok(c, `column line ${JSON.stringify(line)}`);
      return { name: c[1]!, type: c[2]! };
    });
  };
  return { columns: block(/^CREATE EXTERNAL TABLE[^\n]*\(\n([\s\S]*?)\n\)\n/), partitionKeys: block(/\nPARTITIONED BY \(\n([\s\S]*?)\n\)\n/) };
}

describe('DDL against a Parquet file the sink writes', () => {
  let writer: ParquetRecordWriter;
  let file: Awaited<ReturnType<typeof readParquet>>;
  before(async () => {
    writer = new ParquetRecordWriter();
    file = await readParquet(await writer.write(ColumnBatch.of(edgeRows())));
  });
  after(() => writer.close());

  it('finds every DDL column in the file with the matching type', () => {
    const { columns } = ddlColumns('parquet');
    assert.ok(columns.length > 0);
    for (const c of columns) {
      assert.ok(c.name in file.types, `DDL column ${c.name} is not in the Parquet file (file has: ${file.columns.join(', ')})`);
      assert.equal(file.types[c.name], DUCKDB_TYPE[c.type], `column ${c.name}: DDL ${c.type}, file ${file.types[c.name]}`);
    }
  });

  it('leaves out of the column list only index, which is a partition key of the same type', () => {
    const { columns, partitionKeys } = ddlColumns('parquet');
    const declared = new Set(columns.map((c) => c.name));
    assert.deepEqual(file.columns.filter((name) => !declared.has(name)), ['index']);
    const index = partitionKeys.find((k) => k.name === 'index');
    assert.equal(DUCKDB_TYPE[index!.type], file.types.index);
    // year is path-only: a partition key, never in the file.
    assert.deepEqual(partitionKeys.map((k) => k.name), ['index', 'year']);
    assert.ok(!('year' in file.types));
  });

  it('declares the columns in the order of the file', () => {
    assert.deepEqual(ddlColumns('parquet').columns.map((c) => c.name), file.columns.filter((n) => n !== 'index'));
  });
});

describe('DDL against a JSON Lines file the sink writes', () => {
  it('has a column for every key of a line, and a key for every column, index aside', async () => {
    const text = (await new JsonLinesRecordWriter().write(ColumnBatch.of(edgeRows()))).toString('utf8');
    const { columns } = ddlColumns('jsonl');
    for (const line of text.trimEnd().split('\n')) {
      const keys = Object.keys(JSON.parse(line) as object);
      assert.deepEqual(keys.filter((k) => k !== 'index'), columns.map((c) => c.name));
      assert.ok(keys.includes('index'));
    }
  });
});
