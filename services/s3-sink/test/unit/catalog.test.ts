import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CreateDatabaseCommand, CreateTableCommand, GetDatabaseCommand, UpdateTableCommand, type GlueClient } from '@aws-sdk/client-glue';
import { ConfigError } from '@stockstream/common';
import { athenaDdl, quoteIdentifier, stringLiteral } from '../../src/catalog/athena-ddl.js';
import { catalogSettings, glueClientConfig, lakeTableOptions, loadCatalogConfig } from '../../src/catalog/catalog-settings.js';
import { glueTableInput, registerGlueTable } from '../../src/catalog/glue-table.js';
import { IndexFileError, loadIndexSymbols, parseIndexSymbols, SHIPPED_INDEX_FILE } from '../../src/catalog/index-symbols.js';
import { HIVE_TYPES, lakeTableDefinition, type LakeTableOptions } from '../../src/catalog/lake-table.js';
import { sinkSettings } from '../../src/config.js';
import { LAKE_COLUMNS } from '../../src/format/lake-columns.js';
import { HivePartitioner } from '../../src/partitioner/hive-partitioner.js';
import { tick } from './support/ticks.js';

const CLI = fileURLToPath(new URL('../../src/catalog-main.js', import.meta.url));

const SMALL: LakeTableOptions = {
  database: 'stockstream',
  table: 'ticks',
  bucket: 'my-lake',
  prefix: 'lake',
  format: 'parquet',
  indexSymbols: ['HSI', '^GSPC', '000001.SS'],
  columns: [
    { name: 'index', type: 'VARCHAR' },
    { name: 'date', type: 'DATE' },
    { name: 'close', type: 'DOUBLE' },
    { name: 'volume', type: 'BIGINT' },
    { name: 'raw_partition', type: 'INTEGER' },
    { name: 'ingested_at', type: 'TIMESTAMP' },
  ],
};

function full(overrides: Partial<LakeTableOptions> = {}): LakeTableOptions {
  return { database: 'stockstream', table: 'ticks', bucket: 'stockstream-lake', prefix: 'lake', format: 'parquet', indexSymbols: loadIndexSymbols(), ...overrides };
}

