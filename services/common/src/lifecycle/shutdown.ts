import type { Logger } from 'pino';
import { exitProcess } from './process-exit.js';

type Cleanup = { name: string; fn: () => Promise<void> | void };

/**
 * Graceful shutdown: the first SIGTERM/SIGINT aborts `signal` so the work loop
 * stops taking work; cleanups (flush, commit, close) then run in reverse order
 * of registration within a deadline. A second signal or the deadline forces
 * exit with a non-zero code, so the exit code tells whether it was clean.
 */
export class Lifecycle {
  private readonly controller = new AbortController();
  private readonly cleanups: Cleanup[] = [];
  private stopping = false;

  constructor(private readonly logger: Logger, private readonly deadlineMs = 30_000) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Registers a cleanup; the last registered runs first (close what you opened last). */
  defer(name: string, fn: () => Promise<void> | void): void {
    this.cleanups.push({ name, fn });
  }

  /** Asks the work loop to stop, as a signal would; from then on the deadline runs. */
  stop(reason: string): void {
    if (!this.controller.signal.aborted) {
      this.logger.info({ reason }, 'stopping');
      this.startDeadline();
      this.controller.abort(new Error(reason));
    }
  }

  private deadline: NodeJS.Timeout | undefined;
  private exitCode = 0;

  /** Whatever hangs (the work loop finishing its batch, or a cleanup), the process exits by the deadline. */
  private startDeadline(): void {
    if (this.deadline !== undefined) return;
    this.deadline = setTimeout(() => {
      this.logger.error({ deadlineMs: this.deadlineMs }, 'shutdown deadline exceeded: exiting');
      exitProcess(this.exitCode || 2, this.logger);
    }, this.deadlineMs);
    this.deadline.unref();
  }

  /** Runs main, then the cleanups; resolves to the exit code. */
  async run(main: (signal: AbortSignal) => Promise<void>): Promise<number> {
    const onSignal = (sig: NodeJS.Signals) => {
      if (this.stopping || this.controller.signal.aborted) {
        this.logger.warn({ signal: sig }, 'second signal: exiting now');
        exitProcess(130, this.logger);
      }
      this.stop(`received ${sig}`);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    let code = 0;
    try {
      await main(this.controller.signal);
    } catch (err) {
      code = 1;
      this.logger.error({ err }, 'failed');
      // One plain sentence for the human at the terminal, besides the JSON log.
      process.stderr.write(`${this.logger.bindings().service ?? 'service'}: ${(err as Error)?.message ?? String(err)}\n`);
    }
    this.stopping = true;
    this.exitCode = code;
    this.startDeadline();
    for (const c of [...this.cleanups].reverse()) {
      try {
        await c.fn();
      } catch (err) {
        code = code || 1;
        this.exitCode = code;
        this.logger.error({ err, step: c.name }, 'shutdown step failed');
      }
    }
    clearTimeout(this.deadline);
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    return code;
  }
}
