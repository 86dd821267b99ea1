// The lake's `ticks` table as a Hive-metastore table (what AWS Glue stores
// and Athena queries), derived from LAKE_COLUMNS and the Hive layout the sink
// writes. One definition feeds both the Athena DDL (athena-ddl.ts) and the
// Glue TableInput (glue-table.ts), so the two cannot drift.
//
// Partitions are found by *partition projection*, not by a crawler or MSCK
// REPAIR: Athena computes the folders from the table properties, so objects
// the sink writes are queryable as soon as they are uploaded, and nothing has
// to run after a new year or index appears.
//   - `index` is an enum over the known symbols. The values are the *path*
//     values (hive-escape's encoding) because Athena substitutes them into
//     storage.location.template verbatim and does not decode them: a symbol
//     that needs escaping (`^GSPC` → `%5EGSPC`) is queried by its encoded
//     form. None of the 14 shipped symbols needs it, and enrichment
//     dead-letters symbols outside the reference data, so the lake holds no
//     others.
//   - `year` is an integer range; the partitioner writes 4-digit years.
import type { ParquetCompression } from '../format/parquet-record-writer.js';
import { LAKE_COLUMNS, type LakeType } from '../format/lake-columns.js';
import { escapePartitionValue } from '../partitioner/hive-escape.js';
import { tablePrefix } from '../storage/object-key.js';

/** Hive/Glue column types (the names Athena's DDL and Glue's API use). */
export type HiveType = 'string' | 'date' | 'double' | 'bigint' | 'int' | 'timestamp';

export const HIVE_TYPES: Readonly<Record<LakeType, HiveType>> = {
  VARCHAR: 'string',
  DATE: 'date',
  DOUBLE: 'double',
  BIGINT: 'bigint',
  INTEGER: 'int',
  // Parquet TIMESTAMP(MILLIS, isAdjustedToUTC=false) and ISO strings with Z: UTC instants, read as Hive timestamps.
  TIMESTAMP: 'timestamp',
};

export interface HiveColumn {
  name: string;
  type: HiveType;
}

export type LakeFormat = 'parquet' | 'jsonl';

/** Years Athena projects (inclusive); the data set starts in 1965. */
export const DEFAULT_YEAR_RANGE: readonly [number, number] = [1900, 2100];

export interface LakeTableOptions {
  database: string;
  table: string;
  bucket: string;
  /** The sink's S3_PREFIX ('' = bucket root); slashes at either end are ignored. */
  prefix: string;
  format: LakeFormat;
  /** Index symbols as they appear in the data (e.g. `^GSPC`), encoded here for the path. */
  indexSymbols: readonly string[];
  /** The sink's Parquet codec, for the table's write property (default snappy). */
  compression?: ParquetCompression;
  /** The file's columns (default LAKE_COLUMNS); partition keys among them are left out of the data columns. */
  columns?: readonly { name: string; type: LakeType }[];
  yearRange?: readonly [number, number];
}

export interface StorageFormat {
  inputFormat: string;
  outputFormat: string;
  serializationLibrary: string;
  serdeParameters: Readonly<Record<string, string>>;
  /** Glue's `classification` (what the console and crawlers call the data format). */
  classification: string;
}

export const STORAGE_FORMATS: Readonly<Record<LakeFormat, StorageFormat>> = {
  parquet: {
    inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
    serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
    serdeParameters: { 'serialization.format': '1' },
    classification: 'parquet',
  },
  // One JSON object per line. Dates are YYYY-MM-DD and timestamps ISO 8601
  // with milliseconds and Z, which the OpenX reader of Athena's engine (Trino)
  // parses as UTC instants.
  jsonl: {
    inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
    outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
    serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
    serdeParameters: {},
    classification: 'json',
  },
};

