// scripts/kafka-binding/build.mjs when a patch does not compile, on a copy of
// the installed Kafka client (never the installed one: other tests use it):
// the client's own sources are put back and built, one line says so, the run
// succeeds, and the client it built loads, without the patches' method. Also
// that a later run does not retry the same patches and still says the client
// is unpatched. Needs a compiler, as the client compiled here did.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { bindingBuildScript, copyBindingForBuild, installedBindingDir, nativeModuleFile } from '@stockstream/common/testing';

const builtHere = existsSync(join(installedBindingDir, 'build', 'Release', 'obj.target'));
const SHIPPED = join(dirname(bindingBuildScript), 'patches');

test('a patch that does not compile: the client is built from its own sources, one line says so, exit 0', {
  skip: builtHere ? false : 'the Kafka client is a prebuilt binary here: nothing is compiled, so nothing can fail to compile',
  timeout: 240_000,
}, () => {
  const root = mkdtempSync(join(tmpdir(), 'kafka-binding-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const copy = copyBindingForBuild(root);

  // The shipped patches, then one that applies but does not compile.
  const patches = join(root, 'patches');
  mkdirSync(patches);
  for (const f of readdirSync(SHIPPED)) writeFileSync(join(patches, f), readFileSync(join(SHIPPED, f)));
  const head = readFileSync(join(copy.dir, 'src/binding.cc'), 'utf8').split('\n').slice(0, 3);
  writeFileSync(join(patches, '9-does-not-compile.diff'),
    ['--- a/src/binding.cc', '+++ b/src/binding.cc', '@@ -1,3 +1,4 @@', '+#error "a patch that does not compile"', ...head.map((l) => ` ${l}`), ''].join('\n'));

  const run = () => spawnSync(process.execPath, [bindingBuildScript, copy.dir, '--patches', patches], { env: { ...process.env, ...copy.buildEnv }, encoding: 'utf8' });
  const first = run();
  assert.equal(first.status, 0, `${first.stdout}${first.stderr}`);
  const failedLog = join(copy.dir, 'stockstream', 'patched-build-failed.log');
  assert.deepEqual(first.stdout.trim().split('\n'), [
    'setup: rebuilding the native Kafka client with its patches (scripts/kafka-binding/README.md)',
    `setup: the patched Kafka client did not compile (log: ${failedLog}); built it unpatched: everything works, consumption is slower`,
  ]);
  assert.match(readFileSync(failedLog, 'utf8'), /error: #error "a patch that does not compile"/);

  // The sources are the client's own again: those saved before patching, which the shipped patches apply to.
  for (const file of ['src/common.cc', 'src/kafka-consumer.cc', 'src/binding.cc']) {
    const now = readFileSync(join(copy.dir, file), 'utf8');
    assert.equal(now, readFileSync(join(copy.dir, 'stockstream', 'pristine', file), 'utf8'), `${file} is the saved pristine one`);
    assert.doesNotMatch(now, /stockstream-patch|#error/, file);
  }
  assert.deepEqual(JSON.parse(readFileSync(join(copy.dir, 'stockstream', 'state.json'), 'utf8')).built, 'unpatched: the patched build failed');

  // The client it built loads and is the unpatched one (the patches add consumeColumns).
  const probe = spawnSync(process.execPath, ['-e', `const k = require(${JSON.stringify(join(copy.dir, 'librdkafka.js'))}).KafkaConsumer.prototype;
    console.log(typeof k.consume, typeof k.consumeColumns)`], { encoding: 'utf8' });
  assert.equal(probe.stdout.trim(), 'function undefined', probe.stderr);
  assert.ok(existsSync(nativeModuleFile(copy.dir)));

  // The next run (the next `make test`) builds nothing and says again that the client is unpatched.
  const started = Date.now();
  const second = run();
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stdout, /^setup: the Kafka client runs unpatched: its patched build failed \(log: .*patched-build-failed\.log; delete state\.json beside it to retry\); everything works, consumption is slower\n$/);
  assert.ok(Date.now() - started < 5000, `no rebuild (${Date.now() - started} ms)`);
});
