// The catalog step against a real Glue API server: moto's server mode, the
// local stack's optional `glue` component. The test uses GLUE_ENDPOINT when
// it answers; otherwise it starts the component itself (`stack.sh up glue`,
// a pip install on first use) and stops it again at the end. Each run uses
// its own database names and deletes them afterwards.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  DeleteDatabaseCommand, GetDatabaseCommand, GetTableCommand, GetTableVersionsCommand, GlueClient, type Table,
} from '@aws-sdk/client-glue';
import { glueClientConfig, lakeTableOptions, loadCatalogConfig, type CatalogConfig } from '../../src/catalog/catalog-settings.js';
import { glueTableInput, registerGlueTable } from '../../src/catalog/glue-table.js';
import { loadIndexSymbols } from '../../src/catalog/index-symbols.js';
import { lakeTableDefinition, type LakeTableDefinition } from '../../src/catalog/lake-table.js';

const STACK = fileURLToPath(new URL('../../../../../deploy/local/stack.sh', import.meta.url));
const CLI = fileURLToPath(new URL('../../src/catalog-main.js', import.meta.url));
const STACK_ENDPOINT = `http://127.0.0.1:${process.env.GLUE_PORT ?? '5001'}`;
const endpoint = process.env.GLUE_ENDPOINT ?? STACK_ENDPOINT;
// moto checks no signature, but the SDK needs some credentials to sign with.
const credentials = { GLUE_ACCESS_KEY_ID: process.env.GLUE_ACCESS_KEY_ID ?? 'stockstream', GLUE_SECRET_ACCESS_KEY: process.env.GLUE_SECRET_ACCESS_KEY ?? 'stockstream-secret' };
const runId = randomBytes(4).toString('hex');

/** True when a Glue API answers at the endpoint (GetDatabases, unsigned: moto does not check). */
async function glueAnswers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'X-Amz-Target': 'AWSGlue.GetDatabases', 'Content-Type': 'application/x-amz-json-1.1' },
      body: '{}',
      signal: AbortSignal.timeout(3000),
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

function whyNot(): string | false {
  if (process.env.GLUE_ENDPOINT && process.env.GLUE_ENDPOINT !== STACK_ENDPOINT) return false; // must answer; checked in before()
  if (process.env.STOCKSTREAM_EXTERNAL_STACK === '1' && !process.env.GLUE_ENDPOINT) return 'STOCKSTREAM_EXTERNAL_STACK=1 without GLUE_ENDPOINT: no Glue server to use';
  if (!existsSync(STACK)) return `${STACK} not found`;
  return false;
}

function tableShape(t: Table | undefined) {
  const sd = t?.StorageDescriptor;
  return {
    columns: sd?.Columns?.map((c) => ({ name: c.Name, type: c.Type })),
    partitionKeys: t?.PartitionKeys?.map((c) => ({ name: c.Name, type: c.Type })),
    location: sd?.Location,
    inputFormat: sd?.InputFormat,
    outputFormat: sd?.OutputFormat,
    serde: sd?.SerdeInfo?.SerializationLibrary,
    tableType: t?.TableType,
    parameters: t?.Parameters,
  };
}

function expectedShape(def: LakeTableDefinition) {
  return {
    columns: def.columns,
    partitionKeys: def.partitionKeys,
    location: def.location,
    inputFormat: def.storage.inputFormat,
    outputFormat: def.storage.outputFormat,
    serde: def.storage.serializationLibrary,
    tableType: 'EXTERNAL_TABLE',
    parameters: Object.fromEntries(def.parameters),
  };
}

