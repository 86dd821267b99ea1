// The sink's dead letters, exactly once: produced in one Kafka transaction
// with the offset commit that moves past their records (offsets sent with
// the consumer group's metadata, KIP-447, so a member the group has moved on
// from is refused). Used only for commits that carry dead letters
// (sink-decisions.ts: commitPlan); every other commit stays a plain one.
import {
  callResumably, classifyTxnError, type GroupConsumer, type Logger, type TopicPartitionOffset, type TransactionalSession,
} from '@stockstream/common';
import type { HeldDeadLetter } from './sink-state.js';

export interface DeadLetterTransactionsDeps {
  /** Its producer has a transactional.id of this sink instance: a restart fences the one before and aborts its open transaction. */
  session: Pick<TransactionalSession, 'producer' | 'transactions' | 'mayRenew' | 'renew'>;
  consumer: GroupConsumer;
  topic: string;
  /** A held dead letter as the dead-letter topic's key and value. */
  encode: (letter: HeldDeadLetter) => { key: string; value: Buffer };
  logger: Logger;
}

/** Thrown when the producer is fenced for good (no renewal left): the service ends and a restart takes over. */
export class DeadLetterProducerFenced extends Error {
  override name = 'DeadLetterProducerFenced';
}

// Never aborted: the commit at shutdown must still be able to retry (the service's shutdown bound ends it otherwise).
const NEVER = new AbortController().signal;

export class DeadLetterTransactions {
  constructor(private readonly deps: DeadLetterTransactionsDeps) {}

  /**
   * Produces `letters` and commits `offsets` in one transaction. 'refused':
   * aborted, nothing of it is visible (the caller recovers from the committed
   * offsets and reads the records again). Retriable failures are retried;
   * a fatal one renews the producer (within its budget), else throws.
   */
  async commit(offsets: TopicPartitionOffset[], letters: readonly HeldDeadLetter[]): Promise<'committed' | 'refused'> {
    const { session, consumer, logger } = this.deps;
    const t = session.transactions; // this commit's, even if the producer is renewed meanwhile
    const resumably = (call: string, fn: () => Promise<void>) =>
      callResumably(fn, { signal: NEVER, onRetry: (err, attempt) => logger.warn({ err: err.message, call, attempt }, 'transactional call failed retriably: calling it again') });
    try {
      await t.begin();
      for (const l of letters) {
        const { key, value } = this.deps.encode(l);
        const q = session.producer.produce(this.deps.topic, key, value);
        if (q) await q;
      }
      await resumably('send offsets', () => t.sendOffsets(offsets, consumer));
      await resumably('commit', () => t.commit());
      return 'committed';
    } catch (err) {
      logger.warn({ err: (err as Error).message, kind: classifyTxnError(err), letters: letters.length }, 'dead-letter transaction failed: aborting; the records are read again');
      if (classifyTxnError(err) !== 'fatal') {
        try {
          await resumably('abort', () => t.abort());
          return 'refused';
        } catch (abortErr) {
          if (classifyTxnError(abortErr) !== 'fatal') throw abortErr;
        }
      }
      await this.renew(err as Error);
      return 'refused';
    }
  }

  /** A fatal error (fenced, or the epoch bumped by a timeout): a new producer with the same id starts clean. */
  private async renew(cause: Error): Promise<void> {
    const { session, logger } = this.deps;
    if (!session.mayRenew()) throw new DeadLetterProducerFenced(`dead-letter producer fenced and no renewal left: ${cause.message}`);
    try {
      await session.renew();
      logger.warn({ err: cause.message }, 'dead-letter producer replaced after a fatal error');
    } catch (err) {
      // The old one stays; the next commit with dead letters fails fatally again and renews then.
      logger.warn({ err: (err as Error).message }, 'replacing the dead-letter producer failed; retried with the next commit');
    }
  }
}
