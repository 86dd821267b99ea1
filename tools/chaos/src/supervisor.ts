// Runs a service as an orchestrator would: a child process started again
// when it exits (with a growing delay while it keeps failing, like
// Kubernetes' CrashLoopBackOff), logs to a file, and counts what happened.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export type RestartPolicy = 'always' | 'on-failure';

/** Delay before restart number `n` of a run of failures: 1, 2, 4, 8 s, then 10 s. */
export function restartDelayMs(consecutiveFailures: number): number {
  return Math.min(10_000, 1000 * 2 ** Math.max(0, consecutiveFailures - 1));
}

/** A process up this long has recovered: its next failure starts the back-off again. */
const STABLE_AFTER_MS = 30_000;

export class Supervised {
  private child: ChildProcess | undefined;
  private log: WriteStream;
  private startedAt = 0;
  private failures = 0;
  private stopping = false;
  private killedByUs = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private exitWaiters: (() => void)[] = [];
  kills = 0;
  ownExits = 0;
  starts = 0;
  /** Set when a run-to-completion service (on-failure) exited 0. */
  completed = false;
  lastExit = '';

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly args: string[],
    private readonly env: Record<string, string>,
    readonly httpPort: number,
    private readonly policy: RestartPolicy,
    logDir: string,
  ) {
    this.log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Milliseconds the current process has been running, 0 when none runs. */
  get upMs(): number {
    return this.child ? Date.now() - this.startedAt : 0;
  }

  start(): void {
    if (this.child || this.stopping) return;
    this.starts++;
    this.startedAt = Date.now();
    this.killedByUs = false;
    this.log.write(`--- start ${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(process.execPath, [this.script, ...this.args], {
      env: { ...process.env, ...this.env, HTTP_PORT: String(this.httpPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    child.on('exit', (code, signal) => this.onExit(code, signal));
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const upMs = Date.now() - this.startedAt;
    this.child = undefined;
    this.lastExit = signal ?? `exit ${code}`;
    this.log.write(`--- ${this.lastExit} after ${upMs} ms\n`);
    for (const w of this.exitWaiters.splice(0)) w();
    if (!this.killedByUs && !this.stopping) this.ownExits++;
    if (this.stopping) return;
    if (this.policy === 'on-failure' && code === 0) {
      this.completed = true;
      return;
    }
    if (upMs >= STABLE_AFTER_MS) this.failures = 0;
    this.failures++;
    // After our SIGKILL the orchestrator restarts at once, as it would after a node loss.
    const delay = this.killedByUs ? 500 : restartDelayMs(this.failures);
    this.restartTimer = setTimeout(() => this.start(), delay);
  }

  /** SIGKILL the running process (it is then restarted); false when none was running. */
  kill(): boolean {
    if (!this.child) return false;
    this.kills++;
    this.killedByUs = true;
    this.child.kill('SIGKILL');
    return true;
  }

  /** SIGTERM and no restart; SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child) {
      const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}