/** The parts of a generated DDL statement, read back from its text. */
function parseDdl(ddl: string) {
  const m = /^CREATE EXTERNAL TABLE IF NOT EXISTS `(\w+)`\.`(\w+)` \(\n([\s\S]*?)\n\)\nPARTITIONED BY \(\n([\s\S]*?)\n\)\n([\s\S]*?)\nLOCATION '([^']*)'\nTBLPROPERTIES \(\n([\s\S]*?)\n\)$/.exec(ddl);
  assert.ok(m, `unexpected DDL shape:\n${ddl}`);
  const cols = (block: string) =>
    block.split('\n').map((line, i, all) => {
      const c = /^ {2}`([^`]+)` (\w+)(,?)$/.exec(line);
      assert.ok(c, `column line ${JSON.stringify(line)} is not "  \`name\` type,"`);
      assert.equal(c[3], i < all.length - 1 ? ',' : '', `comma after ${c[1]}`);
      return { name: c[1]!, type: c[2]! };
    });
  const props = m[7]!.split('\n').map((line) => {
    const p = /^ {2}'([^']*)'='([^']*)',?$/.exec(line);
    assert.ok(p, `property line ${JSON.stringify(line)}`);
    return [p[1]!, p[2]!] as [string, string];
  });
  return { database: m[1]!, table: m[2]!, columns: cols(m[3]!), partitionKeys: cols(m[4]!), storage: m[5]!, location: m[6]!, properties: props };
}

describe('Athena DDL', () => {
  it('is exactly this for a small column set', () => {
    assert.equal(
      athenaDdl(SMALL),
      [
        'CREATE EXTERNAL TABLE IF NOT EXISTS `stockstream`.`ticks` (',
        '  `date` date,',
        '  `close` double,',
        '  `volume` bigint,',
        '  `raw_partition` int,',
        '  `ingested_at` timestamp',
        ')',
        'PARTITIONED BY (',
        '  `index` string,',
        '  `year` int',
        ')',
        'STORED AS PARQUET',
        "LOCATION 's3://my-lake/lake/ticks/'",
        'TBLPROPERTIES (',
        "  'classification'='parquet',",
        "  'parquet.compression'='SNAPPY',",
        "  'projection.enabled'='true',",
        "  'projection.index.type'='enum',",
        "  'projection.index.values'='HSI,%5EGSPC,000001.SS',",
        "  'projection.year.type'='integer',",
        "  'projection.year.range'='1900,2100',",
        "  'projection.year.digits'='4',",
        "  'storage.location.template'='s3://my-lake/lake/ticks/index=${index}/year=${year}'",
        ')',
      ].join('\n'),
    );
  });

  it('lists every lake column but index, in file order, with its Hive type, every identifier in backticks', () => {
    const ddl = parseDdl(athenaDdl(full()));
    assert.deepEqual(
      ddl.columns,
      LAKE_COLUMNS.filter((c) => c.name !== 'index').map((c) => ({ name: c.name, type: HIVE_TYPES[c.type] })),
    );
    assert.equal(ddl.columns.length, 22);
    assert.deepEqual(ddl.columns.at(-1), { name: 'fx_source', type: 'string' }, 'the column of enriched schema v2, last');
    assert.deepEqual(ddl.partitionKeys, [{ name: 'index', type: 'string' }, { name: 'year', type: 'int' }]);
    // Reserved words are only valid quoted: no bare `date`/`index` identifier anywhere.
    const text = athenaDdl(full());
    assert.ok(text.includes('`date` date'));
    assert.doesNotMatch(text.replaceAll(/`[^`]*`|'[^']*'/g, ''), /\b(index|year)\b/);
  });

  it('declares index only as a partition key (Athena rejects a duplicate column)', () => {
    const text = athenaDdl(full());
    assert.equal(text.split('`index`').length - 1, 1);
    const ddl = parseDdl(text);
    const names = [...ddl.columns, ...ddl.partitionKeys].map((c) => c.name);
    assert.equal(new Set(names).size, names.length);
  });

  it('projects the 14 indices of the reference data and the years 1900-2100, no crawler or MSCK needed', () => {
    const props = new Map(parseDdl(athenaDdl(full())).properties);
    assert.equal(props.get('projection.enabled'), 'true');
    assert.equal(props.get('projection.index.type'), 'enum');
    assert.equal(props.get('projection.index.values'), 'NYA,IXIC,HSI,000001.SS,N225,N100,399001.SZ,GSPTSE,NSEI,GDAXI,KS11,SSMI,TWII,J203.JO');
    assert.equal(props.get('projection.year.type'), 'integer');
    assert.equal(props.get('projection.year.range'), '1900,2100');
    assert.equal(props.get('storage.location.template'), 's3://stockstream-lake/lake/ticks/index=${index}/year=${year}');
    assert.equal(props.get('parquet.compression'), 'SNAPPY');
    assert.equal(props.get('classification'), 'parquet');
  });

  it('projects exactly the folders the sink writes (template filled = HivePartitioner path)', () => {
    const def = lakeTableDefinition(full({ indexSymbols: ['HSI', '^GSPC'] }));
    const template = new Map(def.parameters).get('storage.location.template')!;
    const projected = (new Map(def.parameters).get('projection.index.values') ?? '').split(',');
    for (const [i, symbol] of ['HSI', '^GSPC'].entries()) {
      const t = tick({ index: symbol });
      const folder = template.replace('${index}', projected[i]!).replace('${year}', '1999');
      assert.equal(folder, `${def.location}${new HivePartitioner().partitionPath(t)}`);
    }
  });

  it('puts the table under <prefix>/ticks/ like the object keys, for any prefix form', () => {
    assert.equal(lakeTableDefinition(full({ prefix: '' })).location, 's3://stockstream-lake/ticks/');
    assert.equal(lakeTableDefinition(full({ prefix: '/a/b/' })).location, 's3://stockstream-lake/a/b/ticks/');
  });

  it('writes the sink codec as the table compression', () => {
    for (const [compression, value] of [['zstd', 'ZSTD'], ['snappy', 'SNAPPY'], ['uncompressed', 'UNCOMPRESSED']] as const) {
      assert.equal(new Map(lakeTableDefinition(full({ compression })).parameters).get('parquet.compression'), value);
    }
  });

  it('has a JSON Lines variant: OpenX SerDe on text files, same columns and projection', () => {
    const text = athenaDdl(full({ format: 'jsonl' }));
    const ddl = parseDdl(text);
    assert.equal(
      ddl.storage,
      [
        "ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'",
        "STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'",
        "OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'",
      ].join('\n'),
    );
    assert.deepEqual(ddl.columns, parseDdl(athenaDdl(full())).columns);
    const props = new Map(ddl.properties);
    assert.equal(props.get('classification'), 'json');
    assert.equal(props.has('parquet.compression'), false);
    assert.equal(props.get('projection.enabled'), 'true');
    assert.doesNotMatch(text, /PARQUET/);
  });

  it('refuses names Athena would not keep, values it cannot quote, and an empty projection', () => {
    assert.throws(() => athenaDdl({ ...SMALL, database: 'Stock-Stream' }), /database "Stock-Stream" must be/);
    assert.throws(() => athenaDdl({ ...SMALL, table: '' }), /table "" must be/);
    assert.throws(() => athenaDdl({ ...SMALL, prefix: "it's" }), /quote or a backslash/);
    assert.throws(() => athenaDdl({ ...SMALL, indexSymbols: [] }), /at least one index symbol/);
    assert.throws(() => athenaDdl({ ...SMALL, columns: [{ name: 'index', type: 'VARCHAR' }] }), /at least one data column/);
    assert.throws(() => athenaDdl({ ...SMALL, columns: [{ name: 'Open', type: 'DOUBLE' }] }), /column "Open"/);
    assert.throws(() => athenaDdl({ ...SMALL, yearRange: [2000, 1999] }), /year range/);
    assert.throws(() => quoteIdentifier('a`b'), /cannot be quoted/);
    assert.equal(stringLiteral('s3://b/p/'), "'s3://b/p/'");
  });
});

