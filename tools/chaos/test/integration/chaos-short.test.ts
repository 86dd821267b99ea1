// The short chaos run inside `make test`: 100k records, one fault of each
// kind, against the test's own stack (the components are stopped and started
// with stack.sh, so it runs last, on a stack it leaves up). A random seed each
// time, printed in every failure: `make chaos-short SEED=N` replays it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runChaos, type ChaosResult } from '../../src/chaos-run.js';
import { stack } from '../../src/stack-control.js';
import { CHAOS_VARIANTS } from '../../src/variants.js';

const seed = process.env.STOCKSTREAM_CHAOS_SEED ? Number(process.env.STOCKSTREAM_CHAOS_SEED) : Math.floor(Math.random() * 1_000_000);

describe(`chaos, short (seed ${seed})`, { skip: stack.available() }, () => {
  let r: ChaosResult;
  const lines: string[] = [];
  before(async () => {
    r = await runChaos({ ...CHAOS_VARIANTS.short.options, seed, print: (l) => lines.push(l) });
  });
  // Whatever happened, the stack is left up for the tests after this one.
  after(async () => {
    for (const c of ['kafka', 'registry', 's3'] as const) await stack.up(c);
  });
  const why = () => `\n${r.report}\nreplay: make chaos-short SEED=${seed}`;

  it('the lake holds exactly the valid records: none lost, none twice, each equal to a fault-free run', () => {
    const l = r.accounting.lake;
    assert.deepEqual(
      { rows: l.rows, distinct: l.distinct, missing: l.missing, unexpected: l.unexpected, different: l.different },
      { rows: r.accounting.expectedLakeRows, distinct: r.accounting.expectedLakeRows, missing: 0, unexpected: 0, different: 0 },
      why(),
    );
  });

  it('the dead-letter topic holds every injected bad row with its reason, and nothing else', () => {
    const d = r.accounting.deadLetters;
    assert.deepEqual({ missing: d.missing, unexpected: d.unexpected }, { missing: [], unexpected: [] }, why());
  });

  it('ingest and enrichment dead-letter each bad row once', () => {
    assert.deepEqual(r.accounting.deadLetters.duplicated.filter((d) => d.stage !== 'SINK'), [], why());
  });

  // Found by this run (seed 1 of make chaos-short): the sink dead-lettered a record again when it restarted
  // between reading it and committing past it. Its dead letters now go in one transaction with that commit.
  it('the sink dead-letters each unreadable record once', () => {
    assert.deepEqual(r.accounting.deadLetters.duplicated.filter((d) => d.stage === 'SINK'), [], why());
  });

  it('every service was SIGKILLed, restarted and is healthy at the end (none crash-looping)', (t) => {
    t.diagnostic(r.report);
    assert.deepEqual(r.differences.filter((x) => /SIGKILLed|healthy|idle/.test(x)), [], why());
    for (const s of r.accounting.services.slice(0, 3)) assert.ok(s.kills >= 1, `${s.name} was not killed${why()}`);
  });
});
