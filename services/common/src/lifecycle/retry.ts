export interface RetryOptions {
  /** Give up once this much time has passed since the first attempt. */
  timeoutMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Return false for errors that retrying cannot fix (they are thrown at once). */
  retryable?: (err: unknown) => boolean;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
}

/** Exponential backoff with jitter, bounded by total time rather than attempts. */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const start = Date.now();
  let delay = opts.initialDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const elapsed = Date.now() - start;
      if (opts.signal?.aborted || (opts.retryable && !opts.retryable(err)) || elapsed + delay > opts.timeoutMs) throw err;
      const wait = Math.round(delay * (0.75 + Math.random() * 0.5));
      opts.onRetry?.(err, attempt, wait);
      await new Promise((r) => setTimeout(r, wait));
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 5000);
    }
  }
}

/** The next wait of a loop that backs off while something stays down: doubling from 250 ms, at most 10 s. */
export function nextBackoffMs(previousMs: number): number {
  return Math.min(Math.max(previousMs * 2, 250), 10_000);
}