describe('Glue TableInput', () => {
  it('describes the small table for Glue: columns, partition keys, location, Parquet formats, projection', () => {
    assert.deepEqual(glueTableInput(SMALL), {
      Name: 'ticks',
      Description: 'StockStream enriched ticks: one row per index and trading day, written by the S3 sink (Hive layout index=/year=).',
      TableType: 'EXTERNAL_TABLE',
      Parameters: {
        classification: 'parquet',
        'parquet.compression': 'SNAPPY',
        'projection.enabled': 'true',
        'projection.index.type': 'enum',
        'projection.index.values': 'HSI,%5EGSPC,000001.SS',
        'projection.year.type': 'integer',
        'projection.year.range': '1900,2100',
        'projection.year.digits': '4',
        'storage.location.template': 's3://my-lake/lake/ticks/index=${index}/year=${year}',
      },
      PartitionKeys: [{ Name: 'index', Type: 'string' }, { Name: 'year', Type: 'int' }],
      StorageDescriptor: {
        Columns: [
          { Name: 'date', Type: 'date' },
          { Name: 'close', Type: 'double' },
          { Name: 'volume', Type: 'bigint' },
          { Name: 'raw_partition', Type: 'int' },
          { Name: 'ingested_at', Type: 'timestamp' },
        ],
        Location: 's3://my-lake/lake/ticks/',
        InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        Compressed: false,
        NumberOfBuckets: -1,
        SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe', Parameters: { 'serialization.format': '1' } },
        StoredAsSubDirectories: false,
      },
    });
  });

  it('says the same as the DDL, for both formats', () => {
    for (const format of ['parquet', 'jsonl'] as const) {
      const ddl = parseDdl(athenaDdl(full({ format })));
      const input = glueTableInput(full({ format }));
      assert.deepEqual(input.StorageDescriptor?.Columns, ddl.columns.map((c) => ({ Name: c.name, Type: c.type })));
      assert.deepEqual(input.PartitionKeys, ddl.partitionKeys.map((c) => ({ Name: c.name, Type: c.type })));
      assert.equal(input.StorageDescriptor?.Location, ddl.location);
      assert.deepEqual(input.Parameters, Object.fromEntries(ddl.properties));
    }
  });

  it('reads JSON Lines through the OpenX SerDe on text input', () => {
    const sd = glueTableInput(full({ format: 'jsonl' })).StorageDescriptor!;
    assert.equal(sd.InputFormat, 'org.apache.hadoop.mapred.TextInputFormat');
    assert.equal(sd.OutputFormat, 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat');
    assert.equal(sd.SerdeInfo?.SerializationLibrary, 'org.openx.data.jsonserde.JsonSerDe');
    assert.equal(glueTableInput(full({ format: 'jsonl' })).Parameters?.classification, 'json');
  });
});

/** A GlueClient stand-in that answers each command with the next scripted outcome. */
function scriptedClient(outcomes: Record<string, (() => unknown)[]>) {
  const calls: string[] = [];
  const client = {
    send: async (command: object) => {
      const name = command.constructor.name;
      calls.push(name);
      const next = outcomes[name]?.shift();
      assert.ok(next, `unexpected ${name}`);
      return next();
    },
  } as unknown as GlueClient;
  return { client, calls };
}

function awsError(name: string): Error {
  const e = new Error(`${name} (scripted)`);
  e.name = name;
  return e;
}

describe('registerGlueTable (scripted client)', () => {
  const input = glueTableInput(SMALL);
  const ok = () => ({});
  const fail = (name: string) => () => {
    throw awsError(name);
  };

  it('creates a missing database, and tolerates another run creating it first', async () => {
    const a = scriptedClient({ [GetDatabaseCommand.name]: [fail('EntityNotFoundException')], [CreateDatabaseCommand.name]: [ok], [CreateTableCommand.name]: [ok] });
    assert.deepEqual(await registerGlueTable({ client: a.client, database: 'db', table: 't', input }), { database: 'created', table: 'created' });
    const b = scriptedClient({
      [GetDatabaseCommand.name]: [fail('EntityNotFoundException')], [CreateDatabaseCommand.name]: [fail('AlreadyExistsException')], [CreateTableCommand.name]: [ok],
    });
    assert.deepEqual(await registerGlueTable({ client: b.client, database: 'db', table: 't', input }), { database: 'existed', table: 'created' });
  });

  it('updates a table that exists', async () => {
    const s = scriptedClient({ [GetDatabaseCommand.name]: [ok], [CreateTableCommand.name]: [fail('AlreadyExistsException')], [UpdateTableCommand.name]: [ok] });
    assert.deepEqual(await registerGlueTable({ client: s.client, database: 'db', table: 't', input }), { database: 'existed', table: 'updated' });
    assert.deepEqual(s.calls, ['GetDatabaseCommand', 'CreateTableCommand', 'UpdateTableCommand']);
  });

  it('passes any other error on (no silent success on access denied)', async () => {
    const s = scriptedClient({ [GetDatabaseCommand.name]: [fail('AccessDeniedException')] });
    await assert.rejects(registerGlueTable({ client: s.client, database: 'db', table: 't', input }), { name: 'AccessDeniedException' });
    const t = scriptedClient({ [GetDatabaseCommand.name]: [ok], [CreateTableCommand.name]: [fail('InvalidInputException')] });
    await assert.rejects(registerGlueTable({ client: t.client, database: 'db', table: 't', input }), { name: 'InvalidInputException' });
  });
});

describe('catalog settings', () => {
  it('reuses the sink settings for where the lake is and how it is written', () => {
    for (const key of ['s3Bucket', 's3Prefix', 's3Region', 'format', 'parquetCompression'] as const) assert.equal(catalogSettings[key], sinkSettings[key]);
    const cfg = loadCatalogConfig({});
    assert.deepEqual(
      { db: cfg.glueDatabase, table: cfg.glueTable, bucket: cfg.s3Bucket, prefix: cfg.s3Prefix, format: cfg.format, region: cfg.s3Region, endpoint: cfg.glueEndpoint },
      { db: 'stockstream', table: 'ticks', bucket: 'stockstream-lake', prefix: 'lake', format: 'parquet', region: 'us-east-1', endpoint: undefined },
    );
    assert.deepEqual(lakeTableOptions(loadCatalogConfig({ S3_BUCKET: 'lake-1', S3_PREFIX: '/x/', SINK_FORMAT: 'jsonl', SINK_COMPRESSION: 'snappy' }), ['HSI']), {
      database: 'stockstream', table: 'ticks', bucket: 'lake-1', prefix: 'x', format: 'jsonl', compression: 'snappy', indexSymbols: ['HSI'],
    });
  });

  it('fails naming every bad variable at once', () => {
    const env = { GLUE_DATABASE: 'Stock-Stream', GLUE_ENDPOINT: 'ftp://x', SINK_FORMAT: 'csv', S3_BUCKET: 'A_B', GLUE_SECRET_ACCESS_KEY: 'hush' };
    assert.throws(() => loadCatalogConfig(env), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join('\n');
      for (const name of ['GLUE_DATABASE', 'GLUE_ENDPOINT', 'SINK_FORMAT', 'S3_BUCKET', 'GLUE_ACCESS_KEY_ID and GLUE_SECRET_ACCESS_KEY']) assert.match(text, new RegExp(name));
      assert.doesNotMatch(text, /hush/);
      return true;
    });
  });

  it('builds the Glue client: region of the bucket, optional endpoint and static keys', () => {
    assert.deepEqual(glueClientConfig(loadCatalogConfig({ S3_REGION: 'eu-west-1' })), { region: 'eu-west-1' });
    assert.deepEqual(
      glueClientConfig(loadCatalogConfig({ GLUE_ENDPOINT: 'http://127.0.0.1:5001', GLUE_ACCESS_KEY_ID: 'k', GLUE_SECRET_ACCESS_KEY: 's' })),
      { region: 'us-east-1', endpoint: 'http://127.0.0.1:5001', credentials: { accessKeyId: 'k', secretAccessKey: 's' } },
    );
  });
});

