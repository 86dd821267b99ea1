// The sink loop's states (after KafkaJS's transactionStateMachine: named
// states, the transitions allowed between them) and what the loop remembers
// between batches, as plain data. Which state comes next is decided in
// sink-decisions.ts; sink-loop.ts carries each state's effects out.
import type { Message } from '@stockstream/common';

/**
 * - `recovering`: the assignment is new (or the group refused a commit, so
 *   what it holds is in doubt): forget every open and pending file, list what
 *   storage already holds for the partitions, rewind to the committed offsets.
 * - `consuming`: read and file records, upload closed files in the
 *   background, commit what is uploaded.
 * - `waiting-for-uploads`: back-pressure; too many records held in memory,
 *   read nothing until the upload run in flight ends.
 * - `storage-down`: the last upload run failed; the consumer is paused,
 *   nothing is committed, the uploads are retried (in order) after a backoff.
 * - `rebalancing`: the group asked for an assignment change; let the uploads
 *   in flight land, commit them, apply the change.
 * - `stopping`: shutdown; close every file, upload, commit. Final.
 */
export type SinkPhase = 'recovering' | 'consuming' | 'waiting-for-uploads' | 'storage-down' | 'rebalancing' | 'stopping';

/**
 * Allowed transitions. Stopping, a rebalance and a recovery can interrupt
 * anything; storage is found down only by an upload run, and back up only
 * when a retry run ends, with nothing in flight; a recovery starts over with
 * nothing pending, so storage counts as up after it; an applied rebalance
 * leaves no files, so recovery comes next.
 */
const TRANSITIONS: Record<SinkPhase, readonly SinkPhase[]> = {
  recovering: ['recovering', 'consuming', 'rebalancing', 'stopping'],
  consuming: ['consuming', 'waiting-for-uploads', 'storage-down', 'recovering', 'rebalancing', 'stopping'],
  'waiting-for-uploads': ['waiting-for-uploads', 'consuming', 'storage-down', 'recovering', 'rebalancing', 'stopping'],
  'storage-down': ['storage-down', 'consuming', 'recovering', 'rebalancing', 'stopping'],
  rebalancing: ['rebalancing', 'recovering', 'stopping'],
  stopping: [],
};

export class InvalidSinkTransition extends Error {
  constructor(readonly from: SinkPhase, readonly to: SinkPhase) {
    super(`sink loop: no transition from ${from} to ${to}`);
    this.name = 'InvalidSinkTransition';
  }
}

export function canTransition(from: SinkPhase, to: SinkPhase): boolean {
  return TRANSITIONS[from].includes(to);
}

/**
 * A record the sink cannot read (or the lake cannot hold). Its dead letter is
 * held until the commit that moves past its offset, and produced in one Kafka
 * transaction with that commit: a restart before the commit reads the record
 * again, and only one of the two letters is ever committed.
 */
export interface HeldDeadLetter {
  partition: number;
  offset: number;
  /** The record, its value copied out of the batch. */
  message: Message;
  reason: string;
  text: string;
  failedAt: number;
}

/** What the loop remembers between batches; changed only through the functions below. */
export interface SinkState {
  phase: SinkPhase;
  /** The consumer generation the open files were recovered for; null when there are none (at the start, after a rebalance was applied). */
  generation: number | null;
  /** The group refused a commit: what it holds is in doubt, recover even though the generation did not change. */
  recoveryRequested: boolean;
  /** Per partition, the offset last sent by an asynchronous commit: not sent again until it moves. */
  committed: Map<number, number>;
  /** Whether the assigned partitions are paused (only for storage-down). */
  consumerPaused: boolean;
  /** The last upload run failed: nothing is committed until a run succeeds. */
  storageDown: boolean;
  /** The wait before the next retry of the uploads while storage is down. */
  backoffMs: number;
  /** Per partition, in offset order, dead letters not yet committed: they go with the commit that passes them. */
  heldDeadLetters: Map<number, HeldDeadLetter[]>;
}

export function initialSinkState(): SinkState {
  return { phase: 'recovering', generation: null, recoveryRequested: false, committed: new Map(), consumerPaused: false, storageDown: false, backoffMs: 0, heldDeadLetters: new Map() };
}

/** Moves to `to`; throws InvalidSinkTransition for a transition the table above does not allow (a bug in the loop). */
export function enterPhase(s: SinkState, to: SinkPhase): void {
  if (!canTransition(s.phase, to)) throw new InvalidSinkTransition(s.phase, to);
  s.phase = to;
}

/**
 * The partitions of `generation` were recovered: nothing uncommitted survives
 * an assignment change, and nothing is pending, so storage counts as up. A new
 * assignment starts unpaused; the same one (a refused commit) stays as it was.
 */
export function recovered(s: SinkState, generation: number): void {
  if (s.generation !== generation) s.consumerPaused = false;
  s.generation = generation;
  s.recoveryRequested = false;
  s.committed.clear();
  s.heldDeadLetters.clear(); // their records are read again from the committed offsets, and held again
  s.storageDown = false;
  s.backoffMs = 0;
}

/** A rebalance was applied: the files of the old assignment are dropped, the new one must be recovered. */
export function assignmentReleased(s: SinkState): void {
  s.generation = null;
  s.committed.clear();
  s.heldDeadLetters.clear();
}

/** Offsets sent by a commit (sync or async). */
export function commitSent(s: SinkState, offsets: readonly { partition: number; offset: number }[]): void {
  for (const o of offsets) s.committed.set(o.partition, o.offset);
}

/** A record was found unreadable: its dead letter waits for the commit that passes it. */
export function deadLetterHeld(s: SinkState, letter: HeldDeadLetter): void {
  const held = s.heldDeadLetters.get(letter.partition);
  if (held) held.push(letter);
  else s.heldDeadLetters.set(letter.partition, [letter]);
}

/** Dead letters committed (in one transaction with their offsets): no longer held. */
export function deadLettersCommitted(s: SinkState, letters: readonly HeldDeadLetter[]): void {
  const done = new Set(letters);
  for (const [p, held] of s.heldDeadLetters) {
    const rest = held.filter((l) => !done.has(l));
    if (rest.length > 0) s.heldDeadLetters.set(p, rest);
    else s.heldDeadLetters.delete(p);
  }
}

/**
 * A commit failed: the next one sends every partition's offset again. One
 * that retrying cannot fix (the group moved on without us) puts the
 * assignment in doubt: recover it from what the group has committed.
 */
export function commitFailed(s: SinkState, retriable: boolean): void {
  s.committed.clear();
  if (!retriable) s.recoveryRequested = true;
}

export function uploadRunEnded(s: SinkState, ok: boolean): void {
  s.storageDown = !ok;
}

export function consumerPaused(s: SinkState): void {
  s.consumerPaused = true;
}

/** Consumption resumed after storage came back: the next outage backs off from the start. */
export function consumerResumed(s: SinkState): void {
  s.consumerPaused = false;
  s.backoffMs = 0;
}

/** Another retry of the uploads while storage is down: waits longer (common's nextBackoffMs). */
export function backedOff(s: SinkState, nextMs: number): void {
  s.backoffMs = nextMs;
}
