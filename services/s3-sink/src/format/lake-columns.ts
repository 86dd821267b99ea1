import type { EnrichedTick } from '@stockstream/common';

// The columns of the lake's `ticks` table, in file order: one list that both
// writers (and the README/DDL) follow, so Parquet and JSON Lines cannot drift.
//
// Names are snake_case, the Athena/Glue convention (Glue lower-cases names;
// camelCase would be read back as `adjclose`). The nested Avro `source` record
// is flattened to source_kind/source_name/source_line: flat columns are what
// every SQL engine filters and prunes best.
//
// Partition columns: `index` stays inside the file as well as in the path, so
// an object read on its own (downloaded, or fetched by the query layer through
// the S3 API rather than a Hive-aware path) still says which index it holds;
// Hive-aware readers take the value from the path (DuckDB's hive_partitioning
// overrides the in-file column with the decoded path value, which is equal by
// construction; Athena reads Parquet by name and ignores a data column that is
// declared as partition key — declare `index` only as partition key there).
// `year` is not in the file: it is derived (year(date), UTC), and a reader
// that needs it without the path computes it from `date`.

/** Logical types; the Parquet writer maps them to DuckDB/Parquet types, JSON Lines to JSON values. */
export type LakeType = 'VARCHAR' | 'DATE' | 'DOUBLE' | 'BIGINT' | 'INTEGER' | 'TIMESTAMP';

export interface LakeColumn {
  name: string;
  type: LakeType;
  /**
   * The tick's raw value: strings for VARCHAR, numbers otherwise — epoch days
   * for DATE, epoch milliseconds (UTC) for TIMESTAMP; null only in a
   * `nullable` column.
   */
  get: (tick: EnrichedTick) => string | number | null;
  /**
   * Whether the column may hold nulls: columns added by a later version of
   * the enriched schema, which records of the earlier versions lack. Only
   * VARCHAR columns can be nullable so far.
   */
  nullable?: true;
}

export const LAKE_COLUMNS: readonly LakeColumn[] = [
  { name: 'index', type: 'VARCHAR', get: (t) => t.index },
  { name: 'date', type: 'DATE', get: (t) => t.date },
  { name: 'open', type: 'DOUBLE', get: (t) => t.open },
  { name: 'high', type: 'DOUBLE', get: (t) => t.high },
  { name: 'low', type: 'DOUBLE', get: (t) => t.low },
  { name: 'close', type: 'DOUBLE', get: (t) => t.close },
  { name: 'adj_close', type: 'DOUBLE', get: (t) => t.adjClose },
  { name: 'volume', type: 'BIGINT', get: (t) => t.volume },
  { name: 'exchange', type: 'VARCHAR', get: (t) => t.exchange },
  { name: 'region', type: 'VARCHAR', get: (t) => t.region },
  { name: 'currency', type: 'VARCHAR', get: (t) => t.currency },
  { name: 'fx_rate', type: 'DOUBLE', get: (t) => t.fxRate },
  { name: 'fx_effective_date', type: 'DATE', get: (t) => t.fxEffectiveDate },
  { name: 'close_usd', type: 'DOUBLE', get: (t) => t.closeUsd },
  { name: 'source_kind', type: 'VARCHAR', get: (t) => t.source.kind },
  { name: 'source_name', type: 'VARCHAR', get: (t) => t.source.name },
  { name: 'source_line', type: 'BIGINT', get: (t) => t.source.line },
  { name: 'raw_topic', type: 'VARCHAR', get: (t) => t.rawTopic },
  { name: 'raw_partition', type: 'INTEGER', get: (t) => t.rawPartition },
  { name: 'raw_offset', type: 'BIGINT', get: (t) => t.rawOffset },
  { name: 'ingested_at', type: 'TIMESTAMP', get: (t) => t.ingestedAt },
  { name: 'enriched_at', type: 'TIMESTAMP', get: (t) => t.enrichedAt },
  // Enriched schema v2. Columns added later go last, so positional readers of older files still line up.
  { name: 'fx_source', type: 'VARCHAR', get: (t) => t.fxSource, nullable: true },
];

/** The partition columns that live only in the path, never in the file. */
export const PATH_ONLY_COLUMNS = ['year'] as const;
