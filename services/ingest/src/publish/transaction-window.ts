// The ingest publishes in Kafka transactions, committed every
// INGEST_COMMIT_INTERVAL_MS. A commit is the acknowledgement: it succeeds
// only when every message of the transaction was written, so the producer
// needs delivery reports of failures only (less than half the cost per
// message of a report for each), and readers with read_committed never see
// the records of a run killed mid-transaction. What a transaction holds is
// counted as published when, and only when, it commits.

import { classifyTxnError, withRetry, type Transactions } from '@stockstream/common';
import { commitDue, type WindowTimes } from './publish-machine.js';

/** The transactional calls a window makes (a fake in unit tests). */
export type TransactionCalls = Pick<Transactions, 'begin' | 'commit' | 'abort'>;

/** What the open transaction holds: counted as published once it commits. */
export interface TransactionTally {
  /** Raw records. */
  published: number;
  deadLettered: number;
  deadLetteredByReason: Record<string, number>;
  /** Value bytes, raw and dead-letter. */
  bytes: number;
  /** Clock time at the produce of the sampled raw records (produce-latency metric). */
  producedAt: number[];
}

const emptyTally = (): TransactionTally => ({ published: 0, deadLettered: 0, deadLetteredByReason: {}, bytes: 0, producedAt: [] });

/** A transaction that could not commit: it was aborted, none of its records is visible to read_committed readers. */
export class TransactionAbortedError extends Error {
  override name = 'TransactionAbortedError';
  constructor(
    message: string,
    readonly lost: TransactionTally,
  ) {
    super(message);
  }
}

/** A commit failing with a retriable error (a broker briefly away) is retried for this long. */
const COMMIT_RETRY_MS = 30_000;

/**
 * The open transaction of a publishing run: begun lazily by the first record
 * after a commit, due for its commit `intervalMs` after it began.
 * `onCommitted` receives the tally of each committed transaction, when it
 * committed and how long the commit call took; `onAborted`, if set, the
 * tally of each aborted one. `clock` (performance.now() by default) times
 * the windows and the sampled produces.
 */
export class TransactionWindow implements WindowTimes {
  private begunAt = -1;
  private tally = emptyTally();
  onAborted: ((lost: TransactionTally) => void) | null = null;
  /** Produces into the open transaction just before its commit (the source's position, with --resume). */
  beforeCommit: ((tally: TransactionTally) => void | Promise<void>) | null = null;

  constructor(
    private readonly transactions: TransactionCalls,
    readonly intervalMs: number,
    private readonly onCommitted: (tally: TransactionTally, committedAt: number, commitSeconds: number) => void,
    private readonly commitRetryMs = COMMIT_RETRY_MS,
    private readonly clock: () => number = () => performance.now(),
  ) {
    if (!Number.isInteger(intervalMs) || intervalMs <= 0) throw new RangeError(`commit interval must be a positive integer (ms), got ${intervalMs}`);
  }

  get isOpen(): boolean {
    return this.begunAt >= 0;
  }

  /** Clock time the open transaction began; -1 when none is open. */
  get openedAt(): number {
    return this.begunAt;
  }

  /** The open transaction's tally, for the caller to add what it produces into it. */
  get current(): TransactionTally {
    return this.tally;
  }

  /** Begins a transaction unless one is open. */
  async open(): Promise<void> {
    if (this.begunAt >= 0) return;
    await this.transactions.begin();
    this.begunAt = this.clock();
  }

  /** True when the open transaction is due for its commit at `at` (clock time). */
  dueAt(at: number): boolean {
    return commitDue(this, at);
  }

  /**
   * Commits the open transaction, if any. An abortable failure (a message the
   * broker refused) aborts it and throws TransactionAbortedError; a fatal one
   * (fenced by another producer with the same transactional.id) throws as is.
   */
  async commit(): Promise<void> {
    if (this.begunAt < 0) return;
    const tally = this.tally;
    const started = this.clock();
    try {
      const queued = this.beforeCommit?.(tally);
      if (queued) await queued;
      await withRetry(() => this.transactions.commit(), { timeoutMs: this.commitRetryMs, retryable: (err) => classifyTxnError(err) === 'retriable' });
    } catch (err) {
      const kind = classifyTxnError(err);
      // Still retriable after COMMIT_RETRY_MS: librdkafka allows nothing but the same commit again (an abort would
      // fail as "conflicting"), so give up as is; the coordinator aborts it (transaction timeout) or a rerun does.
      if (kind === 'fatal' || kind === 'retriable') throw err;
      await this.abort();
      throw new TransactionAbortedError(
        `a transaction of ${tally.published} records and ${tally.deadLettered} dead letters was aborted: ${(err as Error).message}`,
        tally,
      );
    }
    this.reset();
    const committedAt = this.clock();
    this.onCommitted(tally, committedAt, (committedAt - started) / 1000);
  }

  /** Aborts the open transaction, if any: none of its records becomes visible. Returns what it held. */
  async abort(): Promise<TransactionTally> {
    const tally = this.tally;
    if (this.begunAt >= 0) {
      this.reset();
      await this.transactions.abort();
      this.onAborted?.(tally);
    }
    return tally;
  }

  private reset(): void {
    this.begunAt = -1;
    this.tally = emptyTally();
  }
}
