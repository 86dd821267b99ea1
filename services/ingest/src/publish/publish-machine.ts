// The publishing loop (publisher.ts) as a state machine: the states it can be
// in, the transitions allowed between them, and the decisions that move it —
// when the open transaction commits, when to wait for the client, what a
// failure or a stop leaves to do. Pure functions over plain data, so each rule
// is tested without a broker; publisher.ts only carries them out. States are
// named after what the loop is doing (as KafkaJS's transactionStateMachine
// names what its producer is doing); whether a transaction is open is the
// TransactionWindow's to say.

/** What the publisher is doing. */
export type PublishState =
  /** Asking the source for its next batch (the start). */
  | 'reading'
  /** Beginning a transaction: the first item after a commit is about to go out. */
  | 'beginning'
  /** Handing items to the client, with a turn of the event loop every YIELD_EVERY items. */
  | 'producing'
  /** The client's queue is full: the item just produced waits for room, and nothing goes out before it. */
  | 'backPressured'
  /** A paced source: sleeping until the next tick is due. */
  | 'pacing'
  | 'committing'
  /** A failure: the open transaction is aborted, none of its records becomes visible. */
  | 'aborting'
  /** Ended: every item taken is committed. */
  | 'closed'
  /** Ended with an error: what committed before is counted, nothing else. */
  | 'failed';

/** Where each state may go next. Ends go through committing or aborting, except where there is nothing left to end. */
export const TRANSITIONS: { readonly [S in PublishState]: readonly PublishState[] } = {
  reading: ['producing', 'committing', 'aborting'],
  beginning: ['producing', 'failed'],
  producing: ['reading', 'beginning', 'backPressured', 'pacing', 'committing', 'aborting'],
  backPressured: ['producing', 'aborting'],
  pacing: ['committing', 'producing', 'aborting'],
  committing: ['producing', 'pacing', 'closed', 'failed'],
  aborting: ['failed'],
  closed: [],
  failed: [],
};

export class IllegalTransitionError extends Error {
  override name = 'IllegalTransitionError';
}

/** `to`, when the machine may go there from `from`; throws otherwise (a bug of the loop, never of the data). */
export function transition(from: PublishState, to: PublishState): PublishState {
  if (!TRANSITIONS[from].includes(to)) throw new IllegalTransitionError(`publisher: no transition from ${from} to ${to}`);
  return to;
}

/**
 * Items handed to the client between two pauses: a turn of the event loop (a
 * synchronous stretch of produce() calls would starve timers, signals and the
 * reports of failed deliveries; a turn per hundred messages costs next to
 * nothing per message) and, if it is due, the commit. Transactions therefore
 * close on records (looked at every YIELD_EVERY) and time (commitIntervalMs).
 */
export const YIELD_EVERY = 100;

/** The open transaction as the decisions see it. */
export interface WindowTimes {
  /** Clock time its transaction began; negative when none is open. */
  readonly openedAt: number;
  /** How long a transaction stays open before it is due for its commit. */
  readonly intervalMs: number;
}

/** True when the open transaction is due for its commit at `at`; never when none is open. */
export function commitDue(w: WindowTimes, at: number): boolean {
  return w.openedAt >= 0 && at - w.openedAt >= w.intervalMs;
}

/**
 * At a pause: commit when due, unless a delivery failed — that transaction
 * cannot commit; the loop stops at its next item and aborts it.
 */
export function commitAtPause(w: WindowTimes, now: number, deliveryFailed: boolean): boolean {
  return !deliveryFailed && commitDue(w, now);
}

/**
 * A paced source about to sleep `waitMs`: commit first when the transaction
 * would come due meanwhile, so what is produced becomes visible on time
 * rather than after the wait.
 */
export function commitBeforeWait(w: WindowTimes, now: number, waitMs: number): boolean {
  return commitDue(w, now + waitMs);
}

/**
 * Back-pressure: the loop waits before its next item only when the client's
 * queue was full (produce() returned a promise, settled once the message is
 * queued): nothing may go out before that message, or an index's records would
 * leave out of order. Deliveries are never waited for one by one: a
 * transaction's commit succeeds only when all its messages landed.
 */
export function mustWaitForRoom(produced: void | Promise<void>): produced is Promise<void> {
  return produced !== undefined;
}

/** Why the loop stopped taking items: a delivery failure outranks the signal (its transaction must be aborted). */
export function stopCause(deliveryFailed: boolean): 'deliveryFailed' | 'stopped' {
  return deliveryFailed ? 'deliveryFailed' : 'stopped';
}

/** What failed, by the state the loop was in when an error escaped it. */
export type FailureKind = 'sourceFailed' | 'beginFailed' | 'commitFailed' | 'produceFailed';

/** How a run ends. */
export type Ending =
  /** The source has no more items. */
  | { kind: 'exhausted' }
  /** The signal aborted (shutdown): no more items are taken. */
  | { kind: 'stopped' }
  /** A delivery report said a message failed: no more items are taken. */
  | { kind: 'deliveryFailed' }
  | { kind: FailureKind; error: unknown };

/**
 * Reading fails in the source (a file that cannot be read); beginning and
 * committing in the transaction calls (a commit that failed has been aborted
 * by the window, or is in a state only the coordinator can end); anything
 * else while handing items over (encoding, the client refusing a message, the
 * wait for room).
 */
export function failureIn(state: PublishState): FailureKind {
  switch (state) {
    case 'reading':
      return 'sourceFailed';
    case 'beginning':
      return 'beginFailed';
    case 'committing':
      return 'commitFailed';
    default:
      return 'produceFailed';
  }
}

/** What is left to do with the open transaction at the end, and how the run ends. */
export interface Settlement {
  readonly finish: 'commit' | 'abort' | 'nothing';
  readonly outcome: 'closed' | 'failed';
}

/**
 * The end of a run. What was handed to the client commits when every message
 * of it can have landed: at the source's end, at a stop (shutdown finishes the
 * open transaction), and when the source failed (its error goes up after). A
 * failed delivery or a refused produce means the transaction does not hold
 * what was counted in it: it is aborted. A failed begin or commit leaves
 * nothing to do. The outcome fails with every error, and with a failed delivery.
 */
export function settlement(ending: Ending['kind'], deliveryFailed: boolean): Settlement {
  switch (ending) {
    case 'beginFailed':
    case 'commitFailed':
      return { finish: 'nothing', outcome: 'failed' };
    case 'deliveryFailed':
    case 'produceFailed':
      return { finish: 'abort', outcome: 'failed' };
    case 'sourceFailed':
      return { finish: deliveryFailed ? 'abort' : 'commit', outcome: 'failed' };
    case 'exhausted':
    case 'stopped':
      return deliveryFailed ? { finish: 'abort', outcome: 'failed' } : { finish: 'commit', outcome: 'closed' };
  }
}