describe('index symbols', () => {
  it('are the 14 of services/enrichment/data/indices.json, none of which needs escaping in a path', () => {
    const symbols = loadIndexSymbols();
    assert.match(SHIPPED_INDEX_FILE, /services\/enrichment\/data\/indices\.json$/);
    assert.equal(symbols.length, 14);
    assert.deepEqual(new Map(lakeTableDefinition(full()).parameters).get('projection.index.values')!.split(','), symbols);
  });

  it('name the file and the entry when the file is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"indices": [');
    assert.throws(() => loadIndexSymbols(bad), (e: unknown) => e instanceof IndexFileError && e.message.startsWith(`${bad}: not valid JSON`));
    assert.throws(() => loadIndexSymbols(join(dir, 'missing.json')), { name: 'InputFileError', message: `cannot read ${join(dir, 'missing.json')}: no such file` });
    assert.throws(() => parseIndexSymbols({ indices: [] }, 'f.json'), /f\.json: "indices" is empty/);
    assert.throws(() => parseIndexSymbols({ indices: [{ index: 'HSI' }, { index: ' HSI ' }] }, 'f.json'), /entry 2: index HSI is listed twice/);
    assert.throws(() => parseIndexSymbols({ indices: [{ exchange: 'X' }] }, 'f.json'), /entry 1: "index" must be a non-empty string/);
    assert.throws(() => parseIndexSymbols([], 'f.json'), /array "indices"/);
  });
});

