// Recovery from the per-partition checkpoints (pipeline/checkpoint.ts,
// recovery.ts): a sink killed at each point of an upload run, then restarted
// over what storage holds and what the group committed, lands every record
// exactly once without listing the lake.
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { checkpointFor, decodeCheckpoint, encodeCheckpoint, highWaterFrom } from '../../src/pipeline/checkpoint.js';
import { recoverUploaded } from '../../src/pipeline/recovery.js';
import { runSink } from '../../src/pipeline/sink-loop.js';
import { checkpointKey, objectKey, parseObjectKey } from '../../src/storage/object-key.js';
import { FakeStorage, TOPIC, until, value, world, type World } from './support/fake-sink-world.js';

const CKPT0 = checkpointKey('lake', 'ticks', TOPIC, 0);
const key = (lakePath: string, first: number, last: number) =>
  objectKey({ prefix: 'lake', table: 'ticks', partitionPath: lakePath, topic: TOPIC, kafkaPartition: 0, firstOffset: first, lastOffset: last, extension: 'jsonl' });
const hsi = (n: number, year = 2000) => Array.from({ length: n }, () => value('HSI', year));

/** Starts the loop; stop() (also run when the test ends, passed or failed) aborts it and waits for its graceful end. */
function start(w: World, t: TestContext) {
  const ac = new AbortController();
  const done = runSink(w.deps, ac.signal);
  const stop = async () => (ac.abort(), await done);
  t.after(stop);
  return { stop };
}

/**
 * A new process over what `before` left: the same log, the objects in storage,
 * the offsets the group committed. Its files are cut elsewhere (2 records, not
 * 3, as after a time-based rotation), so redoing an upload would overlap
 * instead of overwriting the same key: only the recovered high water prevents duplicates.
 */
function restart(before: World, log: Buffer[]): World {
  const w = world({ rotation: { maxRecords: 2 } });
  for (const [k, v] of before.storage.objects) w.storage.objects.set(k, v);
  for (const [p, o] of before.consumer.committed) w.consumer.committed.set(p, o);
  w.consumer.produce(0, ...log);
  return w;
}

/** The process dies once `dies(key)` says so: that put and every later one never land. */
function killAt(w: World, dies: (key: string) => boolean): void {
  let dead = false;
  w.storage.beforePut = (k) => {
    dead ||= dies(k);
    if (dead) throw new Error('killed');
  };
}

const checkpoint0 = (w: World) => decodeCheckpoint(w.storage.objects.get(CKPT0)!, TOPIC, 0);

