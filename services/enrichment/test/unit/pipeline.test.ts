import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MessageBatch, type Message } from '@stockstream/common';
import { FxTable } from '../../src/fx/fx-table.js';
import { ratesToPublish } from '../../src/fx/rate-publisher.js';
import { nextOffsets } from '../../src/pipeline/processor-decisions.js';
import { routeRecord } from '../../src/pipeline/route-record.js';
import { loadIndexReference } from '../../src/reference/index-reference.js';
import { day, rawTick } from './support/ticks.js';

const msg = (partition: number, offset: number, topic = 't'): Message => ({ topic, partition, offset, value: null, size: 0 });
const batch = (...messages: Message[]) => MessageBatch.fromMessages(messages);

describe('nextOffsets', () => {
  it('commits one past the highest offset of each partition in the batch', () => {
    assert.deepEqual(nextOffsets(batch(msg(0, 5), msg(1, 9), msg(0, 7), msg(0, 6), msg(0, 3, 'u'))), [
      { topic: 't', partition: 0, offset: 8 },
      { topic: 't', partition: 1, offset: 10 },
      { topic: 'u', partition: 0, offset: 4 },
    ]);
    assert.deepEqual(nextOffsets(batch()), []);
  });
});

describe('routeRecord', () => {
  const fx = FxTable.of([{ currency: 'HKD', rateToUsd: 0.13, effectiveDate: day('1900-01-01'), source: 'test' }], 0);
  const ctx = { reference: loadIndexReference(), fx, today: day('2026-01-01'), now: 99 };
  const coords = { topic: 'ticks.raw', partition: 2, offset: 41 };

  it('routes a valid tick to the enriched topic keyed by index', () => {
    const r = routeRecord({ ok: true, raw: rawTick() }, coords, ctx);
    assert.equal(r.kind, 'enriched');
    assert.equal(r.key, 'HSI');
    assert.ok(r.kind === 'enriched' && Math.abs(r.tick.closeUsd - 29124.41 * 0.13) < 1e-9);
  });

  it('routes an invalid tick to a dead letter with the validation reason', () => {
    const r = routeRecord({ ok: true, raw: rawTick({ close: null }) }, coords, ctx);
    assert.equal(r.kind, 'dead');
    assert.ok(r.kind === 'dead' && r.reason === 'missing_price' && r.letter.sourceOffset === 41 && r.letter.stage === 'ENRICHMENT');
  });

  it('routes a tick of a currency without a rate to no_fx_rate, never a guessed number', () => {
    const r = routeRecord({ ok: true, raw: rawTick({ index: 'NYA' }) }, coords, ctx);
    assert.ok(r.kind === 'dead' && r.reason === 'no_fx_rate');
  });

  it('routes undecodable bytes to a dead letter keyed by their coordinates, keeping the bytes', () => {
    const bytes = Buffer.from('junk');
    const r = routeRecord({ ok: false, bytes, reason: 'not_framed', message: 'm' }, coords, ctx);
    assert.ok(r.kind === 'dead' && r.key === 'ticks.raw/2/41' && r.reason === 'not_framed');
    assert.ok(r.kind === 'dead' && Buffer.from(r.letter.originalBytes!).equals(bytes));
  });
});

describe('ratesToPublish', () => {
  const table = () => FxTable.of([{ currency: 'HKD', rateToUsd: 0.128, effectiveDate: day('2000-01-03'), source: 'ops' }], 0);
  const file = [
    { currency: 'HKD', rateToUsd: 0.13, effectiveDate: day('2000-01-03'), source: 'ecb' },
    { currency: 'HKD', rateToUsd: 0.129, effectiveDate: day('2000-01-04'), source: 'ecb' },
    { currency: 'CAD', rateToUsd: 0.83, effectiveDate: day('2000-01-03'), source: 'ecb' },
  ];

  it('bootstrap (no replace): only rates the topic lacks; an operator rate for the same currency and date wins', () => {
    assert.deepEqual(ratesToPublish(file, table(), false).map((r) => `${r.currency}@${r.effectiveDate}`), [`HKD@${day('2000-01-04')}`, `CAD@${day('2000-01-03')}`]);
  });

  it('fx load (replace): also a rate whose value or source differs; nothing once the topic holds the file', () => {
    const t = table();
    assert.equal(ratesToPublish(file, t, true).length, 3);
    for (const r of file) t.upsert(r, 1);
    assert.deepEqual(ratesToPublish(file, t, true), [], 'publishing the same file twice produces nothing the second time');
    assert.deepEqual(ratesToPublish([{ ...file[0]!, source: 'manual' }], t, true).length, 1, 'a changed source is a change');
  });
});
