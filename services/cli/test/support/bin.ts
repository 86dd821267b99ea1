import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `stockstream` npm bin (services/cli/bin/stockstream.js). */
export const BIN = fileURLToPath(new URL('../../../bin/stockstream.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the bin with only PATH and `env` set: none of the caller's stack settings leak in. */
export function stockstream(args: string[], env: Record<string, string> = {}): Run {
  const started = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
}

/** stockstream() without waiting: several runs at once. */
export function stockstreamAsync(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}