describe('sink recovery from checkpoints', () => {
  it('killed after the checkpoint, before the upload: the intent is not in storage, the restart writes it once', async (t) => {
    const log = hsi(6);
    const w1 = world();
    w1.consumer.produce(0, ...log);
    killAt(w1, (k) => parseObjectKey(k) !== null); // the first lake object never lands
    w1.consumer.rebalanceTo([0]);
    const s1 = start(w1, t);
    await until(() => w1.storage.objects.has(CKPT0) && checkpoint0(w1).intents.length > 0 && w1.storage.failedPuts > 0, 'checkpoint with intents written, its file not');
    await s1.stop();
    assert.equal(w1.storage.lakeObjects, 0);
    assert.ok(checkpoint0(w1).intents.length > 0, 'the checkpoint names the file that was about to land');

    const w2 = restart(w1, log);
    w2.consumer.rebalanceTo([0]);
    const s2 = start(w2, t);
    await until(() => w2.consumer.committed.get(0) === 6, 'offset 6 committed');
    await s2.stop();
    assert.deepEqual(w2.storage.files(0), [[0, 1, 2], [2, 3, 2], [4, 5, 2]]);
    assert.equal(w2.storage.lists, 0, 'recovered from the checkpoint, no listing');
    assert.deepEqual(w2.consumer.violations, []);
  });

  it('killed after the upload, before the commit: the landed intent (found by a HEAD) is skipped, not written twice', async (t) => {
    const log = hsi(6);
    const w1 = world();
    w1.consumer.produce(0, ...log);
    let landedFiles = 0;
    // Dies on the first put after the first lake object landed: the next checkpoint.
    killAt(w1, (k) => {
      if (parseObjectKey(k)) landedFiles++;
      return landedFiles > 1 || (landedFiles === 1 && parseObjectKey(k) === null);
    });
    w1.consumer.rebalanceTo([0]);
    const s1 = start(w1, t);
    await until(() => w1.storage.lakeObjects === 1 && w1.storage.failedPuts > 0, 'one object landed, then the process died');
    await s1.stop();
    assert.deepEqual(checkpoint0(w1).uploaded, {}, 'the landed file is only an intent in the checkpoint');
    w1.consumer.committed.clear(); // its commit never reached the group

    const w2 = restart(w1, log);
    w2.consumer.rebalanceTo([0]);
    const s2 = start(w2, t);
    await until(() => w2.consumer.committed.get(0) === 5, 'offset 5 committed (offset 5 is in an open file)');
    await s2.stop();
    assert.deepEqual(w2.storage.files(0), [[0, 2, 3], [3, 4, 2], [5, 5, 1]], 'offsets 0..2 once');
    assert.equal(w2.storage.lists, 0);
    assert.deepEqual(w2.consumer.violations, []);
    const again = await recoverUploaded(w2.storage, 'lake', 'ticks', TOPIC, [0]);
    assert.deepEqual(Object.fromEntries(again.highWater.get(0)!), { 'index=HSI/year=2000': 5 }, 'the final checkpoint covers everything uploaded');
  });

  it('a lake without checkpoints (an older version wrote it) is listed once; the checkpoint written then serves every later recovery', async (t) => {
    const w = world();
    w.storage.objects.set(key('index=HSI/year=2000', 0, 2), Buffer.from('a\nb\nc\n'));
    w.consumer.produce(0, ...hsi(3));
    w.consumer.rebalanceTo([0]);
    const s = start(w, t);
    await until(() => w.consumer.committed.get(0) === 3 || w.storage.objects.has(CKPT0), 'recovered');
    await until(() => w.storage.objects.has(CKPT0), 'checkpoint written after the listing');
    assert.equal(w.storage.lists, 1);
    w.consumer.rebalanceTo([0]);
    w.consumer.produce(0, ...hsi(3));
    await until(() => w.consumer.generation === 3 && w.consumer.committed.get(0) === 6, 'recovered again and consumed', 5000);
    await s.stop();
    assert.equal(w.storage.lists, 1, 'the second recovery read the checkpoint');
    assert.deepEqual(w.storage.files(0), [[0, 2, 3], [3, 5, 3]]);
    assert.deepEqual(w.consumer.violations, []);
  });

  it('a checkpoint write that fails is an S3 outage: nothing uploaded, nothing committed, consumption paused until it succeeds', async (t) => {
    const w = world();
    let failing = true;
    w.storage.beforePut = (k) => {
      if (failing && parseObjectKey(k) === null && w.storage.lists > 0 && w.storage.objects.has(CKPT0)) throw new Error('S3 unreachable');
    };
    w.consumer.produce(0, ...hsi(4));
    w.consumer.rebalanceTo([0]);
    const s = start(w, t);
    await until(() => w.consumer.events.some((e) => e.kind === 'pause'), 'the consumer paused');
    assert.equal(w.storage.filePutsStarted, 0, 'no object put without its checkpoint');
    assert.equal(w.consumer.committed.get(0) ?? 0, 0);
    assert.equal(w.health.ready, false);
    failing = false;
    await until(() => w.consumer.committed.get(0) === 3, 'uploaded and committed once the checkpoint could be written');
    await s.stop();
    assert.deepEqual(w.storage.files(0), [[0, 2, 3], [3, 3, 1]]);
    assert.deepEqual(w.consumer.violations, []);
  });
});

