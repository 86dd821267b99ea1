// Builds the native binding of @confluentinc/kafka-javascript, compiled here
// from source, with the speed patches of patches/ (README.md says what each
// does and why), and fails safe: when the patched build does not compile, the
// client's own sources are put back and built, and one line says so —
// everything works, consumption is slower. Only a failing unpatched build is
// fatal. scripts/setup.sh runs it after npm has built the client.
//
//   build.mjs <binding dir> [--patches <dir>] [--unpatched]
//     --patches    the *.diff files to apply, in name order (default: patches/ here)
//     --unpatched  build the client's own sources (to compare; setup patches again)
//
// Kept in <binding dir>/stockstream/: the pristine sources (pristine/, taken
// before the first patch), the state of the last build (state.json) and its
// log. A patched build that failed is not retried until the patches change
// (or state.json is deleted). Exit: 0 built or left as it was (one line says
// why), 1 the unpatched build failed or another error.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyPatch, parseDiff, reversed } from './unified-diff.mjs';

/** The client version the patches were made against (services/common/package.json pins it). */
export const PATCHED_VERSION = '1.10.1';
const NODE_FILE = 'build/Release/confluent-kafka-javascript.node';

/**
 * What to build, from what was found. Pure.
 * @param {{
 *   version: string,
 *   pristine: boolean,            // the client's own sources are known (backed up or derived)
 *   patchProblem: string | null,  // why the patches do not apply to them, or null
 *   unpatchedRequested: boolean,
 *   failedBefore: { log: string } | null, // this patch set's build failed before
 *   sources: 'pristine' | 'patched' | 'other',
 *   nodeFresh: boolean,           // the .node exists and is newer than the patched files
 * }} f
 * @returns {{ want: 'patched' | 'pristine' | null, built: string | null, build: boolean, line: string | null }}
 *   want: the sources to build; built: what state.json records; build: whether to compile.
 */
export function planBuild(f) {
  const slower = 'everything works, consumption is slower';
  if (f.version !== PATCHED_VERSION) {
    return { want: null, built: null, build: false, line: `the Kafka client is ${f.version}, not ${PATCHED_VERSION} the patches are for: left unpatched (${slower})` };
  }
  if (!f.pristine) {
    return { want: null, built: null, build: false, line: `the Kafka client's sources are neither ${PATCHED_VERSION}'s nor patched: left as they are` };
  }
  const [want, built, line] = f.unpatchedRequested
    ? ['pristine', UNPATCHED_ASKED, 'building the Kafka client unpatched, as asked']
    : f.patchProblem !== null
      ? ['pristine', UNPATCHED_NO_APPLY, `the patches do not apply to the Kafka client (${f.patchProblem}): it runs unpatched (${slower})`]
      : f.failedBefore !== null
        ? ['pristine', UNPATCHED_FAILED, `the Kafka client runs unpatched: its patched build failed (log: ${f.failedBefore.log}; delete state.json beside it to retry); ${slower}`]
        : ['patched', PATCHED, 'rebuilding the native Kafka client with its patches (scripts/kafka-binding/README.md)'];
  const build = f.sources !== want || !f.nodeFresh;
  // Progress lines only when something is built; a client running unpatched says so every time.
  return { want, built, build, line: build || (want === 'pristine' && !f.unpatchedRequested) ? line : null };
}

/** What state.json records as built. */
export const PATCHED = 'patched';
export const UNPATCHED_ASKED = 'unpatched: asked';
export const UNPATCHED_NO_APPLY = 'unpatched: the patches do not apply';
export const UNPATCHED_FAILED = 'unpatched: the patched build failed';

/** The one line after a patched build failed and the unpatched one worked. */
export function fallbackLine(log) {
  return `the patched Kafka client did not compile (log: ${log}); built it unpatched: everything works, consumption is slower`;
}

/**
 * Per file the patches touch: its pristine text and its patched text (or why
 * the patches do not apply). `backup` wins; else the file is pristine when its
 * patches apply to it, or patched when they apply reversed. Pure.
 * @param {{ name: string, text: string }[]} patches in order
 * @param {Map<string, string>} current the files' texts now
 * @param {Map<string, string>} backup pristine texts saved earlier
 */
export function resolveSources(patches, current, backup) {
  const byFile = new Map();
  for (const p of patches) {
    for (const fp of parseDiff(p.text)) {
      if (!byFile.has(fp.path)) byFile.set(fp.path, []);
      byFile.get(fp.path).push(fp);
    }
  }
  const pristine = new Map();
  const patched = new Map();
  let problem = null;
  for (const [path, fps] of byFile) {
    const now = current.get(path);
    let base = backup.get(path) ?? null;
    if (base === null && now !== undefined) {
      if (applyAll(now, fps).ok) base = now;
      else {
        const back = applyAll(now, [...fps].reverse().map(reversed));
        if (back.ok) base = back.text;
      }
    }
    if (base === null) return { pristine: null, patched: null, problem: `${path}: neither ${PATCHED_VERSION}'s nor patched` };
    pristine.set(path, base);
    const r = applyAll(base, fps);
    if (r.ok) patched.set(path, r.text);
    else problem ??= r.reason;
  }
  return { pristine, patched: problem === null ? patched : null, problem };
}