describe('stockstream catalog CLI', () => {
  const run = (args: string[], env: Record<string, string> = {}) => {
    // Only the variables given here: none of the caller's S3_/GLUE_ settings leak in.
    const r = spawnSync(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('ddl prints the statement for the sink settings, ended by a semicolon', () => {
    const r = run(['ddl'], { S3_BUCKET: 'my-lake', SINK_FORMAT: 'jsonl' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${athenaDdl(full({ bucket: 'my-lake', format: 'jsonl' }))};\n`);
  });

  it('fails fast naming the variable: exit 78 for configuration, 64 for usage', () => {
    const bad = run(['register'], { GLUE_DATABASE: 'Bad-Name' });
    assert.equal(bad.code, 78);
    assert.match(bad.stderr, /GLUE_DATABASE must be lower-case letters, digits and _; got "Bad-Name"/);
    const file = run(['ddl'], { INDEX_REFERENCE_FILE: '/nonexistent/indices.json' });
    assert.equal(file.code, 78);
    assert.match(file.stderr, /^ {2}- INDEX_REFERENCE_FILE: cannot read \/nonexistent\/indices\.json: no such file$/m);
    assert.equal(run([]).code, 64);
    assert.equal(run(['ddl', 'extra']).code, 64);
    assert.equal(run(['crawl']).code, 64);
    const help = run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: stockstream catalog ddl \| register/);
    assert.match(help.stdout, /^ {2}GLUE_DATABASE +.*\(default stockstream\)$/m, 'the settings it reads');
    assert.equal(run(['ddl', '--help']).code, 0);
  });
});
