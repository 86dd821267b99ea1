// The lake table as Athena DDL (Hive dialect): what a user pastes into the
// Athena console, or runs once with StartQueryExecution, instead of running a
// Glue crawler. Pure text generation from lake-table.ts.
import { lakeTableDefinition, type LakeTableDefinition, type LakeTableOptions } from './lake-table.js';

/**
 * `name` in backticks: Athena's DDL quoting, needed for reserved words such
 * as `index` and `date` and harmless for the rest.
 */
export function quoteIdentifier(name: string): string {
  if (name === '' || name.includes('`')) throw new RangeError(`identifier ${JSON.stringify(name)} cannot be quoted`);
  return `\`${name}\``;
}

/**
 * `'value'`. Hive's string literals treat backslash as an escape; rather than
 * depend on that, values with a quote or a backslash (none of ours: bucket
 * names, key prefixes, class names, encoded symbols) are refused.
 */
export function stringLiteral(value: string): string {
  if (/['\\]/.test(value)) throw new RangeError(`${JSON.stringify(value)} contains a quote or a backslash, which the DDL does not escape`);
  return `'${value}'`;
}

function columnList(columns: readonly { name: string; type: string }[]): string {
  return columns.map((c) => `  ${quoteIdentifier(c.name)} ${c.type}`).join(',\n');
}

/** The storage clause: Parquet by name, JSON Lines through the OpenX SerDe with explicit text formats. */
function storageClause(def: LakeTableDefinition): string[] {
  if (def.format === 'parquet') return ['STORED AS PARQUET'];
  const serdeProps = Object.entries(def.storage.serdeParameters);
  return [
    `ROW FORMAT SERDE ${stringLiteral(def.storage.serializationLibrary)}`,
    ...(serdeProps.length > 0 ? [`WITH SERDEPROPERTIES (${serdeProps.map(([k, v]) => `${stringLiteral(k)}=${stringLiteral(v)}`).join(', ')})`] : []),
    `STORED AS INPUTFORMAT ${stringLiteral(def.storage.inputFormat)}`,
    `OUTPUTFORMAT ${stringLiteral(def.storage.outputFormat)}`,
  ];
}

/**
 * `CREATE EXTERNAL TABLE IF NOT EXISTS` for the lake table, with partition
 * projection. Without a trailing semicolon (StartQueryExecution takes one
 * statement as is; the CLI adds it when printing).
 */
export function athenaDdl(table: LakeTableOptions | LakeTableDefinition): string {
  const def = 'partitionKeys' in table ? table : lakeTableDefinition(table);
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${quoteIdentifier(def.database)}.${quoteIdentifier(def.table)} (`,
    columnList(def.columns),
    ')',
    'PARTITIONED BY (',
    columnList(def.partitionKeys),
    ')',
    ...storageClause(def),
    `LOCATION ${stringLiteral(def.location)}`,
    'TBLPROPERTIES (',
    def.parameters.map(([k, v]) => `  ${stringLiteral(k)}=${stringLiteral(v)}`).join(',\n'),
    ')',
  ].join('\n');
}
