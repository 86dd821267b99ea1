// runSink driven through its states with a fake consumer and a fake object
// store (test/unit/support/fake-sink-world.ts): no broker, no S3. Every
// commit the fake sees is checked against what the store holds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSink } from '../../src/pipeline/sink-loop.js';
import { objectKey } from '../../src/storage/object-key.js';
import { POISON, TOPIC, sleep, until, value, world, type World } from './support/fake-sink-world.js';

/** Starts the loop; stop() aborts it and waits for its graceful end. */
function start(w: World) {
  const ac = new AbortController();
  const done = runSink(w.deps, ac.signal);
  return {
    done,
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}

const hsi = (n: number, year = 2000) => Array.from({ length: n }, () => value('HSI', year));

describe('runSink', () => {
  it('assignment -> recovery: skips what a previous run uploaded but did not commit, then lands the rest once', async () => {
    const w = world();
    w.consumer.produce(0, ...hsi(6));
    // A previous owner uploaded offsets 0..2 and crashed before committing them.
    const before = objectKey({ prefix: 'lake', table: 'ticks', partitionPath: 'index=HSI/year=2000', topic: TOPIC, kafkaPartition: 0, firstOffset: 0, lastOffset: 2, extension: 'jsonl' });
    w.storage.objects.set(before, Buffer.from('earlier\nrun\nrows\n'));
    w.consumer.rebalanceTo([0]);
    const sink = start(w);
    await until(() => w.consumer.committed.get(0) === 6, 'offset 6 committed');
    await sink.stop();
    assert.deepEqual(w.storage.files(0), [[0, 2, 3], [3, 5, 3]], 'offsets 0..2 not written again');
    assert.deepEqual(w.consumer.events.slice(0, 2), [{ kind: 'apply', event: 'assign' }, { kind: 'rewind' }]);
    assert.deepEqual(w.consumer.violations, []);
  });

  it('rotation -> upload -> commit: commits only up to the first record of a file not yet uploaded; shutdown uploads and commits the rest', async () => {
    const w = world();
    w.consumer.produce(0, ...hsi(4));
    w.consumer.produce(1, ...hsi(2, 1999), ...hsi(2, 2000));
    w.consumer.rebalanceTo([0, 1]);
    const sink = start(w);
    await until(() => w.consumer.committed.get(0) === 3, 'partition 0 committed up to its open file');
    await sleep(50);
    assert.equal(w.consumer.committed.get(0), 3, 'offset 3 is in an open file: not committed past it');
    assert.equal(w.consumer.committed.get(1) ?? 0, 0, 'partition 1 has only open files (2 records each): nothing committable past offset 0');
    assert.deepEqual(w.storage.files(1), []);
    await sink.stop();
    assert.deepEqual(w.storage.files(0), [[0, 2, 3], [3, 3, 1]]);
    assert.deepEqual(w.storage.files(1), [[0, 1, 2], [2, 3, 2]]);
    assert.deepEqual(w.consumer.commits('sync').sort((a, b) => a.partition - b.partition), [{ partition: 0, offset: 4 }, { partition: 1, offset: 4 }], 'shutdown commits everything, synchronously');
    assert.deepEqual(w.consumer.violations, []);
  });

  it('upload failure -> pause, no commit; storage back -> resume, upload in order, commit', async () => {
    const w = world();
    w.storage.down = true;
    w.consumer.produce(0, ...hsi(7));
    w.consumer.rebalanceTo([0]);
    const sink = start(w);
    await until(() => w.consumer.events.some((e) => e.kind === 'pause'), 'the consumer paused');
    assert.equal(w.health.ready, false, '/readyz false while S3 fails');
    w.consumer.produce(0, ...hsi(3));
    await sleep(600); // a retry or two (backoff from 250 ms) fails meanwhile
    assert.ok(w.storage.failedPuts >= 2, `retried while down (${w.storage.failedPuts} failed puts)`);
    assert.equal(w.consumer.committed.get(0) ?? 0, 0, 'no offset committed past the start while S3 is down');
    assert.equal(w.consumer.produced(0), 10);
    w.storage.down = false;
    await until(() => w.consumer.events.some((e) => e.kind === 'resume'), 'the consumer resumed', 10_000);
    await until(() => w.consumer.committed.get(0) === 9, 'committed after the retry', 10_000);
    assert.equal(w.health.ready, true);
    await sink.stop();
    assert.deepEqual(w.storage.files(0), [[0, 2, 3], [3, 5, 3], [6, 8, 3], [9, 9, 1]], 'every record once, in offset order');
    const kinds = w.consumer.events.map((e) => e.kind).filter((k) => k === 'pause' || k === 'resume');
    // The first 'resume' is the recovery's: an assignment starts unpaused, and the client is made to match.
    assert.deepEqual(kinds, ['resume', 'pause', 'resume'], 'resumed at assignment, paused once for the outage, resumed once');
    assert.deepEqual(w.consumer.violations, []);
  });

  it('a rebalance during an S3 outage: the new assignment is recovered and consumed once S3 is back, not left paused', async () => {
    const w = world();
    w.storage.down = true;
    w.consumer.produce(0, ...hsi(4));
    w.consumer.rebalanceTo([0]);
    const sink = start(w);
    await until(() => w.consumer.events.some((e) => e.kind === 'pause'), 'the consumer paused');
    w.consumer.rebalanceTo([0]); // the group reshuffles while S3 is down; this member gets partition 0 again
    await until(() => w.consumer.generation === 3, 'the new assignment applied');
    w.storage.down = false;
    await until(() => w.consumer.committed.get(0) === 3, 'the new assignment consumed and committed', 10_000);
    await sink.stop();
    assert.deepEqual(w.consumer.commits('sync'), [{ partition: 0, offset: 4 }], 'no synchronous commit while S3 was down, only at shutdown');
    assert.deepEqual(w.storage.files(0), [[0, 2, 3], [3, 3, 1]]);
    assert.deepEqual(w.consumer.violations, []);
  });

  it('rebalance: uploads in flight land and are committed before the change is applied; uncommitted files are dropped and redone by the owner', async () => {
    const w = world();
    w.storage.putDelayMs = 30;
    w.consumer.produce(0, ...hsi(4));
    w.consumer.produce(1, ...hsi(4));
    w.consumer.rebalanceTo([0, 1]);
    const sink = start(w);
    await until(() => w.storage.filePutsStarted > 0, 'an upload started');
    const inFlight = w.storage.filePutsStarted > w.storage.lakeObjects;
    w.consumer.rebalanceTo([1]); // partition 0 moves away while its first file is uploading
    await until(() => w.consumer.generation === 3 && w.consumer.committed.get(1) === 3, 'partition 1 recovered and committed', 5000);
    await sink.stop();
    assert.ok(inFlight, 'the rebalance came while an upload was in flight');
    const applyAt = w.consumer.events.findIndex((e) => e.kind === 'apply' && e.event === 'revoke');
    const syncBefore = w.consumer.events.slice(0, applyAt).filter((e) => e.kind === 'commit' && e.mode === 'sync');
    assert.deepEqual(syncBefore.flatMap((e) => (e.kind === 'commit' ? e.offsets : [])).find((o) => o.partition === 0), { partition: 0, offset: 3 }, 'the landed upload committed synchronously before giving partition 0 up');
    assert.deepEqual(w.storage.files(0), [[0, 2, 3]], 'partition 0: the uploaded file stays, its open record (offset 3) is left to the next owner');
    assert.equal(w.consumer.committed.get(0), 3);
    assert.deepEqual(w.storage.files(1), [[0, 2, 3], [3, 3, 1]], 'partition 1: every record once after re-reading from the committed offset');
    assert.deepEqual(w.consumer.violations, []);
  });

  it('a commit the group refuses triggers a recovery (rewind to the committed offsets) and still lands every record once', async () => {
    const w = world();
    w.consumer.produce(0, ...hsi(3));
    w.consumer.rebalanceTo([0]);
    const sink = start(w);
    await until(() => w.consumer.committed.get(0) === 3, 'first commit');
    const rewinds = () => w.consumer.events.filter((e) => e.kind === 'rewind').length;
    assert.equal(rewinds(), 1);
    w.consumer.failCommit({ message: 'Broker: Specified group generation id is not valid', code: 22 });
    await until(() => rewinds() === 2, 'recovered after the refused commit');
    w.consumer.produce(0, ...hsi(3));
    await until(() => w.consumer.committed.get(0) === 6, 'consuming again');
    await sink.stop();
    assert.deepEqual(w.storage.files(0), [[0, 2, 3], [3, 5, 3]]);
    assert.deepEqual(w.consumer.violations, []);
  });

  it('dead-letters an unreadable record and commits past it', async () => {
    const w = world();
    w.consumer.produce(0, value('HSI', 2000), POISON, value('HSI', 2000), value('HSI', 2000));
    w.consumer.rebalanceTo([0]);
    const sink = start(w);
    await until(() => w.consumer.committed.get(0) === 4, 'committed past the poison record');
    await sink.stop();
    assert.deepEqual(w.deadLettered, ['0/1']);
    assert.deepEqual(w.storage.files(0), [[0, 3, 3]]);
    assert.deepEqual(w.consumer.violations, []);
  });

  it('holds a dead letter until the commit that passes it: SIGKILL before that commit, restart, exactly one dead letter', async () => {
    // Files close only at 100 records: the poison record is read, but nothing commits past it.
    const first = world({ rotation: { maxRecords: 100 } });
    first.consumer.produce(0, value('HSI', 2000), POISON, value('HSI', 2000));
    first.consumer.rebalanceTo([0]);
    start(first);
    const consumed = () => first.deps.metrics.recordsConsumed.get().then((m) => m.values[0]?.value ?? 0);
    const deadline = Date.now() + 5000;
    while ((await consumed()) < 3) {
      assert.ok(Date.now() < deadline, 'the poison record read within 5 s');
      await sleep(2);
    }
    await sleep(20);
    assert.deepEqual(first.deadLettered, [], 'not produced before its commit');
    assert.equal(first.consumer.committed.get(0) ?? 0, 0);
    first.consumer.crash();

    const second = world({ rotation: { maxRecords: 2 } }, first);
    second.consumer.rebalanceTo([0]);
    const sink = start(second);
    await until(() => second.consumer.committed.get(0) === 3, 'committed past the poison record after the restart');
    await sink.stop();
    assert.deepEqual(second.deadLettered, ['0/1'], 'exactly one dead letter');
    assert.deepEqual(second.storage.files(0), [[0, 2, 2]]);
    assert.deepEqual(second.consumer.commits('transaction'), [{ partition: 0, offset: 3 }], 'the dead letter went with its offset commit');
    assert.deepEqual(second.consumer.violations, []);
  });

  it('SIGKILL after the commit that carried a dead letter: the restart does not dead-letter it again', async () => {
    const first = world();
    first.consumer.produce(0, value('HSI', 2000), POISON, value('HSI', 2000), value('HSI', 2000), value('HSI', 2000));
    first.consumer.rebalanceTo([0]);
    start(first);
    await until(() => first.consumer.committed.get(0) === 4, 'committed past the poison record');
    first.consumer.crash(); // offset 4 is in an open file, not committed

    const second = world({}, first);
    second.consumer.rebalanceTo([0]);
    const sink = start(second);
    await sleep(30);
    await sink.stop();
    assert.deepEqual(second.deadLettered, ['0/1']);
    assert.deepEqual(second.storage.files(0), [[0, 3, 3], [4, 4, 1]]);
    assert.deepEqual(second.consumer.violations, []);
  });

  it('a transaction the group refuses: nothing of it visible, the assignment recovered, the dead letter committed once by the retry', async () => {
    const w = world();
    w.consumer.refuseTransactions = true;
    w.consumer.produce(0, value('HSI', 2000), POISON, value('HSI', 2000), value('HSI', 2000));
    w.consumer.rebalanceTo([0]);
    const sink = start(w);
    const rewinds = () => w.consumer.events.filter((e) => e.kind === 'rewind').length;
    await until(() => rewinds() >= 2, 'recovered after the refused transaction');
    assert.deepEqual(w.deadLettered, []);
    w.consumer.refuseTransactions = false;
    await until(() => w.consumer.committed.get(0) === 4, 'committed past the poison record');
    await sink.stop();
    assert.deepEqual(w.deadLettered, ['0/1']);
    assert.deepEqual(w.storage.files(0), [[0, 3, 3]], 'the file uploaded before the refusal is skipped on recovery, not written twice');
    assert.deepEqual(w.consumer.violations, []);
  });

  it('S3 down: the dead letter waits with the commit; produced once S3 is back', async () => {
    const w = world();
    w.storage.down = true;
    // The first file (offsets 0..2) fails to upload; the poison record after it waits with the commit.
    w.consumer.produce(0, value('HSI', 2000), value('HSI', 2000), value('HSI', 2000), POISON);
    w.consumer.rebalanceTo([0]);
    const sink = start(w);
    try {
      await until(() => w.consumer.events.some((e) => e.kind === 'pause'), 'the consumer paused');
      await sleep(300);
      assert.deepEqual(w.deadLettered, [], 'no dead letter while nothing may be committed');
      assert.equal(w.consumer.committed.get(0) ?? 0, 0);
      w.storage.down = false;
      await until(() => w.consumer.committed.get(0) === 4, 'committed once S3 is back', 10_000);
    } finally {
      w.storage.down = false;
      await sink.stop();
    }
    assert.deepEqual(w.deadLettered, ['0/3']);
    assert.deepEqual(w.consumer.violations, []);
  });

  it('shutdown (SIGTERM) commits what it may, with its dead letters', async () => {
    const w = world({ rotation: { maxRecords: 100 } });
    w.consumer.produce(0, value('HSI', 2000), POISON, value('HSI', 2000));
    w.consumer.rebalanceTo([0]);
    const sink = start(w);
    const consumed = () => w.deps.metrics.recordsConsumed.get().then((m) => m.values[0]?.value ?? 0);
    while ((await consumed()) < 3) await sleep(2);
    assert.deepEqual(w.deadLettered, []);
    await sink.stop();
    assert.deepEqual(w.deadLettered, ['0/1']);
    assert.equal(w.consumer.committed.get(0), 3);
    assert.deepEqual(w.storage.files(0), [[0, 2, 2]]);
    assert.deepEqual(w.consumer.violations, []);
  });

  it('back-pressure: with uploads slow, stops reading once the buffer bound is reached', async () => {
    const w = world({ maxBufferedRecords: 6, batchMax: 2, rotation: { maxRecords: 2 } });
    w.storage.putDelayMs = 40;
    w.consumer.produce(0, ...hsi(40));
    w.consumer.rebalanceTo([0]);
    const sink = start(w);
    let peak = 0;
    const consumed = () => w.deps.metrics.recordsConsumed.get().then((m) => m.values[0]?.value ?? 0);
    const deadline = Date.now() + 10_000;
    while ((w.consumer.committed.get(0) ?? 0) < 40) {
      assert.ok(Date.now() < deadline, 'all 40 records committed within 10 s');
      const stored = w.storage.offsets(0).size;
      peak = Math.max(peak, (await consumed()) - stored);
      await sleep(5);
    }
    await sink.stop();
    // Bound + the batch that crossed it + the one read ahead (and one file's upload landing between samples).
    assert.ok(peak <= 6 + 2 + 2 + 2, `at most ~the bound held in memory, held ${peak}`);
    assert.deepEqual(w.storage.offsets(0).size, 40);
    assert.deepEqual(w.consumer.violations, []);
  });

  it('a backlog read faster than files rotate: at the buffer bound with nothing uploading, every open file closes (reason memory)', async () => {
    // Files would close only after 1,000 records or a minute: without the bound, all 40 records would sit in open files.
    const w = world({ maxBufferedRecords: 6, batchMax: 2, rotation: { maxRecords: 1000 } });
    w.consumer.produce(0, ...hsi(40));
    w.consumer.rebalanceTo([0]);
    const sink = start(w);
    const deadline = Date.now() + 10_000;
    try {
      // All but what is still below the bound lands long before any rotation rule fires.
      while (w.storage.offsets(0).size < 40 - 6 - 2) {
        assert.ok(Date.now() < deadline, `records uploaded within 10 s: ${w.storage.offsets(0).size}`);
        await sleep(5);
      }
    } finally {
      await sink.stop();
    }
    const rotated = await w.deps.metrics.filesRotated.get();
    const memory = rotated.values.find((v) => v.labels.reason === 'memory')?.value ?? 0;
    assert.ok(memory >= 4, `closed for memory about every bound's worth of records: ${memory} times`);
    // Shutdown uploads and commits every file; only a batch read ahead is left for the next owner to read again.
    const stored = w.storage.offsets(0);
    const committed = w.consumer.committed.get(0) ?? 0;
    assert.ok(committed >= 40 - 2, `committed ${committed}: all but at most the batch read ahead`);
    assert.equal(stored.size, committed, 'exactly what is committed is in storage');
    for (let o = 0; o < committed; o++) assert.ok(stored.has(o), `offset ${o} in storage`);
    assert.deepEqual(w.consumer.violations, []);
  });
});
