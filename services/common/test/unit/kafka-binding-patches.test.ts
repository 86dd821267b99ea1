// scripts/kafka-binding: the unified-diff applier (no fuzz, reversible) and the
// decisions of build.mjs — what to build, when to say what — as pure functions.
// The build itself, with a patch that does not compile, is
// test/integration/kafka-binding-build.test.ts.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPTS = fileURLToPath(new URL('../../../../../scripts/kafka-binding/', import.meta.url));

interface FilePatch { path: string; hunks: { oldStart: number; newStart: number; lines: { op: string; text: string }[] }[] }
type Applied = { ok: true; text: string } | { ok: false; reason: string };
const diff = (await import(join(SCRIPTS, 'unified-diff.mjs'))) as {
  parseDiff(text: string): FilePatch[];
  applyPatch(source: string, file: FilePatch): Applied;
  reversed(file: FilePatch): FilePatch;
};
interface Facts {
  version: string; pristine: boolean; patchProblem: string | null; unpatchedRequested: boolean;
  failedBefore: { log: string } | null; sources: 'pristine' | 'patched' | 'other'; nodeFresh: boolean;
}
interface Plan { want: 'patched' | 'pristine' | null; built: string | null; build: boolean; line: string | null }
const build = (await import(join(SCRIPTS, 'build.mjs'))) as {
  PATCHED_VERSION: string;
  planBuild(f: Facts): Plan;
  fallbackLine(log: string): string;
  resolveSources(patches: { name: string; text: string }[], current: Map<string, string>, backup: Map<string, string>):
    { pristine: Map<string, string> | null; patched: Map<string, string> | null; problem: string | null };
};

const ORIGINAL = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', ''].join('\n');
const PATCH = `A description, ignored.

--- a/src/x.cc
+++ b/src/x.cc
@@ -2,3 +2,4 @@
 two
-three
+THREE
+three and a half
 four
@@ -7,2 +8,2 @@
 seven
-eight
+EIGHT
`;
const PATCHED = ['one', 'two', 'THREE', 'three and a half', 'four', 'five', 'six', 'seven', 'EIGHT', ''].join('\n');
const [FILE] = diff.parseDiff(PATCH) as [FilePatch];

describe('unified diffs', () => {
  it('parses the file (-p1) and its hunks, the description before it aside', () => {
    assert.equal(FILE.path, 'src/x.cc');
    assert.deepEqual(FILE.hunks.map((h) => [h.oldStart, h.newStart, h.lines.length]), [[2, 2, 5], [7, 8, 3]]);
  });

  it('applies at the lines named, and reversed takes the patched text back', () => {
    assert.deepEqual(diff.applyPatch(ORIGINAL, FILE), { ok: true, text: PATCHED });
    assert.deepEqual(diff.applyPatch(PATCHED, diff.reversed(FILE)), { ok: true, text: ORIGINAL });
  });

  it('applies where the lines moved to (lines added above), as patch does without fuzz', () => {
    assert.deepEqual(diff.applyPatch(`zero\nzero\n${ORIGINAL}`, FILE), { ok: true, text: `zero\nzero\n${PATCHED}` });
  });

  it('does not apply to a file whose lines differ, nor twice, and says which hunk', () => {
    const r = diff.applyPatch(ORIGINAL.replace('seven', 'SEVEN'), FILE);
    assert.deepEqual(r, { ok: false, reason: 'src/x.cc: the hunk at line 7 does not match the file' });
    assert.equal(diff.applyPatch(PATCHED, FILE).ok, false);
    assert.equal(diff.applyPatch(ORIGINAL, diff.reversed(FILE)).ok, false);
  });

  it('refuses a hunk longer or shorter than its header', () => {
    assert.throws(() => diff.parseDiff('--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n one\n'), /ends early/);
  });

  it('the shipped patches parse, each one file of the client\'s src/', () => {
    const dir = join(SCRIPTS, 'patches');
    const files = readdirSync(dir).filter((n) => n.endsWith('.diff')).flatMap((n) => diff.parseDiff(readFileSync(join(dir, n), 'utf8')));
    assert.deepEqual(files.map((f) => f.path), ['src/common.cc', 'src/kafka-consumer.cc']);
  });
});

