// The lake table in the AWS Glue Data Catalog (Athena's metastore): the same
// definition as the DDL, as a Glue TableInput, and an idempotent register
// step that creates the database and the table or updates the table in place.
import {
  CreateDatabaseCommand, CreateTableCommand, GetDatabaseCommand, UpdateTableCommand,
  type GlueClient, type TableInput,
} from '@aws-sdk/client-glue';
import { lakeTableDefinition, type LakeTableDefinition, type LakeTableOptions } from './lake-table.js';

export function glueTableInput(table: LakeTableOptions | LakeTableDefinition): TableInput {
  const def = 'partitionKeys' in table ? table : lakeTableDefinition(table);
  return {
    Name: def.table,
    Description: 'StockStream enriched ticks: one row per index and trading day, written by the S3 sink (Hive layout index=/year=).',
    TableType: 'EXTERNAL_TABLE',
    Parameters: Object.fromEntries(def.parameters),
    PartitionKeys: def.partitionKeys.map((k) => ({ Name: k.name, Type: k.type })),
    StorageDescriptor: {
      Columns: def.columns.map((c) => ({ Name: c.name, Type: c.type })),
      Location: def.location,
      InputFormat: def.storage.inputFormat,
      OutputFormat: def.storage.outputFormat,
      Compressed: false,
      NumberOfBuckets: -1,
      SerdeInfo: { SerializationLibrary: def.storage.serializationLibrary, Parameters: { ...def.storage.serdeParameters } },
      StoredAsSubDirectories: false,
    },
  };
}

export interface RegisterGlueTable {
  client: GlueClient;
  database: string;
  /** Overrides input.Name. */
  table: string;
  input: TableInput;
  /** Used only when the database is created. */
  databaseDescription?: string;
}

export interface RegisterResult {
  database: 'created' | 'existed';
  table: 'created' | 'updated';
}

function isError(err: unknown, name: string): boolean {
  return err instanceof Error && err.name === name;
}

/**
 * Creates the database if missing, then creates the table, or updates it if
 * it exists: running it again converges on the same definition (Glue keeps
 * the replaced definition as an older table version).
 */
export async function registerGlueTable({ client, database, table, input, databaseDescription }: RegisterGlueTable): Promise<RegisterResult> {
  const result: RegisterResult = { database: 'existed', table: 'created' };
  try {
    await client.send(new GetDatabaseCommand({ Name: database }));
  } catch (err) {
    if (!isError(err, 'EntityNotFoundException')) throw err;
    try {
      await client.send(new CreateDatabaseCommand({
        DatabaseInput: { Name: database, Description: databaseDescription ?? 'StockStream market-data lake (S3 Parquet, Hive layout).' },
      }));
      result.database = 'created';
    } catch (createErr) {
      // Another register run created it in between.
      if (!isError(createErr, 'AlreadyExistsException')) throw createErr;
    }
  }
  const tableInput: TableInput = { ...input, Name: table };
  try {
    await client.send(new CreateTableCommand({ DatabaseName: database, TableInput: tableInput }));
  } catch (err) {
    if (!isError(err, 'AlreadyExistsException')) throw err;
    await client.send(new UpdateTableCommand({ DatabaseName: database, TableInput: tableInput }));
    result.table = 'updated';
  }
  return result;
}