describe('recoverUploaded', () => {
  it('intents of several lake partitions: each raised to its highest intent in storage, the rest stays at the checkpoint', async () => {
    const storage = new FakeStorage();
    const a = 'index=HSI/year=2000';
    const b = 'index=HSI/year=1999';
    const c = 'index=N225/year=2000';
    const intents = [
      { key: key(a, 10, 12), lakePath: a, firstOffset: 10, lastOffset: 12 },
      { key: key(a, 15, 16), lakePath: a, firstOffset: 15, lastOffset: 16 },
      { key: key(b, 13, 14), lakePath: b, firstOffset: 13, lastOffset: 14 },
      { key: key(c, 17, 17), lakePath: c, firstOffset: 17, lastOffset: 17 },
    ];
    storage.objects.set(CKPT0, encodeCheckpoint(checkpointFor(TOPIC, 0, new Map([[a, 9], [c, 4]]), intents)));
    // a's first file and b's file landed; a's second and c's did not.
    storage.objects.set(key(a, 10, 12), Buffer.from('x'));
    storage.objects.set(key(b, 13, 14), Buffer.from('x'));
    // An object no checkpoint names: recovery must not need to see it (it never lists).
    storage.objects.set(key(c, 100, 200), Buffer.from('x'));
    const r = await recoverUploaded(storage, 'lake', 'ticks', TOPIC, [0]);
    assert.deepEqual(Object.fromEntries(r.highWater.get(0)!), { [a]: 12, [b]: 14, [c]: 4 });
    assert.deepEqual(r.listed, []);
    assert.equal(r.headed, 4);
    assert.equal(storage.lists, 0);
  });

  it('a partition whose checkpoint is missing or unreadable is listed; one with a checkpoint is not', async () => {
    const storage = new FakeStorage();
    storage.objects.set(checkpointKey('lake', 'ticks', TOPIC, 1), Buffer.from('{"version":99}'));
    storage.objects.set(checkpointKey('lake', 'ticks', TOPIC, 2), encodeCheckpoint(checkpointFor(TOPIC, 2, new Map(), [])));
    storage.objects.set(key('index=HSI/year=2000', 0, 7), Buffer.from('x'));
    const r = await recoverUploaded(storage, 'lake', 'ticks', TOPIC, [0, 1, 2]);
    assert.deepEqual(r.listed, [0, 1]);
    assert.equal(storage.lists, 1, 'one listing for all of them');
    assert.deepEqual(Object.fromEntries(r.highWater.get(0)!), { 'index=HSI/year=2000': 7 });
    assert.deepEqual(Object.fromEntries(r.highWater.get(2)!), {});
  });
});

describe('checkpoint', () => {
  it('round-trips, and refuses another partition\'s or a malformed one', () => {
    const c = checkpointFor(TOPIC, 3, new Map([['index=HSI/year=2000', 5]]), [{ key: 'k', lakePath: 'index=HSI/year=2000', firstOffset: 6, lastOffset: 8 }]);
    assert.deepEqual(decodeCheckpoint(encodeCheckpoint(c), TOPIC, 3), c);
    assert.throws(() => decodeCheckpoint(encodeCheckpoint(c), TOPIC, 4));
    assert.throws(() => decodeCheckpoint(Buffer.from('{"version":1,"topic":"ticks.enriched","partition":3,"uploaded":{"a":-1},"intents":[]}'), TOPIC, 3));
    assert.throws(() => decodeCheckpoint(Buffer.from('not json'), TOPIC, 3));
  });

  it('highWaterFrom never lowers the checkpoint\'s high water', () => {
    const c = checkpointFor(TOPIC, 0, new Map([['p=1', 20]]), [{ key: 'k', lakePath: 'p=1', firstOffset: 5, lastOffset: 6 }]);
    assert.deepEqual(Object.fromEntries(highWaterFrom(c, new Set(['k']))), { 'p=1': 20 });
  });
});