describe('what build.mjs builds', () => {
  const patches = [{ name: '1.diff', text: PATCH }];
  const facts = (over: Partial<Facts> = {}): Facts => ({
    version: build.PATCHED_VERSION, pristine: true, patchProblem: null, unpatchedRequested: false, failedBefore: null, sources: 'pristine', nodeFresh: true, ...over,
  });

  it('the patches are for the client version services/common pins', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    assert.equal(build.PATCHED_VERSION, pkg.dependencies['@confluentinc/kafka-javascript']);
  });

  it('pristine sources: patches them and builds, saying so', () => {
    const p = build.planBuild(facts());
    assert.deepEqual([p.want, p.built, p.build], ['patched', 'patched', true]);
    assert.match(p.line!, /^rebuilding the native Kafka client with its patches/);
  });

  it('patched and built after its sources: nothing to do, nothing said', () => {
    assert.deepEqual(build.planBuild(facts({ sources: 'patched' })), { want: 'patched', built: 'patched', build: false, line: null });
    assert.equal(build.planBuild(facts({ sources: 'patched', nodeFresh: false })).build, true);
  });

  it('another client version: left as it is, in one line', () => {
    const p = build.planBuild(facts({ version: '1.11.0' }));
    assert.deepEqual([p.want, p.build], [null, false]);
    assert.equal(p.line, `the Kafka client is 1.11.0, not ${build.PATCHED_VERSION} the patches are for: left unpatched (everything works, consumption is slower)`);
  });

  it('a patched build that failed for these patches is not retried, and each run says the client is unpatched', () => {
    const p = build.planBuild(facts({ failedBefore: { log: '/b/stockstream/patched-build-failed.log' } }));
    assert.deepEqual([p.want, p.built, p.build], ['pristine', 'unpatched: the patched build failed', false]);
    assert.match(p.line!, /runs unpatched: its patched build failed \(log: \/b\/stockstream\/patched-build-failed\.log; delete state\.json/);
    assert.equal(build.planBuild(facts({ failedBefore: { log: 'l' }, sources: 'patched' })).build, true, 'sources left patched are rebuilt unpatched');
  });

  it('patches that do not apply: built unpatched, saying why', () => {
    const p = build.planBuild(facts({ patchProblem: 'src/x.cc: the hunk at line 7 does not match the file', sources: 'pristine' }));
    assert.deepEqual([p.want, p.built, p.build], ['pristine', 'unpatched: the patches do not apply', false]);
    assert.match(p.line!, /do not apply .*src\/x\.cc: the hunk at line 7/);
  });

  it('--unpatched builds the pristine sources, once', () => {
    assert.deepEqual(build.planBuild(facts({ unpatchedRequested: true, sources: 'patched' })).build, true);
    assert.deepEqual(build.planBuild(facts({ unpatchedRequested: true })), { want: 'pristine', built: 'unpatched: asked', build: false, line: null });
  });

  it('the fallback is one line naming the log', () => {
    assert.equal(build.fallbackLine('/l.log').split('\n').length, 1);
    assert.match(build.fallbackLine('/l.log'), /did not compile \(log: \/l\.log\); built it unpatched: everything works, consumption is slower/);
  });

  it('finds the pristine sources in pristine files, in patched ones (reversed) and in the backup first', () => {
    const fromPristine = build.resolveSources(patches, new Map([['src/x.cc', ORIGINAL]]), new Map());
    assert.deepEqual([fromPristine.pristine?.get('src/x.cc'), fromPristine.patched?.get('src/x.cc')], [ORIGINAL, PATCHED]);
    const fromPatched = build.resolveSources(patches, new Map([['src/x.cc', PATCHED]]), new Map());
    assert.equal(fromPatched.pristine?.get('src/x.cc'), ORIGINAL);
    const other = 'something else\n';
    assert.equal(build.resolveSources(patches, new Map([['src/x.cc', other]]), new Map()).pristine, null);
    assert.equal(build.resolveSources(patches, new Map([['src/x.cc', other]]), new Map([['src/x.cc', ORIGINAL]])).pristine?.get('src/x.cc'), ORIGINAL);
  });

  it('a patch that does not apply to the pristine sources is reported, the pristine ones still known', () => {
    const r = build.resolveSources(patches, new Map([['src/x.cc', PATCHED]]), new Map([['src/x.cc', ORIGINAL.replace('seven', 'SEVEN')]]));
    assert.equal(r.patched, null);
    assert.equal(r.problem, 'src/x.cc: the hunk at line 7 does not match the file');
    assert.equal(r.pristine?.get('src/x.cc'), ORIGINAL.replace('seven', 'SEVEN'));
  });
});