function applyAll(text, fps) {
  for (const fp of fps) {
    const r = applyPatch(text, fp);
    if (!r.ok) return r;
    text = r.text;
  }
  return { ok: true, text };
}

/** Whether every file in `texts` reads as given. */
function same(texts, current) {
  return [...texts].every(([path, text]) => current.get(path) === text);
}

function main(argv) {
  const args = [...argv];
  const unpatchedRequested = take(args, '--unpatched');
  const patchesDir = resolve(takeValue(args, '--patches') ?? join(dirname(fileURLToPath(import.meta.url)), 'patches'));
  const [dirArg] = args;
  if (!dirArg || args.length !== 1) {
    console.error('usage: build.mjs <directory of @confluentinc/kafka-javascript> [--patches <dir>] [--unpatched]');
    return 1;
  }
  const dir = resolve(dirArg);
  const say = (line) => console.log(`setup: ${line}`);
  const own = join(dir, 'stockstream');
  const statePath = join(own, 'state.json');
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  const patches = readdirSync(patchesDir).filter((n) => n.endsWith('.diff')).sort()
    .map((name) => ({ name, text: readFileSync(join(patchesDir, name), 'utf8') }));
  const patchSet = createHash('sha256').update(JSON.stringify(patches)).digest('hex').slice(0, 16);

  const files = new Set(patches.flatMap((p) => parseDiff(p.text).map((f) => f.path)));
  const read = (root) => new Map([...files].filter((f) => existsSync(join(root, f))).map((f) => [f, readFileSync(join(root, f), 'utf8')]));
  const current = read(dir);
  const backup = read(join(own, 'pristine'));
  const found = version === PATCHED_VERSION ? resolveSources(patches, current, backup) : { pristine: null, patched: null, problem: null };
  const state = existsSync(statePath) ? JSON.parse(readFileSync(statePath, 'utf8')) : null;
  const nodeTime = existsSync(join(dir, NODE_FILE)) ? statSync(join(dir, NODE_FILE)).mtimeMs : -1;
  const plan = planBuild({
    version,
    pristine: found.pristine !== null,
    patchProblem: found.pristine !== null ? found.problem : null,
    unpatchedRequested,
    failedBefore: state?.built === UNPATCHED_FAILED && state.patchSet === patchSet ? { log: state.log } : null,
    sources: found.pristine && same(found.pristine, current) ? 'pristine' : found.patched && same(found.patched, current) ? 'patched' : 'other',
    nodeFresh: [...files].every((f) => !existsSync(join(dir, f)) || statSync(join(dir, f)).mtimeMs <= nodeTime),
  });
  if (plan.line) say(plan.line);
  if (plan.want === null) return 0;

  // The pristine sources are saved before anything is written over them.
  for (const [path, text] of found.pristine) {
    if (backup.get(path) !== text) writeAtomically(join(own, 'pristine', path), text);
  }
  const writeSources = (texts) => {
    for (const [path, text] of texts) if (readFileSync(join(dir, path), 'utf8') !== text) writeAtomically(join(dir, path), text);
  };
  const record = (built, failedLog) =>
    writeAtomically(statePath, `${JSON.stringify({ client: version, patchSet, built, ...(failedLog ? { log: failedLog } : {}) }, null, 2)}\n`);
  const failedLog = join(own, 'patched-build-failed.log');
  if (!plan.build) {
    if (state?.built !== plan.built || state.patchSet !== patchSet) record(plan.built, plan.built === UNPATCHED_FAILED ? failedLog : undefined);
    return 0;
  }

  const log = join(own, 'build.log');
  if (plan.want === 'patched') {
    writeSources(found.patched);
    if (compile(dir, log)) {
      record(PATCHED);
      return 0;
    }
    renameSync(log, failedLog);
    writeSources(found.pristine);
    if (!compile(dir, log)) return fatal(log);
    record(UNPATCHED_FAILED, failedLog);
    say(fallbackLine(failedLog));
    return 0;
  }
  writeSources(found.pristine);
  if (!compile(dir, log)) return fatal(log);
  record(plan.built, plan.built === UNPATCHED_FAILED ? failedLog : undefined);
  return 0;
}

/** node-gyp build of the binding (librdkafka is already built: only changed sources compile), its output in `log`. */
function compile(dir, log) {
  mkdirSync(dirname(log), { recursive: true });
  const r = spawnSync('npm', ['run', 'build', '--silent', '--', '--jobs=max'], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  writeFileSync(log, `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`);
  return r.status === 0;
}

function fatal(log) {
  console.error(`setup: the Kafka client did not compile even unpatched: see ${log}`);
  return 1;
}

function writeAtomically(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

function take(args, flag) {
  const i = args.indexOf(flag);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
}

function takeValue(args, flag) {
  const i = args.indexOf(flag);
  if (i < 0) return undefined;
  const [, value] = args.splice(i, 2);
  return value;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
