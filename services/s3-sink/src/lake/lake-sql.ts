// SQL over a mirrored lake with DuckDB: the table is exposed as the view
// `ticks`, with `index` and `year` from the Hive folders, so filters on them
// prune whole files.
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface QueryResult {
  columns: string[];
  rows: unknown[][];
}

export class LakeSql {
  private constructor(private readonly instance: DuckDBInstance, private readonly connection: DuckDBConnection) {}

  /** `tableDir` is the mirrored table folder (…/ticks); `format` the files' format. */
  static async open(tableDir: string, format: 'parquet' | 'jsonl' = 'parquet'): Promise<LakeSql> {
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const glob = join(tableDir, '**', `*.${format}`).replaceAll("'", "''");
    const reader =
      format === 'parquet'
        ? `read_parquet('${glob}', hive_partitioning = true, hive_types = {'year': INTEGER}, union_by_name = true)`
        : `read_json_auto('${glob}', format = 'newline_delimited', hive_partitioning = true, hive_types = {'year': INTEGER})`;
    const sql = new LakeSql(instance, connection);
    // An empty lake still answers (zero rows) instead of failing on a glob with no files.
    const files = await sql.query(`SELECT count(*) AS n FROM glob('${glob}')`);
    if (Number(files.rows[0]![0]) === 0) {
      await connection.run(`CREATE VIEW ticks AS SELECT NULL::VARCHAR AS "index", NULL::INTEGER AS "year" WHERE false`);
    } else {
      await connection.run(`CREATE VIEW ticks AS SELECT * FROM ${reader}`);
    }
    return sql;
  }

  async query(sql: string): Promise<QueryResult> {
    const reader = await this.connection.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRowsJS() as unknown[][] };
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
