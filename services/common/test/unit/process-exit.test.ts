import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { boundedNativeCall, stuckNativeCalls } from '../../src/lifecycle/process-exit.js';

const EXIT = fileURLToPath(new URL('../../src/lifecycle/process-exit.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'process-exit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A child whose libuv thread pool holds a call that never returns (opening a
 * FIFO nobody writes blocks its thread, as a lost librdkafka reply does), then
 * exits with code 3; `mark` registers the call as stuck first.
 */
function childWithStuckCall(name: string, mark: boolean, waitMs: number): Promise<{ code: number | null; signal: string | null; stderr: string; hung: boolean }> {
  const fifo = join(dir, name);
  execFileSync('mkfifo', [fifo]);
  const script = `
    const { exitProcess, markNativeCallStuck } = await import(${JSON.stringify(EXIT)});
    (await import('node:fs')).open(${JSON.stringify(fifo)}, 'r', () => {});
    ${mark ? "markNativeCallStuck('open of a FIFO nobody writes');" : ''}
    setTimeout(() => exitProcess(3), 100);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, waitMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, hung });
    });
  });
}

describe('exitProcess', () => {
  it('exits with the code when nothing is stuck', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', `(await import(${JSON.stringify(EXIT)})).exitProcess(4);`]);
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 4);
  });

  it('why it exists: process.exit() waits forever for a thread-pool call that never returns', async () => {
    const r = await childWithStuckCall('unmarked', false, 3000);
    assert.equal(r.hung, true, `expected the exit to hang, it ended with ${r.code ?? r.signal}`);
    assert.equal(r.signal, 'SIGKILL', 'ended by the test, not by itself');
  });

  it('with a call registered as stuck, ends the process with SIGKILL at once and says why', async () => {
    const r = await childWithStuckCall('marked', true, 10_000);
    assert.equal(r.hung, false);
    assert.equal(r.signal, 'SIGKILL');
    assert.match(r.stderr, /exit 3: a native call never returned \(open of a FIFO nobody writes\)/);
  });
});

describe('boundedNativeCall', () => {
  it('resolves when the call reports in time, registering nothing', async () => {
    await boundedNativeCall('quick close', 1000, (done) => setTimeout(done, 10));
    assert.deepEqual(stuckNativeCalls(), []);
  });

  it('past its bound rejects naming the call and registers it as stuck until it returns after all', async () => {
    let done: () => void = () => assert.fail('never called');
    await assert.rejects(boundedNativeCall('slow close', 30, (d) => (done = d)), /slow close did not return within 30 ms/);
    assert.deepEqual(stuckNativeCalls(), ['slow close']);
    done();
    assert.deepEqual(stuckNativeCalls(), []);
  });

  it("rejects with the call's own error, and past its bound with onStuck's", async () => {
    await assert.rejects(boundedNativeCall('failing close', 1000, (done) => setImmediate(() => done(new Error('refused')))), /refused/);
    let done: (err?: unknown) => void = () => assert.fail('never called');
    await assert.rejects(boundedNativeCall('lost reply', 30, (d) => (done = d), () => new RangeError('stuck here')), RangeError);
    done(new Error('too late')); // a reply after the bound changes nothing but the registration
    assert.deepEqual(stuckNativeCalls(), []);
  });
});
