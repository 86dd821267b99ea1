// The decisions of the consume-transform-produce loop, as pure functions over
// plain data: what may be committed, when to abort and rewind, when to renew
// the producer, when to back off, when to stop. batch-processor.ts does the
// I/O of each phase and reports its outcome here.
import { nextBackoffMs, type MessageBatch, type TopicPartitionOffset, type TxnErrorKind } from '@stockstream/common';
import type { AfterRewind, BatchStamp, Carried, FailureKind, ProcessorState } from './processor-state.js';

/** What the I/O of a phase came to. */
export type Outcome<B extends BatchStamp = BatchStamp> =
  /** backing-off */
  | { type: 'waited' }
  /** renewing-producer */
  | { type: 'renewed' }
  | { type: 'renewal-failed' }
  /** fetching; `generation` is the consumer's now, `empty` whether the fetch brought nothing */
  | { type: 'fetched'; batch: B; empty: boolean; generation: number }
  | { type: 'transform-failed' }
  /** in-transaction: every output handed to the producer; `generation` is the consumer's now */
  | { type: 'produced'; generation: number }
  /** committing */
  | { type: 'committed' }
  /** in-transaction or committing; `renewable`: a new producer is allowed now (exactly-once, within the budget) */
  | { type: 'batch-failed'; kind: TxnErrorKind; renewable: boolean; message: string }
  /** aborting */
  | { type: 'aborted' }
  | { type: 'abort-failed'; kind: TxnErrorKind; renewable: boolean; message: string }
  /** rewinding */
  | { type: 'rewound' };

/** Where the loop starts: nothing failed yet. */
export function initialState<B extends BatchStamp>(stopRequested: boolean): ProcessorState<B> {
  return resume({ backoffMs: 0, renewalDue: false }, stopRequested);
}

/**
 * The state after `state` once its phase came to `outcome`. A stop request
 * only ends the loop between batches: an open transaction is committed or
 * aborted first.
 */
export function decide<B extends BatchStamp>(state: ProcessorState<B>, outcome: Outcome<B>, stopRequested: boolean): ProcessorState<B> {
  const carried: Carried = { backoffMs: state.backoffMs, renewalDue: state.renewalDue };
  switch (state.phase) {
    case 'backing-off':
      if (outcome.type === 'waited') return afterBackoff(carried, stopRequested);
      break;
    case 'renewing-producer':
      if (outcome.type === 'renewed') return rewind({ ...carried, renewalDue: false }, 'fetch');
      if (outcome.type === 'renewal-failed') return resume(backedOff(carried), stopRequested);
      break;
    case 'fetching':
      if (outcome.type === 'transform-failed') return rewind(backedOff(carried), 'resume'); // e.g. the registry down, not a bad record
      if (outcome.type === 'fetched') {
        if (outcome.empty) return resume(carried, stopRequested);
        // Fetched before a rebalance: the assignment reset the positions to the committed offsets; using it would process it twice.
        if (outcome.batch.generation !== outcome.generation) return rewind(carried, 'resume');
        return { ...carried, phase: 'in-transaction', batch: outcome.batch };
      }
      break;
    case 'in-transaction':
      if (outcome.type === 'produced') {
        if (outcome.generation !== state.batch.generation) return { ...carried, phase: 'aborting', failure: { kind: 'rebalanced', message: 'partitions were reassigned during the batch' } };
        return { ...carried, phase: 'committing', batch: state.batch };
      }
      if (outcome.type === 'batch-failed') return afterBatchFailure(carried, outcome, stopRequested);
      break;
    case 'committing':
      if (outcome.type === 'committed') return resume({ ...carried, backoffMs: 0 }, stopRequested);
      if (outcome.type === 'batch-failed') return afterBatchFailure(carried, outcome, stopRequested);
      break;
    case 'aborting': {
      const after = state.failure.kind === 'rebalanced' ? carried : backedOff(carried); // a rebalance is no fault: retry at once
      if (outcome.type === 'aborted') return rewind(after, 'resume');
      if (outcome.type === 'abort-failed') {
        if (outcome.kind !== 'fatal') return rewind(after, 'resume');
        if (!outcome.renewable) return stopped(carried, `abort failed fatally: ${outcome.message}`);
        return rewind({ ...after, renewalDue: true }, 'resume');
      }
      break;
    }
    case 'rewinding':
      if (outcome.type === 'rewound') return state.then === 'fetch' ? (stopRequested ? stopped(carried, null) : { ...carried, phase: 'fetching' }) : resume(carried, stopRequested);
      break;
    case 'stopped':
      break;
  }
  throw new Error(`the enrichment loop cannot handle '${outcome.type}' while ${state.phase}`);
}

/**
 * After a failed batch: a fatal producer error (fenced, or the transaction
 * expired) needs a new producer, or ends the loop once the budget is spent;
 * anything else aborts the transaction and rewinds.
 */
function afterBatchFailure<B extends BatchStamp>(carried: Carried, failure: { kind: FailureKind; renewable: boolean; message: string }, stopRequested: boolean): ProcessorState<B> {
  if (failure.kind !== 'fatal') return { ...carried, phase: 'aborting', failure: { kind: failure.kind, message: failure.message } };
  if (!failure.renewable) return stopped(carried, `producer fenced or fatal error: ${failure.message}`);
  // Its transaction dies with the producer; the rewind follows the renewal.
  return resume({ ...backedOff(carried), renewalDue: true }, stopRequested);
}

/** Where the loop goes between batches: stop, wait out the backoff, renew the producer, or fetch. */
function resume<B extends BatchStamp>(carried: Carried, stopRequested: boolean): ProcessorState<B> {
  if (stopRequested) return stopped(carried, null);
  if (carried.backoffMs > 0) return { ...carried, phase: 'backing-off' };
  return afterBackoff(carried, false);
}

/** After the backoff: the same as resume, without waiting again. */
function afterBackoff<B extends BatchStamp>(carried: Carried, stopRequested: boolean): ProcessorState<B> {
  if (stopRequested) return stopped(carried, null);
  return { ...carried, phase: carried.renewalDue ? 'renewing-producer' : 'fetching' };
}

function rewind<B extends BatchStamp>(carried: Carried, then: AfterRewind): ProcessorState<B> {
  return { ...carried, phase: 'rewinding', then };
}

function stopped<B extends BatchStamp>(carried: Carried, fatal: string | null): ProcessorState<B> {
  return { ...carried, phase: 'stopped', fatal };
}

function backedOff(carried: Carried): Carried {
  return { ...carried, backoffMs: nextBackoffMs(carried.backoffMs) };
}

/**
 * What a batch commits: one past the last record of each partition in it (in
 * order of first appearance).
 */
export function nextOffsets(batch: MessageBatch): TopicPartitionOffset[] {
  // By topic, then partition: no key string built per message.
  const next = new Map<string, Map<number, TopicPartitionOffset>>();
  const out: TopicPartitionOffset[] = [];
  for (let i = 0; i < batch.length; i++) {
    const topic = batch.topic(i);
    const partition = batch.partition(i);
    const offset = batch.offset(i);
    let byPartition = next.get(topic);
    if (byPartition === undefined) next.set(topic, (byPartition = new Map()));
    const cur = byPartition.get(partition);
    if (cur === undefined) {
      const tpo = { topic, partition, offset: offset + 1 };
      byPartition.set(partition, tpo);
      out.push(tpo);
    } else if (offset + 1 > cur.offset) {
      cur.offset = offset + 1;
    }
  }
  return out;
}
