import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ColumnBatch, UnrepresentableValueError } from '../../src/format/column-batch.js';
import { LAKE_COLUMNS } from '../../src/format/lake-columns.js';
import { edgeRows, manyRows, tick } from './support/ticks.js';

/** Every row back as LakeColumn.get values. */
function table(b: ColumnBatch): (string | number | null)[][] {
  return Array.from({ length: b.length }, (_, r) => LAKE_COLUMNS.map((_, c) => b.value(c, r)));
}

describe('ColumnBatch', () => {
  it('holds every lake column of every row exactly, past many growths', () => {
    const rows = [...edgeRows(), ...manyRows(5_000)];
    const b = ColumnBatch.of(rows);
    assert.equal(b.length, rows.length);
    assert.deepEqual(table(b), rows.map((t) => LAKE_COLUMNS.map((c) => c.get(t))));
  });

  it('keeps strings as per-batch dictionary ids in first-seen order', () => {
    const b = ColumnBatch.of([tick({ index: 'B' }), tick({ index: 'A' }), tick({ index: 'B' })]);
    const c = LAKE_COLUMNS.findIndex((col) => col.name === 'index');
    assert.deepEqual(b.dictionary(c), ['B', 'A']);
    assert.deepEqual([...b.values(c)], [0, 1, 0]);
    assert.throws(() => b.dictionary(LAKE_COLUMNS.findIndex((col) => col.name === 'close')), /not a string column/);
  });

  it('refuses a value its column cannot hold exactly, naming it, and adds nothing of that row', () => {
    const b = ColumnBatch.of([tick({ index: 'FIRST' })]);
    assert.throws(() => b.append(tick({ index: 'NEW', volume: 1.5 })), (e: Error) => e instanceof UnrepresentableValueError && /volume: 1.5 is not a 53-bit integer/.test(e.message));
    assert.throws(() => b.append(tick({ rawPartition: 2 ** 31 })), /raw_partition: 2147483648 is not a 32-bit integer/);
    assert.throws(() => b.append(tick({ rawOffset: 2 ** 53 })), UnrepresentableValueError);
    assert.throws(() => b.append(tick({ date: 0.5 })), /date: 0.5 is not a 32-bit integer/);
    assert.equal(b.length, 1);
    assert.deepEqual(b.dictionary(0), ['FIRST']);
    b.append(tick({ index: 'AFTER' }));
    assert.deepEqual(table(b).map((r) => r[0]), ['FIRST', 'AFTER']);
  });

  it('gives the Parquet encoder views of its first `length` values, no copies', () => {
    const b = ColumnBatch.of(manyRows(3));
    const cols = b.parquetColumns();
    assert.deepEqual(cols.map((c) => c.name), LAKE_COLUMNS.map((c) => c.name));
    for (const c of cols) assert.equal(c.kind === 'string' ? c.ids.length : c.values.length, 3);
  });
});

describe('ColumnBatch as plain data (for the upload worker)', () => {
  it('round-trips through structured clone, and the copy grows on append like the original', () => {
    const rows = [...edgeRows(), ...manyRows(100)];
    const copy = ColumnBatch.fromData(structuredClone(ColumnBatch.of(rows).toData()));
    assert.deepEqual(table(copy), rows.map((t) => LAKE_COLUMNS.map((c) => c.get(t))));
    copy.append(tick({ index: 'MORE' }));
    assert.equal(copy.length, rows.length + 1);
    assert.equal(copy.value(0, rows.length), 'MORE');
    const empty = ColumnBatch.fromData(structuredClone(new ColumnBatch().toData()));
    assert.equal(empty.length, 0);
    empty.append(tick());
    assert.deepEqual(table(empty), [LAKE_COLUMNS.map((c) => c.get(tick()))]);
  });

  it('is one buffer to transfer: the copy keeps no view of the batch, which goes on growing', () => {
    const b = ColumnBatch.of(manyRows(300)); // past the first capacity: grown once
    const d = b.toData();
    const buffers = ColumnBatch.transferables(d);
    assert.equal(buffers.length, 1);
    assert.ok(d.data.every((a) => a.length === 300));
    const moved = structuredClone(d, { transfer: buffers });
    assert.equal(buffers[0]!.byteLength, 0, 'transferred, not copied');
    b.append(tick({ index: 'LATER' }));
    assert.deepEqual(table(ColumnBatch.fromData(moved)), table(b).slice(0, 300), 'the transferred rows are the batch\'s');
    assert.equal(b.value(0, 300), 'LATER');
  });

  it('gives its buffer to the next batches once released, and takes no rows after it', () => {
    const a = ColumnBatch.of(manyRows(300)); // grown once: the 256-row buffer went back to the pool
    const released = a.values(0).buffer;
    a.release();
    assert.equal(a.length, 0, 'a released batch is empty: its memory is someone else\'s');
    assert.throws(() => a.append(tick()), /released/);
    const rows = manyRows(300);
    const b = ColumnBatch.of(rows);
    assert.equal(b.values(0).buffer, released, 'the next batch of that size writes the released buffer');
    assert.deepEqual(table(b), rows.map((t) => LAKE_COLUMNS.map((c) => c.get(t))), 'and holds its own rows exactly');
    a.release(); // twice: nothing happens
    assert.deepEqual(table(b), rows.map((t) => LAKE_COLUMNS.map((c) => c.get(t))), 'a second release gives nothing back twice');
  });

  it('refuses data that does not match the lake columns', () => {
    const d = ColumnBatch.of([tick()]).toData();
    assert.throws(() => ColumnBatch.fromData({ ...d, data: d.data.slice(1) }), /does not match/);
    assert.throws(() => ColumnBatch.fromData({ ...d, length: 2 }), /does not match/);
    assert.throws(() => ColumnBatch.fromData({ ...d, dictionaries: d.dictionaries.map(() => null) }), /dictionary mismatch/);
  });
});
