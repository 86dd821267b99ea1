import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const COMMON = fileURLToPath(new URL('../../src/index.js', import.meta.url));

/** Runs a Lifecycle in a child process (it calls process.exit), sends it SIGTERM once it says it is running. */
function runChild(main: string, deadlineMs: number): Promise<{ code: number | null; ms: number }> {
  const script = `
    const { Lifecycle, createLogger } = await import(${JSON.stringify(COMMON)});
    const lifecycle = new Lifecycle(createLogger('t', 'silent'), ${deadlineMs});
    const code = await lifecycle.run(async (signal) => { ${main} });
    process.exit(code);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    let t0 = 0;
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('running') && t0 === 0) {
        t0 = performance.now();
        child.kill('SIGTERM');
      }
    });
    child.on('exit', (code) => resolve({ code, ms: performance.now() - t0 }));
  });
}

describe('Lifecycle', () => {
  it('exits 0 when the work loop stops on SIGTERM', async () => {
    // The interval stands for the work loop's pending I/O, which keeps a real service alive until it stops.
    const r = await runChild(`console.log('running'); const t = setInterval(() => {}, 1000); await new Promise((r) => signal.addEventListener('abort', r)); clearInterval(t);`, 5000);
    assert.equal(r.code, 0);
  });

  it('exits non-zero by the deadline when the work loop hangs after SIGTERM', async () => {
    const r = await runChild(`console.log('running'); await new Promise(() => setInterval(() => {}, 1000));`, 300);
    assert.equal(r.code, 2);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });
});
