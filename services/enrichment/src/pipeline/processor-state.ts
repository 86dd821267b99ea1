// The states of the consume-transform-produce loop (batch-processor.ts drives
// it; processor-decisions.ts decides every transition). Modelled on KafkaJS's
// transactionStateMachine: a state says what the loop is waiting for, and only
// the transitions listed in TRANSITIONS can happen. The names are those of
// exactly-once; at-least-once goes through the same states without a
// transaction (delivery/at-least-once.ts).
import type { TxnErrorKind } from '@stockstream/common';

export type Phase =
  /** Waiting `backoffMs` before trying again: something failed and nothing has committed since. */
  | 'backing-off'
  /** Replacing the transactional producer after a fatal error (exactly-once only). */
  | 'renewing-producer'
  /** Taking the next batch: the one read ahead while the last one committed, or a fresh fetch. */
  | 'fetching'
  /** The batch's transaction is begun and its outputs are being produced. */
  | 'in-transaction'
  /** The batch's offsets are being committed with its outputs: the only phase where offsets are committed. */
  | 'committing'
  /** The batch failed: its transaction is being aborted. */
  | 'aborting'
  /** Every assigned partition is being moved back to its committed offset, so nothing uncommitted is skipped. */
  | 'rewinding'
  /** The loop has ended: stop requested (no transaction open), or a fatal error it cannot recover from. */
  | 'stopped';

/** What every batch needs for the decisions: the consumer's assignment generation when its fetch started. */
export interface BatchStamp {
  generation: number;
}

/** Why a batch failed: the producer's error kind, or the assignment changed under it. */
export type FailureKind = TxnErrorKind | 'rebalanced';

/** Where the loop goes after a rewind: straight to the next batch, or through the backoff first. */
export type AfterRewind = 'fetch' | 'resume';

/** Plain data: the phase, what that phase works on, and what outlives a batch. */
export type ProcessorState<B extends BatchStamp = BatchStamp> = Carried &
  (
    | { phase: 'backing-off' | 'renewing-producer' | 'fetching' }
    | { phase: 'in-transaction' | 'committing'; batch: B }
    | { phase: 'aborting'; failure: { kind: FailureKind; message: string } }
    | { phase: 'rewinding'; then: AfterRewind }
    | { phase: 'stopped'; /** Set when a fatal error ended the loop: what the caller throws. */ fatal: string | null }
  );

/** Carried across batches. */
export interface Carried {
  /** The wait before the next try: 0 once a batch has committed, growing with each failure. */
  backoffMs: number;
  /** A fatal producer error happened and the budget allows a new producer: renew before the next batch. */
  renewalDue: boolean;
}

/** Every transition the loop may make; anything else is a bug. */
export const TRANSITIONS: Readonly<Record<Phase, readonly Phase[]>> = {
  'backing-off': ['renewing-producer', 'fetching', 'stopped'],
  'renewing-producer': ['rewinding', 'backing-off', 'stopped'],
  fetching: ['in-transaction', 'rewinding', 'backing-off', 'fetching', 'stopped'],
  'in-transaction': ['committing', 'aborting', 'backing-off', 'stopped'],
  committing: ['fetching', 'aborting', 'backing-off', 'stopped'],
  aborting: ['rewinding', 'stopped'],
  rewinding: ['backing-off', 'renewing-producer', 'fetching', 'stopped'],
  stopped: [],
};

export function isAllowedTransition(from: Phase, to: Phase): boolean {
  return TRANSITIONS[from].includes(to);
}