describe('Glue catalog on a real Glue API (moto server)', { skip: whyNot() }, () => {
  let startedHere = false;
  let cfg: CatalogConfig;
  let client: GlueClient;
  const databases: string[] = [];

  before(async () => {
    if (!(await glueAnswers(endpoint))) {
      assert.equal(endpoint, STACK_ENDPOINT, `GLUE_ENDPOINT=${endpoint} does not answer`);
      // Up to a few minutes the first time: pip installs moto into the stack's cache.
      execFileSync(STACK, ['up', 'glue'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
      startedHere = true;
      assert.ok(await glueAnswers(endpoint), `stack.sh up glue returned but ${endpoint} does not answer`);
    }
    cfg = loadCatalogConfig({ ...process.env, GLUE_ENDPOINT: endpoint, ...credentials, GLUE_DATABASE: `it_catalog_${runId}` });
    client = new GlueClient(glueClientConfig(cfg));
  });

  after(async () => {
    for (const name of databases) await client?.send(new DeleteDatabaseCommand({ Name: name })).catch(() => undefined);
    client?.destroy();
    if (startedHere) execFileSync(STACK, ['down', 'glue'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  });

  const getTable = async (database: string, table: string) => (await client.send(new GetTableCommand({ DatabaseName: database, Name: table }))).Table;

  it('registers database and table, and reads back the same definition', async () => {
    const def = lakeTableDefinition(lakeTableOptions(cfg, loadIndexSymbols()));
    databases.push(def.database);
    const result = await registerGlueTable({ client, database: def.database, table: def.table, input: glueTableInput(def) });
    assert.deepEqual(result, { database: 'created', table: 'created' });

    const table = await getTable(def.database, def.table);
    assert.equal(table?.Name, 'ticks');
    assert.equal(table?.DatabaseName, def.database);
    assert.deepEqual(tableShape(table), expectedShape(def));
    assert.equal(table?.StorageDescriptor?.Columns?.some((c) => c.Name === 'index'), false);
    assert.equal(table?.Parameters?.['projection.index.values']?.split(',').length, 14);
    assert.equal(table?.Parameters?.['storage.location.template'], 's3://stockstream-lake/lake/ticks/index=${index}/year=${year}');

    const db = (await client.send(new GetDatabaseCommand({ Name: def.database }))).Database;
    assert.equal(db?.Name, def.database);
    assert.match(db?.Description ?? '', /StockStream/);
  });

  it('registers again as an update in place: same table, new definition, no error', async () => {
    const first = lakeTableDefinition(lakeTableOptions(cfg, loadIndexSymbols()));
    // The same definition again: converges, nothing changes.
    assert.deepEqual(
      await registerGlueTable({ client, database: first.database, table: first.table, input: glueTableInput(first) }),
      { database: 'existed', table: 'updated' },
    );
    assert.deepEqual(tableShape(await getTable(first.database, first.table)), expectedShape(first));

    // A changed definition (another codec, one more index) replaces the old one.
    const changed = lakeTableDefinition({ ...lakeTableOptions(cfg, [...loadIndexSymbols(), '^GSPC']), compression: 'snappy' });
    assert.deepEqual(
      await registerGlueTable({ client, database: changed.database, table: changed.table, input: glueTableInput(changed) }),
      { database: 'existed', table: 'updated' },
    );
    const table = await getTable(changed.database, changed.table);
    assert.deepEqual(tableShape(table), expectedShape(changed));
    assert.equal(table?.Parameters?.['parquet.compression'], 'SNAPPY');
    assert.match(table?.Parameters?.['projection.index.values'] ?? '', /,%5EGSPC$/);
    const versions = (await client.send(new GetTableVersionsCommand({ DatabaseName: changed.database, TableName: changed.table }))).TableVersions ?? [];
    assert.ok(versions.length >= 2, `expected the replaced definitions kept as versions, got ${versions.length}`);
  });

  it('stockstream catalog register does the same from the environment (JSON Lines table)', async () => {
    const database = `it_catalog_cli_${runId}`;
    databases.push(database);
    const env = {
      PATH: process.env.PATH ?? '', GLUE_ENDPOINT: endpoint, ...credentials, GLUE_DATABASE: database, GLUE_TABLE: 'ticks_json',
      S3_BUCKET: 'cli-lake', S3_PREFIX: 'p', SINK_FORMAT: 'jsonl', S3_REGION: cfg.s3Region,
    };
    for (const [i, state] of ['created', 'updated'].entries()) {
      const r = spawnSync(process.execPath, [CLI, 'register'], { env, encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`database ${database} ${i === 0 ? 'created' : 'existed'}, table ${database}\\.ticks_json ${state}: jsonl at s3://cli-lake/p/ticks/`));
    }
    const def = lakeTableDefinition(lakeTableOptions(loadCatalogConfig(env), loadIndexSymbols()));
    assert.deepEqual(tableShape(await getTable(database, 'ticks_json')), expectedShape(def));
    assert.equal((await getTable(database, 'ticks_json'))?.Parameters?.classification, 'json');
  });

  it('names the endpoint when registering fails', () => {
    const r = spawnSync(process.execPath, [CLI, 'register'], {
      env: { PATH: process.env.PATH ?? '', GLUE_ENDPOINT: 'http://127.0.0.1:9', ...credentials }, encoding: 'utf8', timeout: 60_000,
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /registering stockstream\.ticks in Glue at http:\/\/127\.0\.0\.1:9 failed: .*ECONNREFUSED/);
  });
});