export interface LakeTableDefinition {
  database: string;
  table: string;
  format: LakeFormat;
  /** Columns read from the files, in file order, without the partition keys. */
  columns: HiveColumn[];
  /** `index` then `year`: the folder order of the Hive layout. */
  partitionKeys: HiveColumn[];
  /** `s3://<bucket>/<prefix>/ticks/` */
  location: string;
  storage: StorageFormat;
  /** Table properties, in a fixed order: TBLPROPERTIES of the DDL = Parameters of the Glue table. */
  parameters: [string, string][];
}

/** Athena's rule for database, table and column names: lower case, digits, underscore. */
const NAME = /^[a-z0-9_]{1,255}$/;

function checkName(what: string, name: string): string {
  if (!NAME.test(name)) throw new RangeError(`${what} ${JSON.stringify(name)} must be 1-255 lower-case letters, digits or underscores (Athena/Glue naming)`);
  return name;
}

const COMPRESSION_PROPERTY: Readonly<Record<ParquetCompression, string>> = { zstd: 'ZSTD', snappy: 'SNAPPY', uncompressed: 'UNCOMPRESSED' };

/** The partition values Athena projects for `index`: encoded as in the paths, in the given order, without duplicates. */
export function encodedIndexValues(symbols: readonly string[]): string[] {
  const values = [...new Set(symbols.map(escapePartitionValue))];
  if (values.length === 0) throw new RangeError('partition projection needs at least one index symbol');
  return values;
}

/** `s3://bucket/<prefix>/ticks/` */
export function tableLocation(bucket: string, prefix: string): string {
  return `s3://${bucket}/${tablePrefix(prefix, 'ticks')}`;
}

export function lakeTableDefinition(opts: LakeTableOptions): LakeTableDefinition {
  const source = opts.columns ?? LAKE_COLUMNS;
  const indexColumn = source.find((c) => c.name === 'index');
  const partitionKeys: HiveColumn[] = [
    // From the file's own `index` column when it has one, so the two types cannot differ.
    { name: 'index', type: indexColumn ? HIVE_TYPES[indexColumn.type] : 'string' },
    { name: 'year', type: 'int' },
  ];
  const keyNames = new Set(partitionKeys.map((k) => k.name));
  // Athena rejects a name that is both a data column and a partition key.
  const columns = source.filter((c) => !keyNames.has(c.name)).map((c) => ({ name: checkName('column', c.name), type: HIVE_TYPES[c.type] }));
  if (columns.length === 0) throw new RangeError('the table needs at least one data column');
  const duplicate = columns.find((c, i) => columns.findIndex((d) => d.name === c.name) !== i);
  if (duplicate) throw new RangeError(`column ${duplicate.name} is listed twice`);

  const [from, to] = opts.yearRange ?? DEFAULT_YEAR_RANGE;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to > 9999 || from > to) {
    throw new RangeError(`year range must be two integers 0 <= from <= to <= 9999, got ${from},${to}`);
  }
  const location = tableLocation(opts.bucket, opts.prefix);
  const storage = STORAGE_FORMATS[opts.format];
  const parameters: [string, string][] = [['classification', storage.classification]];
  if (opts.format === 'parquet') parameters.push(['parquet.compression', COMPRESSION_PROPERTY[opts.compression ?? 'snappy']]);
  parameters.push(
    ['projection.enabled', 'true'],
    ['projection.index.type', 'enum'],
    ['projection.index.values', encodedIndexValues(opts.indexSymbols).join(',')],
    ['projection.year.type', 'integer'],
    ['projection.year.range', `${from},${to}`],
    // The partitioner zero-pads years to 4 digits (year=0999 for 999).
    ['projection.year.digits', '4'],
    ['storage.location.template', `${location}${partitionKeys.map((k) => `${k.name}=\${${k.name}}`).join('/')}`],
  );
  return {
    database: checkName('database', opts.database),
    table: checkName('table', opts.table),
    format: opts.format,
    columns,
    partitionKeys,
    location,
    storage,
    parameters,
  };
}
